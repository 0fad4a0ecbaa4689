/**
 * `npm run bench window`: the maintenance window the planner schedules (issue 12), for the
 * example clusters and a 1+5 CUCM, 2 IM&P cluster with two CallManager groups (examples/large.yaml
 * with groups declared), against
 * - the lower bound of the safety rules, under the issue's timing model of restarts (every other
 *   step takes no time), from the restarts plan.json holds: after the restart every purpose restart
 *   waits for (the Intercluster Sync Agent's), every Cisco Tomcat restart one node at a time, the
 *   publisher's tomcat row before any other node's, each node's restarts one at a time, and without
 *   CallManager groups call processing one node at a time. The issue's simpler bound (Tomcat one at
 *   a time, one restart at a time per node: 57 min on its cluster) is shown beside it. The window
 *   is plan.json's critical path under the same model (target ≤ 1.1× the bound);
 * - the runbook done step by step: every duration one after the other;
 * and, under the default timing model, the estimate PLAN.md shows (window and whole change)
 * against that runbook. A Meeting Server plan has no restarts to schedule: its window is its
 * graph's critical path, the bound the longest of that and each server's MMP lane.
 */
import { join } from 'node:path';
import { loadInventory } from '../lib/inventory';
import { ClusterDecl, Declarations, TimingDecl } from '../lib/model';
import { RolloutPlan, declaredClusters, prepareRolloutPlan } from '../lib/platforms';
import { ROOT, median } from './util';

const ISSUE_RESTARTS: Record<string, number> = {
  'Cisco Tomcat': 420,
  'Cisco CallManager': 240,
  'Cisco XCP Router': 240,
  'Cisco TFTP': 90,
  'Cisco CTIManager': 90,
};
const ISSUE_TIMING: TimingDecl = {
  restartSeconds: ISSUE_RESTARTS,
  stepSeconds: { preflight: 0, 'upload-trust': 0, 'upload-identity': 0, verify: 0, cleanup: 0 },
  manualSeconds: 0,
};
const ISA = 'Cisco Intercluster Sync Agent';

type Step = RolloutPlan['steps'][number];
const minutes = (s: number) => Math.round((s / 60) * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

interface Case {
  readonly name: string;
  readonly example: string;
  readonly change?: (c: ClusterDecl) => ClusterDecl;
}

const LARGE_GROUPS = (c: ClusterDecl): ClusterDecl => ({
  ...c,
  callManagerGroups: [
    { name: 'G1', members: ['cucm-pub.corp.example.com', 'cucm-sub1.corp.example.com', 'cucm-sub2.corp.example.com'] },
    { name: 'G2', members: ['cucm-sub3.corp.example.com', 'cucm-sub4.corp.example.com'] },
  ],
});

const CASES: readonly Case[] = [
  { name: 'lab (examples/lab.yaml)', example: 'lab' },
  { name: 'large (examples/large.yaml, no CallManager groups)', example: 'large' },
  { name: '1+5 CUCM, 2 IM&P, two CallManager groups (large.yaml + groups)', example: 'large', change: LARGE_GROUPS },
  {
    name: '1+5 CUCM, 2 IM&P, two CallManager groups and an IM&P subcluster',
    example: 'large',
    change: (c) => ({ ...LARGE_GROUPS(c), impSubclusters: [{ name: 'S1', members: ['imp-pub.corp.example.com', 'imp-sub1.corp.example.com'] }] }),
  },
  { name: 'meet (examples/cms.yaml)', example: 'cms' },
];

function planCase(c: Case, timing?: TimingDecl): { plan: RolloutPlan; ms: number } {
  const { declarations, baseDir } = loadInventory(join(ROOT, 'examples', `${c.example}.yaml`));
  const cluster = declaredClusters(declarations)[0].name;
  const decls: Declarations = {
    ...declarations,
    clusters: declarations.clusters.map((x) => {
      const changed = c.change ? c.change(x) : x;
      return timing ? { ...changed, timing } : changed;
    }),
  };
  const t0 = performance.now();
  const plan = prepareRolloutPlan(decls, cluster, { baseDir, planDir: baseDir }).plan;
  return { plan, ms: performance.now() - t0 };
}

/** Longest chain of plan.json's graph, each step taking `seconds`. */
function criticalPath(plan: RolloutPlan, seconds: (s: Step) => number): number {
  const byId = new Map<string, Step>(plan.steps.map((s) => [s.id, s]));
  const end = new Map<string, number>();
  const visit = (id: string): number => {
    const known = end.get(id);
    if (known !== undefined) return known;
    const s = byId.get(id)!;
    const e = Math.max(0, ...s.dependsOn.map(visit)) + seconds(s);
    end.set(id, e);
    return e;
  };
  return Math.max(0, ...plan.steps.map((s) => visit(s.id)));
}

/**
 * Under the issue's timing model: plan.json's critical path (the window), the bound of the safety
 * rules, the issue's own simpler bound (Tomcat one at a time, one restart at a time per node), the runbook.
 */
function issueFigures(plan: RolloutPlan): Record<string, number> | undefined {
  const restarts = plan.steps.filter((s): s is Step & { service: string } => s.kind === 'restart-service');
  if (restarts.length === 0) return undefined;
  const seconds = (s: Step) => (s.kind === 'restart-service' ? (ISSUE_RESTARTS[(s as { service: string }).service] ?? 60) : 0);
  const sum = (list: readonly Step[]) => list.reduce((a, s) => a + seconds(s), 0);
  const pub = plan.cluster.nodes[0].fqdn;
  const isa = restarts.filter((s) => s.service === ISA);
  // The Intercluster Sync Agent restart comes before every identity upload, so before every purpose restart.
  const head = sum(isa);
  const nodes = [...new Set(restarts.map((s) => s.node))];
  const on = (n: string, pred: (s: Step & { service: string }) => boolean) => restarts.filter((s) => s.node === n && pred(s));
  const tomcat = (n: string) => sum(on(n, (s) => s.service === 'Cisco Tomcat'));
  const tomcatFamily = (n: string) => sum(on(n, (s) => s.id.startsWith('tomcat/')));
  const callProcessing = (n: string) => sum(on(n, (s) => /^(CallManager|CAPF|TVS|CallManager-trust)\//.test(s.id)));
  const others = nodes.filter((n) => n !== pub);
  const tomcatNodes = others.filter((n) => tomcat(n) > 0);
  // After the last Cisco Tomcat restart its node still restarts the rest of its tomcat row.
  const tailAfterTomcat = tomcatNodes.length > 0 ? Math.min(...tomcatNodes.map((n) => tomcatFamily(n) - tomcat(n))) : 0;
  const restOfTomcat = tomcatNodes.reduce((a, n) => a + tomcat(n), 0) + tailAfterTomcat;
  const grouped = (plan.cluster as { callManagerGroups?: unknown[] }).callManagerGroups !== undefined;
  const restOfCallProcessing = others.length === 0 ? 0 : grouped ? Math.max(...others.map(callProcessing)) : others.reduce((a, n) => a + callProcessing(n), 0);
  const issueBound = Math.max(head + nodes.reduce((a, n) => a + tomcat(n), 0), ...nodes.map((n) => sum(on(n, () => true)) + (isa.some((s) => s.node === n) ? 0 : head)));
  const bound = Math.max(
    issueBound,
    // Publisher first: every other node's tomcat row after the publisher's whole row; then one Tomcat at a time.
    head + tomcatFamily(pub) + restOfTomcat,
    // Call processing one node at a time (no CallManager groups): the whole chain.
    grouped ? 0 : head + nodes.reduce((a, n) => a + callProcessing(n), 0),
    // The publisher does both of its rows first, one restart at a time; the chain it lets go last still has its rest to run.
    head + tomcatFamily(pub) + callProcessing(pub) + Math.min(restOfTomcat, restOfCallProcessing),
  );
  const window = criticalPath(plan, seconds);
  const runbook = sum(restarts);
  return {
    windowMin: minutes(window),
    boundMin: minutes(bound),
    windowOverBound: ratio(window, bound),
    issueBoundMin: minutes(issueBound),
    windowOverIssueBound: ratio(window, issueBound),
    runbookMin: minutes(runbook),
    windowOverRunbook: ratio(window, runbook),
  };
}

function defaultFigures(plan: RolloutPlan): Record<string, number> {
  const s = plan.schedule!;
  const durations = plan.steps.map((x) => s.steps[x.id].end - s.steps[x.id].start);
  const runbook = durations.reduce((a, b) => a + b, 0);
  const lanes = new Map<string, number>();
  for (const x of plan.steps) if (x.kind === 'mmp' || x.kind === 'restart-service') lanes.set(x.node, (lanes.get(x.node) ?? 0) + s.steps[x.id].end - s.steps[x.id].start);
  const bound = Math.max(criticalPath(plan, (x) => s.steps[x.id].end - s.steps[x.id].start), ...lanes.values());
  return {
    windowMin: minutes(s.phases.inWindow),
    wholeChangeMin: minutes(s.estimatedSeconds),
    runbookMin: minutes(runbook),
    wholeOverRunbook: ratio(s.estimatedSeconds, runbook),
    ...(plan.platform === 'cms' ? { boundMin: minutes(bound), wholeOverBound: ratio(s.estimatedSeconds, bound) } : {}),
    peakParallelism: s.peakParallelism,
  };
}

export async function benchWindow(): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const times: number[] = [];
    let plan: RolloutPlan | undefined;
    for (let i = 0; i < 3; i++) {
      const r = planCase(c);
      times.push(r.ms);
      plan = r.plan;
    }
    const issue = issueFigures(planCase(c, ISSUE_TIMING).plan);
    rows.push({
      cluster: c.name,
      steps: plan!.steps.length,
      ...(issue ? { issueTimingModel: issue } : {}),
      defaultTimingModel: defaultFigures(plan!),
      planMs: Math.round(median(times)),
    });
  }
  const worst = Math.max(...rows.map((r) => ((r.issueTimingModel as Record<string, number> | undefined)?.windowOverBound ?? 0)));
  return { target: 'window ≤ 1.1 × bound', worstWindowOverBound: worst, clusters: rows };
}

if (require.main === module) {
  benchWindow().then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`));
}
