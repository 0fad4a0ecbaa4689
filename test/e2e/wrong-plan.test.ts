/**
 * Issue 4, done when: a wrong plan (leaf before trust, restart skipped) fails on the twin,
 * proving the twin checks what the vendor checks.
 *
 * Each test synthesizes the lab stack, breaks it the way an incorrect planner would (the same
 * edit in plan.json and cdk.tf.json), runs the real `terraform apply` against a twin of its
 * own, and shows the twin refusing; then the correct stack, re-synthesized, finishes on the
 * same twin, so the order was the only thing wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterPlan, CucmStep, stepResourceName } from '../../lib/platforms';
import { stepOf } from '../plan/helpers';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';
import { applyStack, dependentsOf, initStack, presentedLeaf, servedVersusPlan, stepIdsByResource, twinSnapshot } from './helpers';

const LAB = join(__dirname, '..', '..', 'examples', 'lab.yaml');
const PUB = 'cs-ccm-pub.example.com';
const SUB = 'cs-ccm-sub.example.com';
/** The twin's refusal, in the vendor's words. */
const CHAIN_NOT_TRUSTED = 'CA Certificate is Not Available in the Trust-Store';

const benches: RehearsalBench[] = [];
let nextAddress = 2;

async function freshBench(): Promise<{ bench: RehearsalBench; work: string }> {
  const work = mkdtempSync(join(tmpdir(), 'ucr-e2e-wrong-plan-'));
  const addressBase = `127.0.42.${nextAddress}`;
  nextAddress += 10;
  const bench = await prepareRehearsal({ inventory: LAB, workDir: work, restartMillis: 100, addressBase });
  benches.push(bench);
  await initStack(bench);
  return { bench, work };
}

afterAll(async () => {
  await Promise.all(benches.map((b) => b.stop()));
});

interface TerraformJson {
  resource: { terraform_data: Record<string, { depends_on?: string[] }> };
}

const tfRef = (id: string) => `terraform_data.${stepResourceName(id)}`;

/**
 * Removes steps from a synthesized stack, in plan.json and cdk.tf.json alike. A step that
 * depended on a removed one depends on what the removed one depended on instead, so every
 * other ordering of the plan stays as it was.
 */
function removeSteps(stackDir: string, ids: readonly string[]): ClusterPlan {
  const planFile = join(stackDir, 'plan.json');
  const tfFile = join(stackDir, 'cdk.tf.json');
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as ClusterPlan;
  const tf = JSON.parse(readFileSync(tfFile, 'utf8')) as TerraformJson;
  const data = tf.resource.terraform_data;
  // The two files agree before the edit: the edit below keeps them agreeing.
  for (const s of plan.steps) expect(new Set(data[stepResourceName(s.id)].depends_on ?? []), s.id).toEqual(new Set(s.dependsOn.map(tfRef)));

  const removed = new Set(ids);
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const through = (id: string): string[] => (removed.has(id) ? byId.get(id)!.dependsOn.flatMap(through) : [id]);
  const steps: CucmStep[] = plan.steps.filter((s) => !removed.has(s.id)).map((s) => ({ ...s, dependsOn: [...new Set(s.dependsOn.flatMap(through))].sort() }));
  const broken: ClusterPlan = { ...plan, steps };
  for (const id of ids) {
    expect(data[stepResourceName(id)], id).toBeDefined();
    delete data[stepResourceName(id)];
  }
  for (const s of steps) data[stepResourceName(s.id)].depends_on = s.dependsOn.map(tfRef);
  writeFileSync(planFile, JSON.stringify(broken, null, 2) + '\n');
  writeFileSync(tfFile, JSON.stringify(tf, null, 2) + '\n');
  return broken;
}

describe('a wrong plan fails on the twin', () => {
  it('leaf before trust: the identity upload is refused until its CA chain is in the trust store', async () => {
    const { bench, work } = await freshBench();
    try {
      // GIVEN the lab stack without its trust uploads, so the leaves are uploaded first
      const right = bench.plan('lab');
      const trustSteps = right.steps.filter((s) => s.kind === 'upload-trust').map((s) => s.id);
      expect(trustSteps.length).toBe(4);
      const wrong = removeSteps(bench.stackDir('lab'), trustSteps);
      expect(bench.plan('lab').steps.map((s) => s.id)).toEqual(wrong.steps.map((s) => s.id));
      const identitySteps = wrong.steps.filter((s) => s.kind === 'upload-identity').map((s) => s.id).sort();
      expect(identitySteps).toEqual(['CallManager/identity/cs-ccm-pub', 'tomcat/identity/cs-ccm-pub']);
      const idOf = stepIdsByResource(wrong);
      const before = twinSnapshot(bench);

      // WHEN terraform applies it
      const result = await applyStack(bench);

      // THEN the apply fails at the identity uploads, refused by the node in the vendor's words
      expect(result.exitCode).not.toBe(0);
      expect(result.failed.map((f) => idOf.get(f.resource) ?? f.resource).sort()).toEqual(identitySteps);
      for (const f of result.failed) {
        expect(f.message, f.resource).toContain(PUB);
        expect(f.message, f.resource).toContain(CHAIN_NOT_TRUSTED);
      }
      // AND nothing after them ran, and no node took a new identity
      const later = new Set(identitySteps.flatMap((id) => [...dependentsOf(wrong, id)]));
      expect(result.created.map((r) => idOf.get(r) ?? r).filter((id) => later.has(id) || identitySteps.includes(id))).toEqual([]);
      expect(twinSnapshot(bench).identity).toEqual(before.identity);

      // WHEN the correct stack is synthesized again and applied on the same twin
      await bench.synth();
      const fixed = await applyStack(bench);

      // THEN it finishes, trust first, and every verified port presents the planned leaf
      expect(fixed.failed).toEqual([]);
      expect(fixed.exitCode).toBe(0);
      for (const id of [...trustSteps, ...identitySteps]) expect(fixed.created).toContain(stepResourceName(id));
      const served = await servedVersusPlan(bench, bench.plan('lab'));
      expect(served.length).toBe(7);
      for (const s of served) expect(s.served, s.id).toBe(s.expected);
    } finally {
      await bench.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);

  it('restart skipped: without a Cisco Tomcat restart the node keeps serving its old certificate and the verify fails', async () => {
    const { bench, work } = await freshBench();
    try {
      // GIVEN the lab stack without the Cisco Tomcat restart of the subscriber
      const skipped = 'tomcat/restart/cs-ccm-sub/cisco-tomcat';
      const verify = 'tomcat/verify/cs-ccm-sub/https';
      const wrong = removeSteps(bench.stackDir('lab'), [skipped]);
      expect(wrong.steps.some((s) => s.id === skipped)).toBe(false);
      const idOf = stepIdsByResource(wrong);
      const newLeaf = stepOf(wrong, verify, 'verify').expectChain[0];
      const https = bench.twin.ready.nodes[SUB];
      const oldLeaf = await presentedLeaf(https.address, https.ports.https, SUB);
      expect(oldLeaf).not.toBe(newLeaf);

      // WHEN terraform applies it
      const result = await applyStack(bench);

      // THEN the apply fails at the verify of the subscriber's https port, and only there
      expect(result.exitCode).not.toBe(0);
      expect(result.failed.map((f) => idOf.get(f.resource) ?? f.resource)).toEqual([verify]);
      expect(result.failed[0].message).toContain(SUB);
      expect(result.failed[0].message).toMatch(/not restarted since the upload/);
      // AND nothing that depends on that verify ran (the clean-ups, the DRF backup)
      const later = dependentsOf(wrong, verify);
      expect(later.size).toBeGreaterThan(0);
      expect(result.created.map((r) => idOf.get(r) ?? r).filter((id) => later.has(id))).toEqual([]);
      // AND the subscriber holds the new identity but, Tomcat not restarted, still serves the old one
      expect(bench.twin.world.node(SUB).identities.tomcat.sha256).toBe(newLeaf);
      expect(await presentedLeaf(https.address, https.ports.https, SUB)).toBe(oldLeaf);
      // … while every node whose Tomcat did restart serves the new leaf
      for (const s of await servedVersusPlan(bench, wrong)) if (s.id !== verify) expect(s.served, s.id).toBe(s.expected);

      // WHEN the correct stack is synthesized again and applied on the same twin
      await bench.synth();
      const fixed = await applyStack(bench);

      // THEN the restart runs, the verify passes, and the subscriber serves the new leaf
      expect(fixed.failed).toEqual([]);
      expect(fixed.exitCode).toBe(0);
      expect(fixed.created).toContain(stepResourceName(skipped));
      expect(fixed.created).toContain(stepResourceName(verify));
      expect(await presentedLeaf(https.address, https.ports.https, SUB)).toBe(newLeaf);
    } finally {
      await bench.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
