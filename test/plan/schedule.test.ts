/**
 * The timing model, the schedule of a plan and the scheduler (issue 12), on graphs small enough
 * to compute by hand.
 */
import { describe, expect, it } from 'vitest';
import { SVC, PUB, SUB, node, planOf, scenario } from './helpers';
import { TimingModel, listSchedule, scheduleOf } from '../../lib/plan';
import { CUCM_TIMING_DEFAULTS, cucmStepSeconds } from '../../lib/platforms/cucm/timing';
import { ClusterDecl } from '../../lib/model';

describe('the timing model', () => {
  const model = new TimingModel(CUCM_TIMING_DEFAULTS);

  it('has the issue defaults: Tomcat 7 min, CallManager and XCP Router 4 min, TFTP and CTIManager 1.5 min, others 1 min', () => {
    expect(model.restartSeconds(SVC.TOMCAT)).toBe(420);
    expect(model.restartSeconds(SVC.CALLMANAGER)).toBe(240);
    expect(model.restartSeconds(SVC.XCP_ROUTER)).toBe(240);
    expect(model.restartSeconds(SVC.TFTP)).toBe(90);
    expect(model.restartSeconds(SVC.CTIMANAGER)).toBe(90);
    expect(model.restartSeconds(SVC.DRF_LOCAL)).toBe(60);
    expect(model.stepSeconds({ id: 'manual/x', kind: 'manual' })).toBe(300);
  });

  it('takes the node over the cluster over the defaults, key by key; a step id over its kind', () => {
    // GIVEN a cluster that sets Tomcat and manual steps, and a node that sets Tomcat and a factor
    const cluster = { restartSeconds: { [SVC.TOMCAT]: 600, [SVC.TFTP]: 100 }, manualSeconds: 60, stepSeconds: { verify: 1, 'tomcat/manual/drf-backup': 1800 } };
    const onNode = model.with(cluster).with({ restartSeconds: { [SVC.TOMCAT]: 500 }, restartFactor: 1.5 });
    // THEN the node's Tomcat, times its factor; the cluster's TFTP, times the node's factor; the cluster's manual and ids
    expect(onNode.restartSeconds(SVC.TOMCAT)).toBe(750);
    expect(onNode.restartSeconds(SVC.TFTP)).toBe(150);
    expect(onNode.restartSeconds(SVC.CALLMANAGER)).toBe(360);
    expect(onNode.stepSeconds({ id: 'manual/sso-enable', kind: 'manual' })).toBe(60);
    expect(onNode.stepSeconds({ id: 'tomcat/manual/drf-backup', kind: 'manual' })).toBe(1800);
    expect(onNode.stepSeconds({ id: 'tomcat/verify/x/https', kind: 'verify' })).toBe(1);
    // AND the cluster alone keeps the default factor 1
    expect(model.with(cluster).restartSeconds(SVC.TOMCAT)).toBe(600);
  });

  it('counts the clean-up wait in the clean-up step', () => {
    const seconds = cucmStepSeconds({ name: 'x', nodes: [], timing: undefined } as unknown as ClusterDecl);
    expect(seconds({ id: 'tomcat/cleanup/a', kind: 'cleanup', node: 'a.example.com', waitSeconds: 1800 })).toBe(1860);
  });
});

describe('the schedule of a plan', () => {
  it('starts every step when its dependencies end; phases, critical path and peak follow', () => {
    // GIVEN a: 10 s, b and c after a (20 s, 5 s), d after b and c (1 s, after the window)
    const steps = [
      { id: 'a', dependsOn: [], s: 10, phase: 'before' as const },
      { id: 'b', dependsOn: ['a'], s: 20, phase: 'in' as const },
      { id: 'c', dependsOn: ['a'], s: 5, phase: 'in' as const },
      { id: 'd', dependsOn: ['b', 'c'], s: 1, phase: 'after' as const },
    ];
    const s = scheduleOf(steps, (x) => x.s, (x) => x.phase);
    expect(s.steps).toEqual({ a: { start: 0, end: 10 }, b: { start: 10, end: 30 }, c: { start: 10, end: 15 }, d: { start: 30, end: 31 } });
    expect(s.estimatedSeconds).toBe(31);
    expect(s.phases).toEqual({ beforeWindow: 10, inWindow: 20, afterWindow: 1 });
    // AND the chain of the window is its steps in the window: a, before it, sets when it starts, not how long it is
    expect(s.criticalPath).toEqual(['b']);
    expect(s.peakParallelism).toBe(2);
  });

  it('estimates a small cluster as computed by hand', () => {
    // GIVEN a 1+1 CUCM cluster, a tomcat certificate, a 600 s clean-up delay, declared durations,
    // and a subscriber that restarts twice as slowly
    const s = scenario({
      imp: false,
      nodes: [node(PUB, 'publisher', [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER, SVC.CAPF, SVC.DRF_MASTER]), node(SUB, 'subscriber', [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER])],
      cleanupDelaySeconds: 600,
      certs: [{ purpose: 'tomcat' }],
    });
    const c = s.decls.clusters[0];
    const timing = {
      stepSeconds: { preflight: 10, 'upload-trust': 20, 'upload-identity': 30, verify: 5, cleanup: 7 },
      manualSeconds: 100,
      restartSeconds: { [SVC.TOMCAT]: 100, [SVC.UDS_TOMCAT]: 10, [SVC.AXL_TOMCAT]: 10, [SVC.DRF_MASTER]: 10, [SVC.DRF_LOCAL]: 10 },
    };
    const nodes = c.nodes.map((n) => (n.fqdn === SUB ? { ...n, timing: { restartFactor: 2 } } : n));
    const p = planOf({ ...s, decls: { ...s.decls, clusters: [{ ...c, timing, nodes }] } });
    // WHEN scheduled
    const at = (id: string) => p.schedule!.steps[id];
    // THEN preflights 0–10, root 10–30, intermediate 30–50, the leaf 50–80
    expect(at('preflight/cs-ccm-sub')).toEqual({ start: 0, end: 10 });
    expect(at('trust/tomcat-trust/corp-intermediate-1')).toEqual({ start: 30, end: 50 });
    expect(at('tomcat/identity/cs-ccm-pub')).toEqual({ start: 50, end: 80 });
    // AND the publisher's Tomcat 80–180, UDS, AXL, DRF Master, DRF Local 10 s each to 220
    expect(at('tomcat/restart/cs-ccm-pub/cisco-tomcat')).toEqual({ start: 80, end: 180 });
    expect(at('tomcat/restart/cs-ccm-pub/cisco-drf-local')).toEqual({ start: 210, end: 220 });
    // AND the subscriber after the publisher, at twice the durations: Tomcat 220–420, then 3 × 20 s to 480
    expect(at('tomcat/restart/cs-ccm-sub/cisco-tomcat')).toEqual({ start: 220, end: 420 });
    expect(at('tomcat/restart/cs-ccm-sub/cisco-drf-local')).toEqual({ start: 460, end: 480 });
    // AND the DRF backup 480–580 closes the window; the clean-up waits 600 s and takes 7: 480–1087
    expect(at('tomcat/manual/drf-backup')).toEqual({ start: 480, end: 580 });
    expect(at('tomcat/cleanup/cs-ccm-sub')).toEqual({ start: 480, end: 1087 });
    expect(p.schedule!.estimatedSeconds).toBe(1087);
    expect(p.schedule!.phases).toEqual({ beforeWindow: 10, inWindow: 570, afterWindow: 507 });
    expect(p.schedule!.criticalPath.at(-1)).toBe('tomcat/manual/drf-backup');
  });
});

describe('the scheduler', () => {
  /** Most tasks of `ids` that can run at once in the graph: the largest set with no path between any two. */
  function width(deps: Map<string, string[]>, ids: string[]): number {
    const reach = (a: string, b: string): boolean => (deps.get(a) ?? []).some((d) => d === b || reach(d, b));
    let best = 0;
    for (let mask = 1; mask < 1 << ids.length; mask++) {
      const set = ids.filter((_, i) => mask & (1 << i));
      if (set.every((a) => set.every((b) => a === b || (!reach(a, b) && !reach(b, a))))) best = Math.max(best, set.length);
    }
    return best;
  }

  it('keeps at most the capacity of a resource running, whatever the real durations, with one edge per lane', () => {
    // GIVEN five independent 60 s tasks on a resource of capacity 2, and one free task
    const tasks = [...['t1', 't2', 't3', 't4', 't5'].map((id) => ({ id, dependsOn: [], seconds: 60, resources: ['r'] })), { id: 'free', dependsOn: [], seconds: 60, resources: [] }];
    const result = listSchedule(tasks, new Map([['r', 2]]));
    // THEN three ordering edges (two lanes of the five), and the graph never lets three run at once
    expect(result.edges).toHaveLength(3);
    const deps = new Map(tasks.map((t) => [t.id, result.edges.filter((e) => e.step === t.id).map((e) => e.after)]));
    expect(width(deps, ['t1', 't2', 't3', 't4', 't5'])).toBe(2);
    // AND the window is three rounds of 60 s; the free task is never ordered
    expect(result.makespan).toBe(180);
    expect(result.edges.some((e) => e.step === 'free' || e.after === 'free')).toBe(false);
  });

  it('puts the longest remaining chain first on a shared resource', () => {
    // GIVEN a and b on one node (capacity 1); after a comes a 100 s chain, after b nothing
    const tasks = [
      { id: 'a', dependsOn: [], seconds: 10, resources: ['node'] },
      { id: 'b', dependsOn: [], seconds: 10, resources: ['node'] },
      { id: 'a-next', dependsOn: ['a'], seconds: 100, resources: [] },
    ];
    const result = listSchedule(tasks, new Map());
    // THEN a goes first (b waits for it), and the whole takes 110 s, not 120
    expect(result.edges).toEqual([{ step: 'b', after: 'a' }]);
    expect(result.makespan).toBe(110);
  });

  it('adds no edge the graph already implies, and the same input gives the same edges', () => {
    const tasks = [
      { id: 'a', dependsOn: [], seconds: 10, resources: ['node'] },
      { id: 'b', dependsOn: ['a'], seconds: 10, resources: ['node'] },
      { id: 'c', dependsOn: [], seconds: 10, resources: ['node'] },
    ];
    const first = listSchedule(tasks, new Map());
    expect(first.edges.some((e) => e.step === 'b' && e.after === 'a')).toBe(false);
    expect(listSchedule([...tasks].reverse(), new Map()).edges).toEqual(first.edges);
  });
});
