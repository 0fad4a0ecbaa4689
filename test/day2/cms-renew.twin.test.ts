/**
 * `ucrollout renew` for Meeting Servers, on the digital twin of examples/cms.yaml (lab
 * certificates; its server-made certificates signed by a lab issuer; no database procedure).
 * After the rollout is applied through `ucrollout step reconcile` (as the stack's last resource
 * runs it): time moved past two thirds of the CA-signed files' lifetime, renew plans exactly
 * those (the declared files are the installed, due certificates: planned with that warning);
 * with renewed files in place it plans them again, applied they are installed, and run again
 * nothing is due. Later, past two thirds of the issued certificates' lifetime, renew raises their
 * `renewal` label: applied, the servers make fresh keys and CSRs and the issuer signs them over
 * the declared files; with the label set as the warning says, renew installs them. Time moves
 * with --now, never by making certificates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeSecretFile } from '../../lib/pki';
import { readCertificateFacts } from '../../lib/pki/facts';
import { loadLabCa, signCsr } from '../../lib/pki/lab-ca';
import { CmsClusterPlan, readRolloutPlan } from '../../lib/platforms';
import { cmsLabCsr } from '../../lib/rehearsal/cms-lab-pki';
import { issueLabCertificates } from '../../lib/rehearsal/lab-pki';
import { InventoryTwin, ROOT, runCli, startInventoryTwin } from './helpers';

const DAY = 86_400_000;
const EXAMPLE = join(ROOT, 'examples', 'cms.yaml');
const ENV = { CMS_ADMIN_USER: 'cmsrenew', CMS_ADMIN_PASSWORD: 'cms-renew-secret-3' };
const work = mkdtempSync(join(tmpdir(), 'ucr-day2-cms-renew-'));
let inventory: string;
let cms: InventoryTwin;

type Identity = { purpose: string; sha256: string; presented: string | null; state: string; notBefore: string };
type Report = { clusters: { nodes: { fqdn: string; identities: Identity[] }[] }[]; findings: { code: string; purpose?: string }[] };

const env = () => ({ ...ENV, UCROLLOUT_RESOLVE: cms.readyFile });
const status = async (...args: string[]): Promise<{ code: number | null; report: Report }> => {
  const r = await runCli(['status', '--inventory', inventory, '--json', ...args], env());
  return { code: r.code, report: JSON.parse(r.stdout) };
};
const renew = (out: string, ...args: string[]) => runCli(['renew', '--inventory', inventory, '--out', join(work, out), ...args], env());
const stack = (out: string) => join(work, out, 'stacks', 'meet');
const planOf = (out: string) => readRolloutPlan(readFileSync(join(stack(out), 'plan.json'), 'utf8')) as CmsClusterPlan;
/** What the stack's last resource runs on every apply: every step that has not finished (the manual ones confirmed, as in a rehearsal). */
const apply = async (out: string) => {
  const r = await runCli(['step', 'reconcile', '--plan', join(stack(out), 'plan.json')], { ...env(), UCROLLOUT_CONFIRM_ALL: '1' }, 180_000);
  expect(r.code, r.stdout + r.stderr).toBe(0);
};
const identities = (report: Report) => report.clusters[0].nodes.flatMap((n) => n.identities.map((i) => ({ ...i, fqdn: n.fqdn })));
const declarations = () => parse(readFileSync(inventory, 'utf8')) as { issuers: { lab: { days: number } }[]; cmsCertificates: Record<string, string>[] };
const redeclare = (change: (doc: ReturnType<typeof declarations>) => void) => {
  const doc = declarations();
  change(doc);
  writeFileSync(inventory, stringify(doc));
};
const fileOf = (service: string, server?: string) => {
  const c = cms.declarations.cmsCertificates!.find((x) => x.service === service && x.server === server)!;
  return join(cms.baseDir, c.certificate);
};
const ISSUED = ['webadmin cms1.example.com', 'webadmin cms2.example.com', 'webadmin cms3.example.com', 'xmpp'];
const FROM_CA = ['callbridge', 'webbridge cms1.example.com', 'webbridge cms2.example.com'];
const label = (c: { service: string; servers: readonly string[]; scope: string }) => (c.scope === 'clustered' ? c.service : `${c.service} ${c.servers[0]}`);

/** At `now` every server uses and presents one of `leaves` for `services`, status is ok (exit 0), and renew finds nothing due. */
async function expectInstalledThenNothingDue(now: string, services: readonly string[], leaves: readonly string[], out: string): Promise<void> {
  const after = await status('--now', now);
  expect(after.code, JSON.stringify(after.report.findings)).toBe(0);
  const ids = identities(after.report).filter((i) => services.includes(i.purpose));
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    expect(id, `${id.fqdn} ${id.purpose}`).toMatchObject({ state: 'ok', presented: id.sha256 });
    expect(leaves).toContain(id.sha256);
  }
  const again = await renew(out, '--now', now);
  expect(again.code).toBe(0);
  expect(again.stdout.trim()).toBe('nothing due');
}

beforeAll(async () => {
  // The example with lab certificates (365 days); its server-made ones signed by a lab issuer (730 days).
  const lab = await issueLabCertificates(EXAMPLE, join(work, 'lab'));
  const doc = parse(readFileSync(lab.inventory, 'utf8'));
  doc.issuers = [{ name: 'lab-issuer', lab: { ca: 'ca', days: 730 } }];
  doc.cmsCertificates = doc.cmsCertificates.map((c: Record<string, string>) => (c.source === 'server-csr' ? { ...c, issuer: 'lab-issuer' } : c));
  delete doc.cmsClusters[0].databaseCertificates;
  inventory = lab.inventory;
  writeFileSync(inventory, stringify(doc));
  cms = await startInventoryTwin(inventory, '127.0.97.1', ENV, 'cms-renew');
  // The rollout: phase 1 (keys and CSRs on the servers, signed by the issuer), then phase 2.
  for (let phase = 1; phase <= 2; phase++) {
    const plan = await runCli(['plan', '--inventory', inventory, '--out', join(work, 'rollout')], ENV);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    await apply('rollout');
  }
}, 300_000);

afterAll(async () => {
  await cms?.twin.stop();
  if (cms) rmSync(dirname(cms.stateDir), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('ucrollout renew on the twin of examples/cms.yaml', () => {
  it('finds nothing due right after the rollout', async () => {
    const now = await status();
    expect(now.code).toBe(0);
    expect(identities(now.report).map((i) => i.state)).toSatisfy((s: string[]) => s.length === 11 && s.every((x) => x === 'ok'));
    const r = await renew('renew-0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('nothing due');
  });

  it('renews exactly the CA-signed files past two thirds of their lifetime; renewed files in place, applied, they are installed', async () => {
    // GIVEN a time past two thirds of the 365-day files' lifetime, well before two thirds of the issued ones'
    const callbridge = readCertificateFacts(fileOf('callbridge'));
    const now = new Date(Date.parse(callbridge.notBefore) + 250 * DAY).toISOString();
    const before = await status('--now', now);
    expect(before.code).toBe(1);
    expect(new Set(before.report.findings.map((f) => `${f.code} ${f.purpose}`))).toEqual(new Set(['renewal-due callbridge', 'renewal-due webbridge']));

    // WHEN renew runs while the declared files still are the installed certificates
    const first = await renew('renew-1', '--now', now);
    // THEN it plans those three only, saying why and that applying them changes nothing
    expect(first.code, first.stderr).toBe(0);
    const plan1 = planOf('renew-1');
    expect(plan1.certificates.map(label)).toEqual(FROM_CA);
    expect(plan1.steps.some((s) => s.purpose === 'webadmin' || s.purpose === 'xmpp')).toBe(false);
    expect(plan1.databaseCertificates).toBe(false);
    expect(plan1.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['renewal', 'renewal-same-certificate']));
    expect(plan1.warnings.find((w) => w.code === 'renewal')!.message).toMatch(/is renewed: the installed certificate is due for renewal since \d{4}-\d\d-\d\d \(once two thirds of its lifetime have passed/);
    expect(first.stdout).toMatch(/^meet: \d+ steps on 3 nodes → .*renew-1\/stacks\/meet\/\{plan\.json,PLAN\.md,cdk\.tf\.json\}$/m);
    expect(first.stdout).toMatch(/^ {2}renew webbridge \(cms1\.example\.com\) 'certs\/[^']+': the installed certificate is due/m);
    expect(first.stdout).toContain('WARNING the declared file is the installed certificate, itself due: put the renewed certificate there first');

    // WHEN the renewed certificates (new keys, three years) are put in the declared files, and renew runs again
    const ca = loadLabCa(join(cms.baseDir, 'ca'));
    const cluster = cms.declarations.cmsClusters![0];
    const renewed = new Map<string, string>();
    for (const decl of cms.declarations.cmsCertificates!.filter((c) => c.source === 'ca')) {
      const { csrPem, keyPem } = await cmsLabCsr(cluster, decl);
      writeSecretFile(join(cms.baseDir, decl.key!), keyPem);
      writeFileSync(join(cms.baseDir, decl.certificate), await signCsr(ca, csrPem, { purpose: 'tomcat', days: 1095 }));
      renewed.set(decl.certificate, readCertificateFacts(join(cms.baseDir, decl.certificate)).sha256);
    }
    const second = await renew('renew-2', '--now', now);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/renew callbridge 'certs\/[^']+': .*not installed on cms1\.example\.com/);
    expect(second.stdout).not.toContain('WARNING');
    const plan2 = planOf('renew-2');
    expect(plan2.certificates.map((c) => [label(c), c.certificate.sha256])).toEqual(
      cms.declarations.cmsCertificates!.filter((c) => c.source === 'ca').map((c) => [label({ ...c, servers: [c.server!] }), renewed.get(c.certificate)]),
    );

    // THEN applied, the servers use and present the renewed certificates
    await apply('renew-2');
    await expectInstalledThenNothingDue(now, ['callbridge', 'webbridge'], [...renewed.values()], 'renew-3');
  }, 300_000);

  it('renews the issued certificates through their issuer with the next renewal label, then installs them', async () => {
    // GIVEN a time past two thirds of the issued certificates' 730 days (the renewed files' three years are not)
    const webadmin = readCertificateFacts(fileOf('webadmin', 'cms1.example.com'));
    const now = new Date(Date.parse(webadmin.notBefore) + 500 * DAY).toISOString();
    const held = new Map(identities((await status('--now', now)).report).map((i) => [`${i.fqdn} ${i.purpose}`, i.sha256]));
    // The issuer's next certificates outlive that time
    redeclare((doc) => (doc.issuers[0].lab.days = 1500));

    // WHEN renew runs
    const first = await renew('renew-4', '--now', now);
    // THEN it plans the four issued certificates only, with a fresh key and CSR each (phase 1: nothing installed yet)
    expect(first.code, first.stderr).toBe(0);
    const plan4 = planOf('renew-4');
    expect(plan4.certificates.map(label)).toEqual(ISSUED);
    expect(plan4.certificates.every((c) => c.awaitingSignature && c.issuer === 'lab-issuer')).toBe(true);
    expect(plan4.steps.filter((s) => s.kind === 'sign').map((s) => s.id)).toEqual(['webadmin/sign/cms1', 'webadmin/sign/cms2', 'webadmin/sign/cms3', 'xmpp/sign/cms1']);
    expect(plan4.steps.some((s) => s.kind === 'upload-file')).toBe(false);
    const generations = plan4.warnings.filter((w) => w.code === 'renewal-label');
    expect(generations.length).toBe(4);
    expect(generations[0].message).toMatch(/a fresh key and CSR on the server \(renewal '1', a new basename\), signed by 'lab-issuer'.*set renewal: '1' in the declarations/);
    expect(first.stdout).toMatch(/^ {2}renew xmpp issued by 'lab-issuer': the installed certificate is due for renewal/m);
    expect(first.stdout).not.toContain('WARNING');
    const oldBasenames = new Set(planOf('rollout').certificates.map((c) => c.basename));
    expect(plan4.certificates.some((c) => oldBasenames.has(c.basename))).toBe(false);

    // WHEN applied: the issuer signs the fresh CSRs over the declared files; the servers still use the old ones
    await apply('renew-4');
    const signed = new Map(ISSUED.map((l) => [l, readCertificateFacts(l === 'xmpp' ? fileOf('xmpp') : fileOf('webadmin', l.split(' ')[1])).sha256]));
    expect([...signed.values()].some((sha) => [...held.values()].includes(sha))).toBe(false);
    const between = await status('--now', now);
    expect(identities(between.report).filter((i) => i.purpose === 'webadmin' || i.purpose === 'xmpp').map((i) => i.state)).toSatisfy((s: string[]) => s.every((x) => x === 'drift'));

    // AND with the label set as the warning says, renew installs them
    redeclare((doc) => doc.cmsCertificates.filter((c) => c.issuer === 'lab-issuer').forEach((c) => (c.renewal = '1')));
    const second = await renew('renew-5', '--now', now);
    expect(second.code, second.stderr).toBe(0);
    const plan5 = planOf('renew-5');
    expect(plan5.certificates.map((c) => [label(c), c.awaitingSignature, c.certificate.sha256])).toEqual(ISSUED.map((l) => [l, false, signed.get(l)]));
    expect(plan5.certificates.map((c) => c.basename)).toEqual(plan4.certificates.map((c) => c.basename));
    expect(plan5.warnings.map((w) => w.code)).not.toContain('renewal-label');
    await apply('renew-5');
    await expectInstalledThenNothingDue(now, ['webadmin', 'xmpp'], [...signed.values()], 'renew-6');
  }, 300_000);
});
