/**
 * The rehearsal's window estimate on the scaled timing model (lib/rehearsal/window.ts): the plan's
 * own schedule computation over dependsOn, restarts at the twin's scaled time, everything else 0 s,
 * each step plus the executor's overhead; hand-computed on a four-step plan.
 */
import { describe, expect, it } from 'vitest';
import { makespanOf } from '../../lib/plan';
import { RolloutPlan } from '../../lib/platforms';
import { twinTiming } from '../../lib/simulator';
import { ApplyClock, estimateRehearsalWindow, measureWindow, windowLine } from '../../lib/rehearsal/window';
import { PUB, SUB, labDeclarations } from '../simulator/fixtures';

const step = (id: string, kind: string, node: string, dependsOn: string[], extra: Record<string, unknown> = {}) => ({ id, kind, node, dependsOn, ...extra });

// window → Tomcat on the publisher (420 s) → Tomcat on the subscriber (420 s); a verify beside the second.
const PLAN = {
  platform: 'cucm',
  steps: [
    step('manual/maintenance-window', 'manual', PUB, []),
    step('tomcat/restart/pub', 'restart-service', PUB, ['manual/maintenance-window'], { service: 'Cisco Tomcat' }),
    step('tomcat/restart/sub', 'restart-service', SUB, ['tomcat/restart/pub'], { service: 'Cisco Tomcat' }),
    step('tomcat/verify/pub', 'verify', PUB, ['tomcat/restart/pub']),
  ],
  schedule: { estimatedSeconds: 300 + 420 + 420, peakParallelism: 2 },
} as unknown as RolloutPlan;

describe('the rehearsal window estimate', () => {
  const timing = twinTiming(labDeclarations(), 0.01);

  it('is the critical path of restarts × scale plus the overhead of each step on it', () => {
    // WHEN
    const e = estimateRehearsalWindow(PLAN, timing, 0.5);
    // THEN manual 0.5 + Tomcat 4.2 + 0.5 + Tomcat 4.2 + 0.5
    expect(e.scaledSeconds).toBeCloseTo(9.9);
    expect(e.plannedSeconds).toBe(1140);
    expect(e.parallelism).toBe(10);
    expect(e.assumed).toContain('restarts = timing model × 0.01');
    expect(e.assumed).toContain('+ 0.5 s executor overhead per step');
  });

  it('counts the steps an apply does not run as done (0 s)', () => {
    const e = estimateRehearsalWindow(PLAN, timing, 0.5, new Set(['tomcat/restart/sub']));
    expect(e.scaledSeconds).toBeCloseTo(4.7);
    expect(e.steps).toBe(1);
  });

  it('is the same computation as the plan schedule (makespanOf)', () => {
    const m = makespanOf<RolloutPlan['steps'][number]>(PLAN.steps, (s) => (s.kind === 'restart-service' ? 2 : 1));
    expect(m.seconds).toBe(5);
    expect(m.peakParallelism).toBe(2);
    expect(m.times.get('tomcat/verify/pub')).toEqual({ start: 3, end: 4 });
  });

  it('measures an apply from its first step start to its last step end, and prints both', () => {
    // GIVEN a clock fed Terraform events at 1 s, 3 s, 12 s (the reconcile resource not counted)
    const times = [1000, 3000, 12000, 20000];
    const clock = new ApplyClock(() => times.shift()!);
    clock.onEvent({ type: 'start', resource: 'manual__maintenance-window' });
    clock.onEvent({ type: 'start', resource: 'tomcat__restart__pub' });
    clock.onEvent({ type: 'done', resource: 'tomcat__restart__pub' });
    clock.onEvent({ type: 'done', resource: 'ucrollout_reconcile' });
    // THEN
    expect(clock.seconds).toBe(11);
    const line = windowLine(measureWindow('lab', estimateRehearsalWindow(PLAN, timing, 0.5), clock.seconds));
    expect(line).toBe('the whole change: estimated about 19 min (scaled: 9.9 s), measured 11.0 s (+11.1%)');
  });
});
