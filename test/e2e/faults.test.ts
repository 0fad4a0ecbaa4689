/**
 * Issue 4, done when: tests inject each fault and show that apply stops at that step with a
 * clear message, nothing later ran, and fixing the fault then re-applying finishes the
 * rollout without repeating the steps already done.
 *
 * Every case runs the real `terraform apply` of the lab stack against its own digital twin
 * (faults are set per node in the twin's faults.json, read at each operation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterPlan, PlanStep, stepResourceName } from '../../lib/platforms';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';
import { NodeFaults, readNodeFaults, writeNodeFaults } from '../../lib/simulator';
import { TwinSnapshot, applyStack, dependentsOf, initStack, resources, servedVersusPlan, stepIdsByResource, twinSnapshot } from './helpers';

const LAB = join(__dirname, '..', '..', 'examples', 'lab.yaml');
const PUB = 'cs-ccm-pub.example.com';
const SUB = 'cs-ccm-sub.example.com';
const IMP = 'cs-imp.example.com';
/** Restarts that hang are given up after this long, to keep the tests short. */
const RESTART_TIMEOUT = { UCROLLOUT_RESTART_TIMEOUT_SECONDS: '3' };

interface FaultCase {
  readonly title: string;
  /** The node the fault is set on. */
  readonly node: string;
  readonly faults: NodeFaults;
  /** Extra environment of the first apply. */
  readonly env?: NodeJS.ProcessEnv;
  /** Ids of the steps the fault stops: exactly these fail. */
  readonly stops: readonly string[];
  /** Each failure message names these nodes (defaults to the faulty node) … */
  readonly names?: readonly string[];
  /** … and says what happened. */
  readonly says: readonly RegExp[];
  /** What a clear message should also say but does not yet (soft: reported, the scenario goes on). */
  readonly shouldSay?: readonly RegExp[];
  /** Checked right after the failed apply, fault still set. */
  readonly alsoAfterFailure?: (bench: RehearsalBench) => void;
}

const CASES: readonly FaultCase[] = [
  {
    title: 'a node that is unreachable stops the rollout at its preflight',
    node: SUB,
    faults: { unreachable: true },
    stops: ['preflight/cs-ccm-sub'],
    says: [/SSH to \S+ failed/],
  },
  {
    title: 'a Cisco Tomcat restart that fails (admin CLI) stops the rollout at that restart',
    node: IMP,
    faults: { restartFails: ['Cisco Tomcat'] },
    stops: ['tomcat/restart/cs-imp/cisco-tomcat'],
    says: [/restart of Cisco Tomcat failed/, /Cisco Tomcat failed to start/],
  },
  {
    title: 'a Cisco CallManager restart that fails (Serviceability SOAP) stops the rollout at that restart',
    node: SUB,
    faults: { restartFails: ['Cisco CallManager'] },
    stops: ['CallManager/restart/cs-ccm-sub/cisco-callmanager'],
    says: [/restart of Cisco CallManager ended Stopped/, /Cisco CallManager failed to start/],
  },
  {
    title: 'a Cisco Tomcat restart that hangs (admin CLI) is given up after the restart timeout',
    node: IMP,
    faults: { restartHangs: ['Cisco Tomcat'] },
    env: RESTART_TIMEOUT,
    stops: ['tomcat/restart/cs-imp/cisco-tomcat'],
    says: [/Cisco Tomcat did not finish restarting/, /after 3 s/],
    alsoAfterFailure: (bench) => {
      // The apply returned while the node still shows the restart under way: the timeout ended it, not the node.
      expect(bench.twin.world.node(IMP).services['Cisco Tomcat'].status).toBe('STARTING');
    },
  },
  {
    title: 'a Cisco CallManager restart that hangs (Serviceability SOAP) is given up after the restart timeout',
    node: SUB,
    faults: { restartHangs: ['Cisco CallManager'] },
    env: RESTART_TIMEOUT,
    stops: ['CallManager/restart/cs-ccm-sub/cisco-callmanager'],
    says: [/within 3 s/],
    // As on the CLI path: the service, that it did not finish, and what to check.
    shouldSay: [/Cisco CallManager did not finish restarting/, /utils service list/],
    alsoAfterFailure: (bench) => {
      expect(bench.twin.world.node(SUB).services['Cisco CallManager'].status).toBe('STARTING');
    },
  },
  {
    title: 'uploads refused by the subscriber stop the multi-server identity uploads that must reach it',
    node: SUB,
    faults: { refuseUpload: true },
    // Both multi-server leaves name the subscriber in their SANs; the publisher distributes them.
    stops: ['CallManager/identity/cs-ccm-pub', 'tomcat/identity/cs-ccm-pub'],
    names: [PUB, SUB],
    says: [/Upload refused by the node/],
  },
];

const benches: RehearsalBench[] = [];
let nextAddress = 2;

/** A fresh lab twin and stack per test, on loopback addresses of its own. */
async function freshBench(): Promise<{ bench: RehearsalBench; work: string }> {
  const work = mkdtempSync(join(tmpdir(), 'ucr-e2e-faults-'));
  const addressBase = `127.0.41.${nextAddress}`;
  nextAddress += 10;
  const bench = await prepareRehearsal({ inventory: LAB, workDir: work, restartMillis: 100, addressBase });
  benches.push(bench);
  await initStack(bench);
  return { bench, work };
}

afterAll(async () => {
  await Promise.all(benches.map((b) => b.stop()));
});

function trustKey(fqdn: string, store: string): string {
  return `${fqdn} ${store}`;
}

/** Trust stores per node: the sorted fingerprints of each. */
function trustSnapshot(bench: RehearsalBench): Map<string, string> {
  const out = new Map<string, string>();
  for (const [fqdn, node] of Object.entries(bench.twin.world.state.nodes)) {
    for (const [store, list] of Object.entries(node.trust)) out.set(trustKey(fqdn, store), list.map((t) => t.sha256).sort().join(','));
  }
  return out;
}

/** What a step would have changed on the twin, if it had run: the keys of the snapshots it touches. */
function footprint(plan: ClusterPlan, step: PlanStep): { starts: string[]; identities: string[]; trust: string[] } {
  const nodes = plan.cluster.nodes.map((n) => n.fqdn);
  if (step.kind === 'restart-service') return { starts: [`${step.node} ${step.service}`], identities: [], trust: [] };
  if (step.kind === 'upload-identity') return { starts: [], identities: (step.distributeTo ?? [step.node]).map((n) => `${n} ${step.purpose}`), trust: [] };
  if (step.kind === 'upload-trust') return { starts: [], identities: [], trust: nodes.map((n) => trustKey(n, step.store!)) };
  return { starts: [], identities: [], trust: [] };
}

describe('faults injected on the lab twin during terraform apply', () => {
  it.each(CASES)('$title, and a re-apply after the fix finishes without repeating a step', async (c) => {
    const { bench, work } = await freshBench();
    try {
      const plan = bench.plan('lab');
      const idOf = stepIdsByResource(plan);
      const stateDir = bench.twin.ready.stateDir;
      expect(c.stops.every((id) => plan.steps.some((s) => s.id === id))).toBe(true);

      // GIVEN the fault on one node of the twin, before the rollout starts
      writeNodeFaults(stateDir, c.node, c.faults);
      const before: TwinSnapshot = twinSnapshot(bench);
      const trustBefore = trustSnapshot(bench);

      // WHEN terraform applies the stack
      const first = await applyStack(bench, c.env);

      // THEN the apply fails at exactly the steps the fault hits …
      expect(first.exitCode).not.toBe(0);
      expect(first.failed.map((f) => idOf.get(f.resource) ?? f.resource).sort()).toEqual([...c.stops].sort());
      // … with a message that names the node(s) and says what happened
      for (const f of first.failed) {
        for (const node of c.names ?? [c.node]) expect(f.message, f.resource).toContain(node);
        for (const said of c.says) expect(f.message, f.resource).toMatch(said);
        for (const said of c.shouldSay ?? []) expect.soft(f.message, `${f.resource}: a clear message says what hung`).toMatch(said);
      }
      // AND no step that depends on a failed one was started by Terraform …
      const later = new Set(c.stops.flatMap((id) => [...dependentsOf(plan, id)]));
      expect(later.size).toBeGreaterThan(0);
      expect(first.created.map((r) => idOf.get(r) ?? r).filter((id) => later.has(id))).toEqual([]);
      expect(first.created.filter((r) => c.stops.includes(idOf.get(r) ?? r))).toEqual([]);
      // … nor changed anything on the twin: no later restart, identity or trust upload happened
      const mid = twinSnapshot(bench);
      const trustMid = trustSnapshot(bench);
      for (const id of later) {
        const step = plan.steps.find((s) => s.id === id)!;
        const touched = footprint(plan, step);
        for (const k of touched.starts) expect(mid.startedAt.get(k), `${id} restarted ${k}`).toBe(before.startedAt.get(k));
        for (const k of touched.identities) expect(mid.identity.get(k), `${id} installed ${k}`).toBe(before.identity.get(k));
        for (const k of touched.trust) expect(trustMid.get(k), `${id} changed trust ${k}`).toBe(trustBefore.get(k));
      }
      c.alsoAfterFailure?.(bench);

      // WHEN the fault is fixed and terraform applies again (normal restart timeout)
      writeNodeFaults(stateDir, c.node, undefined);
      const second = await applyStack(bench);

      // THEN the rollout finishes …
      expect(second.failed).toEqual([]);
      expect(second.exitCode).toBe(0);
      // … running only what was left: nothing done by the first apply runs again, every step ran exactly once
      expect(second.created.filter((r) => first.created.includes(r))).toEqual([]);
      expect(new Set(first.created).size).toBe(first.created.length);
      expect(new Set(second.created).size).toBe(second.created.length);
      expect(new Set([...first.created, ...second.created])).toEqual(resources(plan.steps.map((s) => s.id)));
      for (const id of c.stops) expect(second.created).toContain(stepResourceName(id));
      // AND every verified port presents the planned leaf, over a TLS connection of the test's own
      const served = await servedVersusPlan(bench, plan);
      expect(served.length).toBe(7);
      for (const s of served) expect(s.served, s.id).toBe(s.expected);
    } finally {
      await bench.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);

  it('a slow node slows the rollout down but does not fail it', async () => {
    const { bench, work } = await freshBench();
    try {
      const plan = bench.plan('lab');
      const stateDir = bench.twin.ready.stateDir;
      // GIVEN a publisher that answers every CLI command and HTTP request late
      writeNodeFaults(stateDir, PUB, { slowMillis: 250 });

      // WHEN terraform applies the stack
      const result = await applyStack(bench);

      // THEN every step ran and succeeded, the publisher stayed slow throughout …
      expect(result.failed).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(new Set(result.created)).toEqual(resources(plan.steps.map((s) => s.id)));
      expect(readNodeFaults(stateDir, PUB).slowMillis).toBe(250);
      // … and every verified port presents the planned leaf
      const served = await servedVersusPlan(bench, plan);
      expect(served.length).toBe(7);
      for (const s of served) expect(s.served, s.id).toBe(s.expected);
    } finally {
      await bench.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
