/**
 * The maintenance window (issue 12): the availability rules the schedule keeps, each pinned on
 * plan.json's graph (what Terraform's depends_on carries), and the window on a 1+5 CUCM,
 * 1+1 IM&P cluster with 8 purposes within 1.1× of the lower bound of the safety rules.
 *
 * The checks read only plan.json: `ordered(a, b)` is true when one step is a transitive
 * dependency of the other, so no execution of the graph, whatever the real durations, runs
 * both at once. A set of steps that are pairwise unordered can all run at once.
 */
import { describe, expect, it } from 'vitest';
import { ClusterDecl, TimingDecl } from '../../lib/model';
import { ClusterPlan } from '../../lib/platforms';
import { SVC, node, planOf, scenario } from './helpers';

// ---- the cluster of the issue: 1+5 CUCM, 1+1 IM&P, 8 purposes --------------------------

const D = 'example.com';
const CUCM = ['cucm-pub', 'cucm-sub1', 'cucm-sub2', 'cucm-sub3', 'cucm-sub4', 'cucm-sub5'].map((h) => `${h}.${D}`);
const IMP = [`imp-pub.${D}`, `imp-sub1.${D}`];

/** The issue's fixed timing model of restarts; every other step takes no time. */
const ISSUE_RESTARTS: Record<string, number> = {
  [SVC.TOMCAT]: 420,
  [SVC.CALLMANAGER]: 240,
  [SVC.XCP_ROUTER]: 240,
  [SVC.TFTP]: 90,
  [SVC.CTIMANAGER]: 90,
};
const OTHER_RESTART = 60;
const ISSUE_TIMING: TimingDecl = {
  restartSeconds: ISSUE_RESTARTS,
  stepSeconds: { preflight: 0, 'upload-trust': 0, 'upload-identity': 0, verify: 0, cleanup: 0 },
  manualSeconds: 0,
};

function issueCluster(extra: Partial<ClusterDecl> = {}): ClusterPlan {
  const nodes = [
    node(CUCM[0], 'publisher', [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER, SVC.CAPF, SVC.DRF_MASTER]),
    ...CUCM.slice(1).map((f) => node(f, 'subscriber', [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER])),
    node(IMP[0], 'imp-database-publisher', [SVC.SIP_PROXY, SVC.PRESENCE_ENGINE, SVC.XCP_CM, SVC.XCP_ROUTER, SVC.XCP_FEDERATION]),
    node(IMP[1], 'imp-subscriber', [SVC.SIP_PROXY, SVC.PRESENCE_ENGINE, SVC.XCP_CM, SVC.XCP_ROUTER]),
  ];
  const s = scenario({
    nodes,
    cleanupDelaySeconds: 0,
    certs: [
      { purpose: 'tomcat' },
      { purpose: 'tomcat-ECDSA' },
      { purpose: 'CallManager' },
      { purpose: 'CallManager-ECDSA' },
      { purpose: 'cup', distribution: 'single-server', node: IMP[0] },
      { purpose: 'cup-xmpp' },
      { purpose: 'cup-xmpp-ECDSA' },
      { purpose: 'cup-xmpp-s2s' },
    ],
  });
  const [c, ...rest] = s.decls.clusters;
  return planOf({ ...s, decls: { ...s.decls, clusters: [{ ...c, timing: ISSUE_TIMING, ...extra }, ...rest] } });
}

const TWO_GROUPS = { callManagerGroups: [{ name: 'G1', members: CUCM.slice(0, 3) }, { name: 'G2', members: CUCM.slice(3) }] };
const PAIR = { impSubclusters: [{ name: 'S1', members: IMP }] };

// ---- graph checks on plan.json, independent of the planner ---------------------------------

type Step = ClusterPlan['steps'][number];

function closure(p: { steps: readonly Step[] }): (a: string, b: string) => boolean {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const ancestors = new Map<string, Set<string>>();
  const of = (id: string): Set<string> => {
    let set = ancestors.get(id);
    if (set) return set;
    set = new Set<string>();
    for (const d of byId.get(id)!.dependsOn) {
      set.add(d);
      for (const x of of(d)) set.add(x);
    }
    ancestors.set(id, set);
    return set;
  };
  return (a, b) => of(a).has(b) || of(b).has(a);
}

const restarts = (p: { steps: readonly Step[] }, pred: (s: Step & { service: string }) => boolean) =>
  p.steps.filter((s): s is Step & { kind: 'restart-service'; service: string } => s.kind === 'restart-service').filter(pred);

/** Every pair of these steps is ordered: they run one at a time. */
function oneAtATime(p: { steps: readonly Step[] }, ids: readonly string[]): string[] {
  const ordered = closure(p);
  const bad: string[] = [];
  for (const a of ids) for (const b of ids) if (a < b && !ordered(a, b)) bad.push(`${a} || ${b}`);
  return bad;
}

/** Not every one of these steps can run at once: some pair is ordered (else all can overlap). */
function neverAllAtOnce(p: { steps: readonly Step[] }, ids: readonly string[]): boolean {
  const ordered = closure(p);
  return ids.some((a) => ids.some((b) => a < b && ordered(a, b)));
}

/** The longest chain of plan.json's graph, each step taking `seconds`. */
function criticalPath(p: ClusterPlan, seconds: (s: Step) => number): number {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const end = new Map<string, number>();
  const visit = (id: string): number => {
    const known = end.get(id);
    if (known !== undefined) return known;
    const s = byId.get(id)!;
    const e = Math.max(0, ...s.dependsOn.map(visit)) + seconds(s);
    end.set(id, e);
    return e;
  };
  return Math.max(...p.steps.map((s) => visit(s.id)));
}

const issueSeconds = (s: Step) => (s.kind === 'restart-service' ? (ISSUE_RESTARTS[s.service] ?? OTHER_RESTART) : 0);

// ---- the rules ---------------------------------------------------------------------------

describe('availability rules on plan.json', () => {
  const plans = {
    'no groups': issueCluster(),
    'two CallManager groups and an IM&P pair': issueCluster({ ...TWO_GROUPS, ...PAIR }),
  };

  it.each(Object.entries(plans))('%s: one service at a time per node', (_, p) => {
    // GIVEN the 8-purpose cluster WHEN planned THEN every node's restarts are totally ordered
    for (const fqdn of [...CUCM, ...IMP]) expect(oneAtATime(p, restarts(p, (s) => s.node === fqdn).map((s) => s.id)), fqdn).toEqual([]);
  });

  it.each(Object.entries(plans))('%s: Cisco Tomcat on one node at a time, the publisher first', (_, p) => {
    const tomcat = restarts(p, (s) => s.service === SVC.TOMCAT);
    expect(tomcat).toHaveLength(8);
    expect(oneAtATime(p, tomcat.map((s) => s.id))).toEqual([]);
    // AND the publisher's comes before every other
    const pub = tomcat.find((s) => s.node === CUCM[0])!;
    const ordered = closure(p);
    for (const t of tomcat.filter((s) => s !== pub)) expect(ordered(t.id, pub.id) && p.schedule!.steps[t.id].start >= p.schedule!.steps[pub.id].end, t.id).toBe(true);
  });

  it.each(Object.entries(plans))('%s: never every TFTP, CTIManager or TVS node at once', (_, p) => {
    for (const service of [SVC.TFTP, SVC.CTIMANAGER, SVC.TVS]) {
      expect(neverAllAtOnce(p, restarts(p, (s) => s.service === service).map((s) => s.id)), service).toBe(true);
    }
  });

  it('without CallManager groups: call processing one node at a time (the conservative order)', () => {
    const p = plans['no groups'];
    const cm = restarts(p, (s) => s.service === SVC.CALLMANAGER);
    expect(cm).toHaveLength(6);
    expect(oneAtATime(p, cm.map((s) => s.id))).toEqual([]);
  });

  it('with CallManager groups: never every member of a group restarts Cisco CallManager at once, and groups restart in parallel', () => {
    // GIVEN groups G1 = pub, sub1, sub2 and G2 = sub3, sub4, sub5
    const p = plans['two CallManager groups and an IM&P pair'];
    const cmOf = (members: string[]) => restarts(p, (s) => s.service === SVC.CALLMANAGER && members.includes(s.node)).map((s) => s.id);
    // THEN within each group some pair is ordered (not all three can be down at once)
    for (const g of TWO_GROUPS.callManagerGroups) expect(neverAllAtOnce(p, cmOf(g.members as string[])), g.name).toBe(true);
    // AND by the estimate, at no instant are all members of a group restarting CallManager
    for (const g of TWO_GROUPS.callManagerGroups) {
      const times = cmOf(g.members as string[]).map((id) => p.schedule!.steps[id]);
      const latestStart = Math.max(...times.map((t) => t.start));
      const earliestEnd = Math.min(...times.map((t) => t.end));
      expect(latestStart >= earliestEnd, `${g.name} all down at once`).toBe(true);
    }
    // AND the groups' restarts are not one node at a time any more: two CallManager restarts overlap
    const all = restarts(p, (s) => s.service === SVC.CALLMANAGER).map((s) => p.schedule!.steps[s.id]);
    const overlap = all.some((a, i) => all.some((b, j) => i < j && a.start < b.end && b.start < a.end));
    expect(overlap).toBe(true);
  });

  it('with an IM&P subcluster: never both nodes of the pair restarting at once', () => {
    const p = plans['two CallManager groups and an IM&P pair'];
    const pair = restarts(p, (s) => IMP.includes(s.node)).map((s) => s.id);
    expect(oneAtATime(p, pair)).toEqual([]);
  });

  it('without the subcluster, the two IM&P nodes may restart side by side (publisher first within a purpose)', () => {
    const p = plans['no groups'];
    expect(oneAtATime(p, restarts(p, (s) => IMP.includes(s.node)).map((s) => s.id))).not.toEqual([]);
  });

  it('the checks fail a plan that restarts a whole CallManager group, or both nodes of an IM&P pair, at once', () => {
    // GIVEN a plan.json where the CallManager restarts of a group's two members, and the XCP Router
    // restarts of an IM&P pair, depend only on the upload
    const restart = (id: string, n: string, service: string) =>
      ({ id, kind: 'restart-service', node: n, service, dependsOn: ['upload'] }) as unknown as Step;
    const bad = {
      steps: [
        { id: 'upload', kind: 'upload-identity', node: CUCM[0], dependsOn: [] } as unknown as Step,
        restart('cm/a', CUCM[1], SVC.CALLMANAGER),
        restart('cm/b', CUCM[2], SVC.CALLMANAGER),
        restart('xcp/a', IMP[0], SVC.XCP_ROUTER),
        restart('xcp/b', IMP[1], SVC.XCP_ROUTER),
      ],
    };
    // THEN both rules fail
    expect(neverAllAtOnce(bad, ['cm/a', 'cm/b'])).toBe(false);
    expect(oneAtATime(bad, ['xcp/a', 'xcp/b'])).toEqual(['xcp/a || xcp/b']);
  });

  it('refuses groups and subclusters that cannot be right', () => {
    expect(() => issueCluster({ callManagerGroups: [{ name: 'G1', members: [CUCM[1]] }] })).toThrow(/one member: phones of a group need a second member/);
    expect(() => issueCluster({ callManagerGroups: [{ name: 'G1', members: [CUCM[1], IMP[0]] }] })).toThrow(/is an IM and Presence node/);
    expect(() => issueCluster({ callManagerGroups: [{ name: 'G1', members: [CUCM[1], 'nope.example.com'] }] })).toThrow(/is not a node of the cluster/);
    expect(() => issueCluster({ impSubclusters: [{ name: 'S1', members: [IMP[0], CUCM[1]] }] })).toThrow(/is a CUCM node/);
    expect(() => issueCluster({ impSubclusters: [{ name: 'S1', members: [IMP[0]] }, { name: 'S2', members: [IMP[0], IMP[1]] }] })).toThrow(/already in subcluster 'S1'/);
  });
});

// ---- the window against the bound ------------------------------------------------------------

describe('the window on the 1+5 CUCM, 1+1 IM&P cluster with 8 purposes (issue 12)', () => {
  /**
   * The lower bound of the safety rules, from the restarts plan.json holds: every Cisco Tomcat
   * restart one node at a time after the Intercluster Sync Agent restart that every identity
   * upload (so every purpose restart) waits for; and each node's own restarts one at a time.
   */
  function bound(p: ClusterPlan): number {
    const all = restarts(p, () => true);
    const isa = all.filter((s) => s.service === 'Cisco Intercluster Sync Agent');
    expect(isa).toHaveLength(1);
    const first = issueSeconds(isa[0]);
    const tomcat = all.filter((s) => s.service === SVC.TOMCAT).reduce((sum, s) => sum + issueSeconds(s), 0);
    const perNode = [...CUCM, ...IMP].map((n) => all.filter((s) => s.node === n).reduce((sum, s) => sum + issueSeconds(s), 0) + (n === isa[0].node ? 0 : first));
    return Math.max(first + tomcat, ...perNode);
  }

  it.each([
    ['without CallManager groups', {}],
    ['with two CallManager groups', TWO_GROUPS],
    ['with two CallManager groups and an IM&P pair', { ...TWO_GROUPS, ...PAIR }],
  ])('%s: the critical path of plan.json is within 1.1× of the bound', (_, extra) => {
    // GIVEN the issue's timing model WHEN planned
    const p = issueCluster(extra);
    const cp = criticalPath(p, issueSeconds);
    // THEN the bound is the issue's 57 minutes, and the critical path at most 1.1× of it
    expect(bound(p)).toBe(57 * 60);
    expect(cp).toBeLessThanOrEqual(1.1 * bound(p));
    // AND the plan's own estimate is that critical path (same timing model, declared as the cluster's timing)
    expect(p.schedule!.estimatedSeconds).toBe(cp);
    // AND far below the runbook done step by step (every restart one after the other)
    const runbook = restarts(p, () => true).reduce((sum, s) => sum + issueSeconds(s), 0);
    expect(cp).toBeLessThan(0.5 * runbook);
  });
});
