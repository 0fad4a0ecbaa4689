/**
 * Issue 10, done when (through a real `terraform apply` on the twin): after an apply, status
 * is ok with the declared fingerprint, issuer and expiry on every node; 10 days before expiry a
 * certificate is due (exit 1), after it expired (exit 2); `ucrollout renew`, once time moved past
 * renewBefore, plans exactly the due certificate, applied installs it, and run again finds
 * nothing due. Time moves with --now, never by making certificates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { coverageOf } from '../../lib/day2/status';
import { findPurpose } from '../../lib/catalog';
import { generateCsr, loadLabCa, signCsr, writeSecretFile } from '../../lib/pki';
import { readCertificateFacts } from '../../lib/pki/facts';
import { readRolloutPlan } from '../../lib/platforms';
import { RehearsalBench, prepareRehearsal, rehearsalEnv } from '../../lib/rehearsal/rehearse';
import { terraformApply, terraformInit } from '../../lib/rehearsal/terraform';
import { ROOT, runCli } from './helpers';

const DAY = 86_400_000;
const work = mkdtempSync(join(tmpdir(), 'ucr-day2-renew-'));
let bench: RehearsalBench;

// The lab example, tomcat renewed 30 days before expiry; CallManager by the default (two thirds of its lifetime).
function labWithRenewBefore(): string {
  const doc = parse(readFileSync(join(ROOT, 'examples', 'lab.yaml'), 'utf8'));
  doc.certificates.find((c: { purpose: string }) => c.purpose === 'tomcat').renewBefore = 30;
  const file = join(work, 'source', 'lab.yaml');
  require('node:fs').mkdirSync(join(work, 'source'), { recursive: true });
  writeFileSync(file, stringify(doc));
  return file;
}

const env = () => ({ ...bench.credentials, UCROLLOUT_RESOLVE: bench.readyFile });
const status = (...args: string[]) => runCli(['status', '--inventory', bench.lab.inventory, ...args], env());
const renew = (out: string, ...args: string[]) => runCli(['renew', '--inventory', bench.lab.inventory, '--out', out, ...args], env());
const declared = (purpose: string) => {
  const decl = bench.lab.declarations.certificates.find((c) => c.purpose === purpose)!;
  return { decl, facts: readCertificateFacts(join(bench.lab.baseDir, decl.certificate!)) };
};

beforeAll(async () => {
  bench = await prepareRehearsal({ inventory: labWithRenewBefore(), workDir: join(work, 'rehearsal'), restartMillis: 100, addressBase: '127.0.71.1' });
}, 180_000);

afterAll(async () => {
  await bench?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('status and renew after a rollout on the twin', () => {
  it('is ok after the apply, with the declared fingerprint, issuer and expiry on every node', async () => {
    // GIVEN the lab rollout applied through Terraform
    const result = await bench.apply('lab');
    expect(result.exitCode, result.output.slice(-2000)).toBe(0);
    // WHEN status reads the nodes
    const r = await status('--json');
    // THEN exit 0, and every node a certificate covers holds and presents it
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    const cluster = bench.lab.declarations.clusters[0];
    for (const purpose of ['tomcat', 'CallManager']) {
      const { facts } = declared(purpose);
      const covered = coverageOf(cluster, findPurpose(purpose)!);
      expect(covered.length).toBeGreaterThan(1);
      for (const fqdn of covered) {
        const id = report.clusters[0].nodes.find((n: { fqdn: string }) => n.fqdn === fqdn).identities.find((i: { purpose: string }) => i.purpose === purpose);
        expect(id, `${fqdn} ${purpose}`).toMatchObject({ state: 'ok', sha256: facts.sha256, presented: facts.sha256, issuer: facts.issuer, notAfter: facts.notAfter, selfSigned: false });
      }
    }
    expect(report.findings).toEqual([]);
  }, 300_000);

  it('calls a certificate 10 days before expiry due (exit 1), and an expired one critical (exit 2)', async () => {
    const { facts } = declared('tomcat');
    const soon = await status('--json', '--now', new Date(Date.parse(facts.notAfter) - 10 * DAY).toISOString());
    expect(soon.code).toBe(1);
    const ids = JSON.parse(soon.stdout).clusters[0].nodes.flatMap((n: { identities: { purpose: string; state: string }[] }) => n.identities.filter((i) => i.purpose === 'tomcat'));
    expect(ids.map((i: { state: string }) => i.state)).toEqual(['due', 'due', 'due']);
    const expired = await status('--now', new Date(Date.parse(facts.notAfter) + DAY).toISOString());
    expect(expired.code).toBe(2);
    expect(expired.stdout).toMatch(/critical certificate-expired \(lab tomcat: cs-ccm-pub\.example\.com, cs-ccm-sub\.example\.com, cs-imp\.example\.com\)/);
  }, 120_000);

  it('discovers the rolled-out cluster: the CA-signed certificates declared with the CA found in the trust stores', async () => {
    // GIVEN the applied lab WHEN discovered from its publisher
    const out = join(work, 'discovered', 'lab.yaml');
    const r = await runCli(['discover', '--publisher', 'cs-ccm-pub.example.com', '--out', out, '--name', 'lab'], env());
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    // THEN tomcat and CallManager are declared (multi-server, their public files beside the inventory), the rest is commented
    expect(text).toMatch(/- \{ cluster: lab, purpose: tomcat, distribution: multi-server, certificate: discovered\/lab-tomcat\.pem, ca: ca1 \}/);
    expect(text).toMatch(/- \{ cluster: lab, purpose: CallManager, distribution: multi-server, certificate: discovered\/lab-CallManager\.pem, ca: ca1 \}/);
    expect(text).toMatch(/#\s+tomcat: .*multi-server, on cs-ccm-pub, cs-ccm-sub, cs-imp\), issued by .*, expires \d{4}-\d\d-\d\d/);
    expect(readCertificateFacts(join(work, 'discovered', 'discovered', 'lab-tomcat.pem')).sha256).toBe(declared('tomcat').facts.sha256);
    // AND lint, plan and status accept it: what it declares is what the nodes hold
    expect((await runCli(['lint', '--inventory', out])).code).toBe(0);
    expect((await runCli(['plan', '--inventory', out, '--out', join(work, 'discovered', 'plan')])).code).toBe(0);
    const again = await runCli(['status', '--inventory', out], env());
    expect(again.code, again.stdout).toBe(0);
  }, 120_000);

  it('renews exactly what is due past renewBefore; applied, it installs it; run again, nothing is due', async () => {
    // GIVEN a time past two thirds of CallManager's lifetime, but more than 30 days before tomcat expires
    const cm = declared('CallManager');
    const now = new Date(Date.parse(cm.facts.notBefore) + 265 * DAY).toISOString();
    const before = await status('--json', '--now', now);
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout).findings.map((f: { code: string; purpose: string }) => `${f.code} ${f.purpose}`)).toEqual(['renewal-due CallManager']);

    // WHEN renew runs while the declared file still is the installed certificate
    const first = await renew(join(work, 'renew-1'), '--now', now);
    // THEN it plans CallManager only, and says why (and that this file changes nothing)
    expect(first.code, first.stderr).toBe(0);
    const plan1 = readRolloutPlan(readFileSync(join(work, 'renew-1', 'stacks', 'lab', 'plan.json'), 'utf8'));
    expect(plan1.platform === 'cucm' && plan1.certificates.map((c) => c.purpose)).toEqual(['CallManager']);
    expect(plan1.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['renewal', 'renewal-same-certificate']));
    const review = readFileSync(join(work, 'renew-1', 'stacks', 'lab', 'PLAN.md'), 'utf8');
    expect(review).toMatch(/CallManager \('certs\/[^']+'\) is renewed: the installed certificate is due for renewal since \d{4}-\d\d-\d\d \(once two thirds of its lifetime have passed/);
    expect(plan1.steps.some((s) => s.purpose === 'tomcat')).toBe(false);

    // WHEN the renewed CallManager certificate (two years) is put in the declared file, and renew runs again
    const cluster = bench.lab.declarations.clusters[0];
    const csr = await generateCsr({ cluster, purpose: 'CallManager', distribution: 'multi-server' });
    writeSecretFile(join(bench.lab.keyDir, `${csr.name}.key`), csr.keyPem);
    writeFileSync(join(bench.lab.baseDir, cm.decl.csr!), csr.csrPem);
    writeFileSync(join(bench.lab.baseDir, cm.decl.certificate!), await signCsr(loadLabCa(join(bench.lab.baseDir, 'ca')), csr.csrPem, { purpose: 'CallManager', days: 730 }));
    const renewed = declared('CallManager').facts;
    const second = await renew(join(work, 'renew-2'), '--now', now);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/renew CallManager 'certs\/[^']+': .*not installed on cs-ccm-pub\.example\.com/);
    const dir = join(work, 'renew-2', 'stacks', 'lab');
    const plan2 = readRolloutPlan(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(plan2.platform === 'cucm' && plan2.certificates.map((c) => [c.purpose, c.issued ? undefined : c.sha256])).toEqual([['CallManager', renewed.sha256]]);
    expect(plan2.warnings.map((w) => w.code)).not.toContain('renewal-same-certificate');

    // THEN applied, it installs the renewed certificate on every CallManager node
    await terraformInit(dir);
    const applied = await terraformApply(dir, rehearsalEnv(bench.readyFile, bench.credentials), undefined, { timeoutMs: 200_000 });
    expect(applied.exitCode, applied.output.slice(-2000)).toBe(0);
    const after = JSON.parse((await status('--json', '--now', now)).stdout);
    for (const fqdn of coverageOf(cluster, findPurpose('CallManager')!)) {
      const id = after.clusters[0].nodes.find((n: { fqdn: string }) => n.fqdn === fqdn).identities.find((i: { purpose: string }) => i.purpose === 'CallManager');
      expect(id).toMatchObject({ state: 'ok', sha256: renewed.sha256, presented: renewed.sha256 });
    }
    // AND run again, renew finds nothing due
    const third = await renew(join(work, 'renew-3'), '--now', now);
    expect(third.code).toBe(0);
    expect(third.stdout.trim()).toBe('nothing due');
  }, 400_000);
});
