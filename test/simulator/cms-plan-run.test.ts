/**
 * The planner's CMS plan, run step by step against the twin by a minimal driver written from
 * docs/cms.md ("What a driver does, by kind"): the MMP output matches every `expect`, no
 * `reject`, the `doneWhen` checks pass afterwards, and each port presents the new chain.
 * Two phases: a key made on the server (pki csr, CSR fetched, signed), then the change.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CmsCertificateInput, buildCmsCertificate } from '../../lib/inventory/cms-input';
import { CmsCertificateDecl, Declarations } from '../../lib/model';
import { CmsCertificateMaterial, CmsClusterPlan, CmsStep, planCmsCluster } from '../../lib/platforms';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { CMS1, CMS2, CMS3, CMS_ENV, MmpSession, cmsCluster, download, presented, sha256OfPem, signCsr, upload } from './cms-fixtures';
import { TestCa, bundle, tempDir } from './fixtures';

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const CLUSTER = 'cms.example.com';

describe('a CMS plan run against the twin', () => {
  let twin: RunningTwin;
  let ca: TestCa;
  let planDir: string;
  let decls: Declarations;
  const sessions = new Map<string, MmpSession>();
  const ran: string[] = [];

  const write = (rel: string, data: string): void => {
    mkdirSync(dirname(join(planDir, rel)), { recursive: true });
    writeFileSync(join(planDir, rel), data);
  };
  const subjectOf = (pem: string): string => new (require('node:crypto').X509Certificate)(pem).subject.replace(/\n/g, ', ');

  /** A leaf from the test CA, its key beside plan.json (what the user holds). */
  async function issue(name: string, cn: string, sans: string[]): Promise<void> {
    const leaf = await ca.issue(cn, sans);
    write(`certs/${name}.pem`, leaf.pem);
    write(`keys/${name}.key`, leaf.keyPem);
  }

  const material = (c: CmsCertificateDecl): CmsCertificateMaterial | undefined => {
    let pem: string;
    try {
      pem = readFileSync(join(planDir, c.certificate), 'utf8');
    } catch {
      return undefined; // server-csr not signed yet
    }
    const stem = `cms-files/${c.service}-${sha256OfPem(pem).slice(0, 8)}`;
    write(`${stem}.crt`, pem);
    const caBundle = bundle(ca.intermediate.pem, ca.root.pem);
    write('cms-files/ca-bundle.crt', caBundle);
    return {
      leaf: { sha256: sha256OfPem(pem), subject: subjectOf(pem), file: c.certificate },
      keyType: 'EC',
      intermediates: [{ sha256: ca.intermediate.sha256, subject: subjectOf(ca.intermediate.pem), file: 'ca/issuing.pem' }],
      root: { sha256: ca.root.sha256, subject: subjectOf(ca.root.pem), file: 'ca/root.pem' },
      certificateFile: { file: `${stem}.crt`, sha256: sha(pem) },
      caBundleFile: { file: 'cms-files/ca-bundle.crt', sha256: sha(caBundle) },
    };
  };

  const plan = (): CmsClusterPlan => planCmsCluster(decls, 'meet', { material, fileRef: (p) => p });

  async function mmp(node: string): Promise<MmpSession> {
    let s = sessions.get(node);
    if (!s || s.isClosed) {
      s = await MmpSession.open(twin.ready, node);
      sessions.set(node, s);
    }
    return s;
  }

  const matchesAll = (patterns: readonly string[] | undefined, text: string): boolean => (patterns ?? []).every((p) => new RegExp(p, 'mi').test(text));
  const matchesAny = (patterns: readonly string[] | undefined, text: string): boolean => (patterns ?? []).some((p) => new RegExp(p, 'mi').test(text));

  async function done(step: CmsStep): Promise<boolean> {
    const check = step.kind === 'mmp' ? step.doneWhen : undefined;
    if (!check) return false;
    if (check.mmp) return matchesAll(check.matches, await (await mmp(step.node)).text(check.mmp));
    if (check.port && check.leafSha256) return (await presented(twin.ready, step.node, check.port.name))?.[0] === check.leafSha256;
    return false;
  }

  async function run(step: CmsStep): Promise<void> {
    if (await done(step)) return;
    if (step.kind === 'mmp' && step.refuseWhen?.mmp && matchesAll(step.refuseWhen.matches, await (await mmp(step.node)).text(step.refuseWhen.mmp))) throw new Error(`${step.id}: ${step.refuseWhen.message}`);
    ran.push(step.id);
    switch (step.kind) {
      case 'mmp': {
        const session = await mmp(step.node);
        for (const c of step.mmp ?? []) {
          const deadline = Date.now() + (c.waitSeconds ?? 0) * 1000;
          let out = await session.text(c.command);
          while (!matchesAll(c.expect, out) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
            out = await session.text(c.command);
          }
          if (!matchesAll(c.expect, out) || matchesAny(c.reject, out) || /^ERROR:/m.test(out)) {
            for (const f of step.mmpOnFailure ?? []) await session.text(f);
            throw new Error(`${step.id}: '${c.command}' printed ${JSON.stringify(out)}`);
          }
        }
        return;
      }
      case 'upload-file':
        for (const f of step.files ?? []) {
          const data = f.fromNode ? await download(twin.ready, f.fromNode, f.name) : readFileSync(join(planDir, f.file!));
          if (f.sha256) expect(sha(data)).toBe(f.sha256);
          await upload(twin.ready, step.node, { [f.name]: data });
        }
        return;
      case 'download-file':
        for (const f of step.files ?? []) write(f.file!, (await download(twin.ready, step.node, f.name)).toString());
        return;
      case 'verify': {
        const chain = await presented(twin.ready, step.node, step.port!.name);
        expect(chain?.slice(0, step.expectChain!.length), step.id).toEqual(step.expectChain);
        return;
      }
      case 'manual':
        if (step.id.startsWith('webadmin/manual/sign/')) {
          const csr = readFileSync(join(planDir, /(cms-csr\/\S+\.csr)/.exec(step.command)![1]), 'utf8');
          write(/save it as (\S+)$/.exec(step.command)![1], await signCsr(ca, csr));
        }
        return;
      default:
        throw new Error(`${(step as CmsStep).id}: unknown kind ${(step as CmsStep).kind}`);
    }
  }

  beforeAll(async () => {
    planDir = tempDir('cms-plan');
    ca = await TestCa.create('Plan', tempDir('cms-plan-keys'));
    write('ca/root.pem', ca.root.pem);
    write('ca/issuing.pem', ca.intermediate.pem);
    await issue('callbridge', CLUSTER, [CLUSTER, CMS1, CMS2, CMS3]);
    await issue('xmpp', CLUSTER, [CLUSTER, 'example.com', CMS1, CMS2]);
    await issue('webbridge-cms1', CMS1, [CMS1, 'join.example.com', 'example.com']);
    await issue('webadmin-cms1', CMS1, [CMS1]);
    const certs: CmsCertificateInput[] = [
      { cluster: 'meet', service: 'webadmin', server: CMS1, certificate: 'certs/webadmin-cms1.pem', key: 'keys/webadmin-cms1.key', ca: 'meet-ca' },
      { cluster: 'meet', service: 'webadmin', server: CMS2, source: 'server-csr', certificate: 'certs/webadmin-cms2.pem', ca: 'meet-ca' },
      { cluster: 'meet', service: 'callbridge', scope: 'clustered', certificate: 'certs/callbridge.pem', key: 'keys/callbridge.key', ca: 'meet-ca' },
      { cluster: 'meet', service: 'webbridge', server: CMS1, certificate: 'certs/webbridge-cms1.pem', key: 'keys/webbridge-cms1.key', ca: 'meet-ca' },
      { cluster: 'meet', service: 'xmpp', scope: 'clustered', certificate: 'certs/xmpp.pem', key: 'keys/xmpp.key', ca: 'meet-ca' },
    ];
    decls = {
      clusters: [],
      certificateAuthorities: [{ name: 'meet-ca', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }],
      certificates: [],
      trustEntries: [],
      cmsClusters: [cmsCluster()],
      cmsCertificates: certs.map((c, i) => buildCmsCertificate(c, `cert ${i}`)),
    };
    twin = await startTwin({ declarations: decls, stateDir: tempDir('cms-plan-state'), addressBase: '127.0.33.20', portMode: 'dynamic', restartMillis: 100, env: CMS_ENV });
  });

  afterAll(async () => {
    for (const s of sessions.values()) s.close();
    await twin?.stop();
  });

  it('phase 1: pki csr on the server, the CSR fetched and signed', async () => {
    // GIVEN
    const first = plan();
    // WHEN
    for (const step of first.steps) await run(step);
    // THEN
    expect(first.steps.some((s) => s.kind === 'verify')).toBe(false);
    expect(ran).toContain('webadmin/csr/cms2');
    expect(readFileSync(join(planDir, 'certs/webadmin-cms2.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('phase 2: the database procedure and every certificate, each port presenting the new chain', async () => {
    // GIVEN
    const second = plan();
    ran.length = 0;
    // WHEN
    for (const step of second.steps) await run(step);
    // THEN the CSR step was already done, every assignment ran, every port verified
    expect(ran).not.toContain('webadmin/csr/cms2');
    expect(ran).toEqual(expect.arrayContaining(['database/initialize/cms1', 'database/join/cms2', 'database/connect/cms3', 'callbridge/restart/cms3', 'webadmin/assign/cms2', 'xmpp/verify/cms2/xmpp-tls']));
    const primary = await (await mmp(CMS1)).text('database cluster status');
    expect(primary).toMatch(/\(me\)\s*:\s*Connected Primary/);
    for (const step of second.steps.filter((s) => s.kind === 'mmp' && s.doneWhen && !s.id.includes('/csr/'))) expect(await done(step), step.id).toBe(true);
  });

  it('phase 2 again: every step with a done check is done, nothing runs twice', async () => {
    // WHEN
    ran.length = 0;
    for (const step of plan().steps.filter((s) => s.kind === 'mmp' && s.doneWhen)) await run(step);
    // THEN
    expect(ran).toEqual([]);
  });
});
