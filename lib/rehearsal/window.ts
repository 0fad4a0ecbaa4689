/**
 * The window of a rehearsal on the scaled timing model (`ucrollout rehearse --time-scale S`,
 * issue 12): the plan's estimate recomputed for what the twin does at that scale, against the
 * makespan Terraform measures (first step's start to last step's end, from its events).
 *
 * The estimate for the rehearsal is the plan's own schedule computation (makespanOf, the same
 * as plan.json's `schedule`) over plan.json's dependsOn, each step taking
 * - a service restart: the twin's scaled restart (the timing model × 1000 × S ms);
 * - a Meeting Server MMP step: its `<service> restart` (and half of it for `<service> enable`);
 * - a manual step, a clean-up's wait and every other step: 0 s (the rehearsal confirms manual
 *   steps, caps the clean-up's wait at 0 s, and the twin answers other calls at once);
 * plus a fixed overhead per step run: Terraform starting the local-exec, `ucrollout step run`
 * starting, its lock and journal, the SSH / HTTPS / TLS connections to the twin and the checks
 * of the node. Default DEFAULT_STEP_OVERHEAD_SECONDS, measured (bench/rehearsal-window.ts, 2 shared
 * cores, compiled CLI): a step run's Terraform start to end less the twin's time has a median of
 * 0.2–0.35 s on a quiet machine and 0.4–0.9 s while other work loads it (the executor bench's
 * already-done step: 0.3–0.6 s); 0.5 s sits between, and a clean-up does more (about 1 s).
 * Not modelled: CPU contention. The overhead is mostly CPU (a Node.js process per step, SSH and
 * TLS handshakes on both ends), so it follows the machine's load; a time scale where the restarts
 * outweigh it (0.05 for the lab) measures the plan rather than the machine. Nor the Meeting
 * Server database's settling waits (`waitSeconds` polling), nor a CLI that runs from the sources
 * (bin/ucrollout falls back to tsx when dist/ is stale: every step run slower).
 */
import { cpus } from 'node:os';
import { aboutDuration, makespanOf } from '../plan';
import { RolloutPlan } from '../platforms';
import type { TwinTiming } from '../simulator';
import { TerraformEvent } from './terraform';
import { RECONCILE_RESOURCE } from '../terraform/stack-json';

/** Seconds one step run costs the executor on top of what the twin does (see the file's comment). */
export const DEFAULT_STEP_OVERHEAD_SECONDS = 0.5;
/** Terraform's default `-parallelism`: a rehearsal never applies with less. */
const MIN_PARALLELISM = 10;

type Step = RolloutPlan['steps'][number];

export interface WindowEstimate {
  /** The plan's own estimate of the whole change (plan.json `schedule.estimatedSeconds`). */
  readonly plannedSeconds: number;
  /** The same graph on the twin's scaled model plus the per-step overhead. */
  readonly scaledSeconds: number;
  /** `-parallelism` for the apply: the plan's and the scaled schedule's peak, at least 10. */
  readonly parallelism: number;
  readonly timeScale: number;
  readonly stepOverheadSeconds: number;
  /** Steps the apply runs (the others are done and take no time). */
  readonly steps: number;
  /** What the scaled estimate assumed, in words. */
  readonly assumed: string;
}

export interface WindowMeasure extends WindowEstimate {
  readonly cluster: string;
  /** First step's start to last step's end of the apply (the reconcile resource not counted). */
  readonly measuredSeconds: number;
  /** (measured − scaled) / scaled, in percent. */
  readonly deviationPercent: number;
}

/** What the twin spends on a step at this scale (without the executor's overhead). */
export function twinStepSeconds(step: Step, timing: TwinTiming): number {
  if (step.kind === 'restart-service') return timing.restartMillis(step.node, step.service) / 1000;
  if (step.kind === 'mmp') {
    let ms = 0;
    for (const c of step.mmp) {
      const [service, verb] = c.command.trim().split(/\s+/);
      if (verb === 'restart') ms += timing.restartMillis(step.node, service);
      else if (verb === 'enable') ms += timing.restartMillis(step.node, service) / 2;
    }
    return ms / 1000;
  }
  return 0;
}

/** The rehearsal's estimate of an apply that runs `toRun` (step ids; default: every step). */
export function estimateRehearsalWindow(
  plan: RolloutPlan,
  timing: TwinTiming,
  stepOverheadSeconds = DEFAULT_STEP_OVERHEAD_SECONDS,
  toRun: ReadonlySet<string> = new Set(plan.steps.map((s) => s.id)),
): WindowEstimate {
  const scaled = makespanOf<Step>(plan.steps, (s) => (toRun.has(s.id) ? twinStepSeconds(s, timing) + stepOverheadSeconds : 0));
  const parallelism = Math.max(MIN_PARALLELISM, plan.schedule?.peakParallelism ?? 0, scaled.peakParallelism);
  return {
    plannedSeconds: plan.schedule?.estimatedSeconds ?? 0,
    scaledSeconds: scaled.seconds,
    parallelism,
    timeScale: timing.scale,
    stepOverheadSeconds,
    steps: toRun.size,
    assumed:
      `restarts = timing model × ${timing.scale}, manual steps and the clean-up's wait 0 s (the rehearsal confirms and caps them), ` +
      `other steps 0 s on the twin, + ${stepOverheadSeconds} s executor overhead per step, not slowed by each other on this machine's ${cpus().length} cores; ` +
      `${toRun.size} steps over plan.json's dependsOn; terraform -parallelism=${parallelism}`,
  };
}

/** Times an apply from its Terraform events: first plan step's start to last plan step's end. */
export class ApplyClock {
  private first?: number;
  private last?: number;
  /** Per Terraform resource: when it started and ended (ms of `now`). */
  readonly resources = new Map<string, { start: number; end?: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Feed every Terraform event of the apply. */
  readonly onEvent = (e: TerraformEvent): void => {
    if (e.resource === RECONCILE_RESOURCE) return;
    const t = this.now();
    if (e.type === 'start') {
      this.first ??= t;
      this.resources.set(e.resource, { start: t });
    } else if (e.type === 'done' || e.type === 'failed') {
      this.last = t;
      const r = this.resources.get(e.resource);
      if (r) r.end = t;
    }
  };

  /** Seconds, 0 when no step ran. */
  get seconds(): number {
    return this.first === undefined || this.last === undefined ? 0 : Math.max(0, (this.last - this.first) / 1000);
  }
}

export function measureWindow(cluster: string, estimate: WindowEstimate, measuredSeconds: number): WindowMeasure {
  const deviationPercent = estimate.scaledSeconds > 0 ? ((measuredSeconds - estimate.scaledSeconds) / estimate.scaledSeconds) * 100 : 0;
  return { ...estimate, cluster, measuredSeconds, deviationPercent };
}

/** `the whole change: estimated about 1 h 13 min (scaled: 41.3 s), measured 43.0 s (+4.1%)`: first step to last, not only the window PLAN.md names. */
export function windowLine(m: WindowMeasure): string {
  const sign = m.deviationPercent >= 0 ? '+' : '−';
  return (
    `the whole change: estimated ${aboutDuration(m.plannedSeconds)} (scaled: ${m.scaledSeconds.toFixed(1)} s), ` +
    `measured ${m.measuredSeconds.toFixed(1)} s (${sign}${Math.abs(m.deviationPercent).toFixed(1)}%)`
  );
}
