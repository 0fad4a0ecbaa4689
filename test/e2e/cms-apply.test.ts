/**
 * Issue 5, done when: the real `terraform apply` of the Meeting Server example against the
 * digital twin, in the two phases of docs/cms.md (keys made on the servers: phase 1 makes and
 * fetches the CSRs, the lab CA signs them, phase 2 carries out the change); our own TLS
 * connections show every service presenting its new certificate; `database cluster status`
 * over SSH on the primary reports it Connected Primary; a re-apply runs nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../../lib/drivers/credentials';
import { HostKeyPins } from '../../lib/drivers/host-keys';
import { MmpDriver } from '../../lib/drivers/mmp-driver';
import { CmsClusterPlan, VerifyStep, stepResourceName } from '../../lib/platforms';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';
import { presentedLeaf } from './helpers';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'cms.yaml');
const PRIMARY = 'cms1.example.com';
const work = mkdtempSync(join(tmpdir(), 'ucr-e2e-cms-'));
let bench: RehearsalBench;
let phase1: CmsClusterPlan;

/** For every verify step: what the server presents on that port now (our own TLS connection), against the plan. */
async function servedVersusPlan(plan: CmsClusterPlan): Promise<{ id: string; served: string; expected: string }[]> {
  const out = [];
  for (const step of plan.steps.filter((s): s is VerifyStep => s.kind === 'verify' && !!s.port)) {
    const node = bench.twin.ready.nodes[step.node];
    out.push({ id: step.id, served: await presentedLeaf(node.address, node.ports[step.port!.name], step.node), expected: step.expectChain![0] });
  }
  return out;
}

/** One MMP command over SSH on a server of the twin (host key pinned by the twin's known_hosts). */
async function mmp(fqdn: string, command: string): Promise<string> {
  const node = bench.twin.ready.nodes[fqdn];
  const pins = new HostKeyPins(fqdn);
  pins.addKnownHostsFile(bench.twin.ready.knownHosts);
  const [user, pass] = ['CMS_ADMIN_USER', 'CMS_ADMIN_PASSWORD'].map((n) => bench.credentials[n]);
  const driver = await MmpDriver.connect({ endpoint: { fqdn, host: node.address, port: node.ports.ssh }, credentials: new Credentials(user, pass, 'test'), pins }, { commandMs: 10_000 });
  try {
    return await driver.run(command);
  } finally {
    driver.close();
  }
}

beforeAll(async () => {
  bench = await prepareRehearsal({ inventory: EXAMPLE, workDir: work, restartMillis: 100, addressBase: '127.0.43.2' });
}, 120_000);

afterAll(async () => {
  await bench?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('terraform apply of the Meeting Server example on the digital twin', () => {
  it('phase 1: makes the keys on the servers and fetches their CSRs, which the lab CA signs', async () => {
    // GIVEN the plan while the server-made certificates await their signature
    phase1 = bench.cmsPlan('meet');
    expect(phase1.certificates.filter((c) => c.awaitingSignature).map((c) => `${c.service} ${c.servers[0]}`)).toEqual([
      'webadmin cms1.example.com',
      'webadmin cms2.example.com',
      'webadmin cms3.example.com',
      'xmpp cms1.example.com',
    ]);
    expect(phase1.steps.every((s) => /^(preflight|[a-z]+\/(csr|download-csr|manual\/sign))\//.test(s.id))).toBe(true);
    // WHEN applied
    const result = await bench.apply('meet');
    // THEN every step ran and each CSR was fetched and signed
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(phase1.steps.map((s) => stepResourceName(s.id))));
    expect(await bench.signServerCsrs('meet')).toHaveLength(4);
  }, 120_000);

  it('phase 2: every service presents its new certificate and the database primary is connected', async () => {
    // GIVEN the plan of the change, re-planned with the signed certificates
    await bench.synth();
    const plan = bench.cmsPlan('meet');
    expect(plan.certificates.some((c) => c.awaitingSignature)).toBe(false);
    expect(plan.databaseCertificates).toBe(true);
    const before = await servedVersusPlan(plan);
    expect(before.length).toBe(11);
    expect(before.filter((b) => b.served === b.expected)).toEqual([]);
    // WHEN terraform applies it
    const result = await bench.apply('meet');
    // THEN it succeeds and runs every step but the CSR steps of phase 1 (same ids and triggers)
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    const unchanged = plan.steps.filter((s) => phase1.steps.some((o) => o.id === s.id && o.trigger === s.trigger)).map((s) => s.id);
    expect(unchanged.sort()).toEqual(phase1.steps.filter((s) => !s.id.startsWith('preflight/')).map((s) => s.id).sort());
    expect(new Set(result.created)).toEqual(new Set(plan.steps.filter((s) => !unchanged.includes(s.id)).map((s) => stepResourceName(s.id))));
    // AND over our own TLS connections every verified port presents the planned leaf
    for (const a of await servedVersusPlan(plan)) expect(a.served, a.id).toBe(a.expected);
    // AND the database cluster is whole again: the primary reports itself Connected Primary
    expect(await mmp(PRIMARY, 'database cluster status')).toMatch(/\(me\)\s*:\s*Connected Primary/);
  }, 150_000);

  it('runs nothing on a second apply', async () => {
    const result = await bench.apply('meet');
    expect(result.exitCode).toBe(0);
    expect(result.created).toEqual([]);
    // Only the reconcile resource runs again (on every apply): it finds every step finished.
    expect(result.reconciled).toBe(true);
    expect(result.output).toMatch(/every step had finished/);
  }, 60_000);
});
