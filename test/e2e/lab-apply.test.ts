/**
 * Issue 4, done when: the real `terraform apply` of the lab example against the digital
 * twin; our own TLS connections show the new certificates; a re-apply runs nothing; a new
 * certificate re-runs exactly its steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepResourceName } from '../../lib/platforms';
import { reissueLabCertificate } from '../../lib/rehearsal/lab-pki';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';
import { servedVersusPlan } from './helpers';

const LAB = join(__dirname, '..', '..', 'examples', 'lab.yaml');
const work = mkdtempSync(join(tmpdir(), 'ucr-e2e-lab-'));
let bench: RehearsalBench;

beforeAll(async () => {
  bench = await prepareRehearsal({ inventory: LAB, workDir: work, restartMillis: 100, addressBase: '127.0.40.2' });
}, 180_000);

afterAll(async () => {
  await bench?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('terraform apply of the lab example on the digital twin', () => {
  it('runs every step and each node then presents the new certificate', async () => {
    // GIVEN nodes that serve their self-signed certificates
    const plan = bench.plan('lab');
    const before = await servedVersusPlan(bench, plan);
    expect(before.every((b) => b.served !== b.expected)).toBe(true);
    // WHEN terraform applies the stack
    const result = await bench.apply('lab');
    // THEN every step ran, and every service port presents the planned leaf
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(plan.steps.map((s) => stepResourceName(s.id))));
    const after = await servedVersusPlan(bench, plan);
    expect(after.length).toBe(7);
    for (const a of after) expect(a.served, a.id).toBe(a.expected);
  }, 300_000);

  it('runs nothing on a second apply', async () => {
    const result = await bench.apply('lab');
    expect(result.exitCode).toBe(0);
    expect(result.created).toEqual([]);
    // Only the reconcile resource runs again (on every apply): it finds every step finished.
    expect(result.reconciled).toBe(true);
    expect(result.output).toMatch(/every step had finished/);
  }, 120_000);

  it('re-runs exactly the steps of a changed certificate', async () => {
    // GIVEN a new tomcat certificate (new key, new CSR) and a re-synthesized stack
    const old = bench.plan('lab');
    const tomcat = bench.lab.declarations.certificates.findIndex((c) => c.purpose === 'tomcat');
    await reissueLabCertificate(bench.lab, tomcat);
    await bench.synth();
    const next = bench.plan('lab');
    const changed = next.steps.filter((s) => old.steps.find((o) => o.id === s.id)?.trigger !== s.trigger).map((s) => s.id);
    // WHEN applied
    const result = await bench.apply('lab');
    // THEN exactly the steps whose trigger changed ran: tomcat's (and the preflight checks), never CallManager's
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(changed.map(stepResourceName)));
    expect(changed.some((id) => id === 'tomcat/identity/cs-ccm-pub')).toBe(true);
    expect(changed.filter((id) => !id.startsWith('tomcat/') && !id.startsWith('preflight/'))).toEqual([]);
    // AND every node presents the new tomcat leaf, while CallManager's stays
    const served = await servedVersusPlan(bench, next);
    for (const s of served) expect(s.served, s.id).toBe(s.expected);
  }, 300_000);
});
