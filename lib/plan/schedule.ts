/**
 * The schedule of a finished plan: when each step is expected to start and end if every step
 * starts as soon as the steps it depends on are done, which is what `terraform apply` does
 * (given enough `-parallelism`). From it: the estimate of the whole change, its phases
 * (before the maintenance window, in it, after it), and the chain of steps that sets the
 * window's end (the critical path). Integers of seconds from the start; keys sorted.
 *
 * The window rule (phasesOf): a plan with a window confirmation step (`opensWith`, e.g.
 * `manual/maintenance-window`) has the window open when that step ends. The step and every step
 * that does not come after it are before the window (preflights, CSRs, signing, checks that
 * change nothing); every step after it is in the window, except what the platform puts after it
 * (the clean-up). A plan without one: the platform's phase of each step, and the window opens
 * when its first step in the window starts (the first change).
 */

/** When a step runs relative to the maintenance window. */
export type SchedulePhase = 'before' | 'in' | 'after';

export interface StepTimes {
  /** Seconds from the start of the change. */
  readonly start: number;
  readonly end: number;
}

export interface PlanSchedule {
  /** Expected seconds of the whole change, first step to last. */
  readonly estimatedSeconds: number;
  /**
   * beforeWindow: from the start to the end of the confirmation that the window is open (the checks,
   * CSRs and signing that change nothing come first); inWindow: from then to the end of the last
   * step after it; afterWindow: what follows (the clean-up's wait). See phasesOf.
   */
  readonly phases: { readonly beforeWindow: number; readonly inWindow: number; readonly afterWindow: number };
  /**
   * The chain of steps in the window that ends last, first to last (from the first step after the
   * window opened): shorten one of these to shorten the window.
   */
  readonly criticalPath: readonly string[];
  /** Most steps running at one time: `terraform apply -parallelism` (default 10) must be at least this for the estimate. */
  readonly peakParallelism: number;
  /** Per step id, sorted by id. */
  readonly steps: Readonly<Record<string, StepTimes>>;
}

export interface SchedulableStep {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** Start and end of every step when each starts as soon as its dependencies end. */
export function asap<S extends SchedulableStep>(steps: readonly S[], seconds: (s: S) => number): Map<string, StepTimes> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const times = new Map<string, StepTimes>();
  const onPath = new Set<string>();
  const visit = (id: string): StepTimes => {
    const known = times.get(id);
    if (known) return known;
    const s = byId.get(id);
    if (!s) throw new Error(`Schedule: unknown step '${id}'`);
    if (onPath.has(id)) throw new Error(`Schedule: dependency cycle through '${id}'`);
    onPath.add(id);
    const start = Math.max(0, ...s.dependsOn.map((d) => visit(d).end));
    onPath.delete(id);
    const t = { start, end: start + seconds(s) };
    times.set(id, t);
    return t;
  };
  for (const s of steps) visit(s.id);
  return times;
}

/**
 * The makespan (first step's start to last step's end) and the peak parallelism of `steps` under
 * any duration function: the same computation as the plan's schedule, for another model of the
 * durations (a rehearsal's scaled timing model, bench figures). Durations may be fractions.
 */
export function makespanOf<S extends SchedulableStep>(steps: readonly S[], seconds: (s: S) => number): { seconds: number; peakParallelism: number; times: Map<string, StepTimes> } {
  const times = asap(steps, seconds);
  const all = [...times.values()];
  return { seconds: Math.max(0, ...all.map((t) => t.end)), peakParallelism: peak(all), times };
}

/**
 * The phase of every step by the window rule (above): with the confirmation step `opensWith`,
 * it and the steps not after it are 'before', the steps after it 'in' (or 'after' where
 * `phase` says so); without one, `phase`.
 */
export function phasesOf<S extends SchedulableStep>(steps: readonly S[], phase: (s: S) => SchedulePhase, opensWith?: string): Map<string, SchedulePhase> {
  if (opensWith === undefined || !steps.some((s) => s.id === opensWith)) return new Map(steps.map((s) => [s.id, phase(s)]));
  const after = descendantsOf(steps, opensWith);
  return new Map(steps.map((s) => [s.id, !after.has(s.id) ? 'before' : phase(s) === 'after' ? 'after' : 'in']));
}

/** Ids of the steps that run after `id`, directly or through others. */
export function descendantsOf(steps: readonly SchedulableStep[], id: string): Set<string> {
  const next = new Map<string, string[]>();
  for (const s of steps) for (const d of s.dependsOn) next.set(d, [...(next.get(d) ?? []), s.id]);
  const seen = new Set<string>();
  const stack = [...(next.get(id) ?? [])];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    stack.push(...(next.get(x) ?? []));
  }
  return seen;
}

/**
 * The schedule of `steps`: `phase` gives each step's phase where no window confirmation decides it
 * (and 'after' for what follows the window); `opensWith` is the id of the step that confirms the
 * window is open, when the plan has one: the window opens when it ends.
 */
export function scheduleOf<S extends SchedulableStep>(steps: readonly S[], seconds: (s: S) => number, phase: (s: S) => SchedulePhase, opensWith?: string): PlanSchedule {
  const times = asap(steps, seconds);
  const end = (s: S) => times.get(s.id)!.end;
  const latest = (list: readonly S[]) => Math.max(0, ...list.map(end));
  const phases = phasesOf(steps, phase, opensWith);
  const before = steps.filter((s) => phases.get(s.id) === 'before');
  const inside = steps.filter((s) => phases.get(s.id) === 'in');
  const total = latest(steps);
  const gate = opensWith !== undefined ? times.get(opensWith) : undefined;
  // The confirmation's end; without one, the first change (or, with none, the end of the checks).
  const windowOpens = gate ? gate.end : inside.length > 0 ? Math.min(...inside.map((s) => times.get(s.id)!.start)) : latest(before);
  const windowCloses = Math.max(windowOpens, latest(inside));
  return {
    estimatedSeconds: total,
    phases: { beforeWindow: windowOpens, inWindow: windowCloses - windowOpens, afterWindow: total - windowCloses },
    criticalPath: criticalPath(steps, times, inside.length > 0 ? inside : steps, (id) => phases.get(id) === 'before'),
    peakParallelism: peak([...times.values()]),
    steps: Object.fromEntries([...times].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/**
 * From the step among `last` that ends latest (ties: lowest id), back through the dependency that
 * ends latest, while it is in the window: what comes before the window (its confirmation, the
 * checks, the signing) sets when the window starts, not how long it is.
 */
function criticalPath<S extends SchedulableStep>(steps: readonly S[], times: Map<string, StepTimes>, last: readonly S[], beforeWindow: (id: string) => boolean): string[] {
  if (last.length === 0) return [];
  const byId = new Map(steps.map((s) => [s.id, s]));
  const latestOf = (ids: readonly string[]) =>
    [...ids].sort((a, b) => times.get(b)!.end - times.get(a)!.end || (a < b ? -1 : a > b ? 1 : 0))[0];
  const chain = [latestOf(last.map((s) => s.id))];
  const inWindow = !beforeWindow(chain[0]);
  for (;;) {
    const deps = byId.get(chain[0])!.dependsOn;
    if (deps.length === 0) break;
    const next = latestOf(deps);
    if (inWindow && beforeWindow(next)) break;
    chain.unshift(next);
  }
  return chain;
}

/** Most intervals open at one instant (an interval ending at t does not overlap one starting at t; an empty one is never open). */
export function peak(intervals: readonly { readonly start: number; readonly end: number }[]): number {
  const events = intervals.filter((t) => t.end > t.start).flatMap((t) => [[t.start, 1] as const, [t.end, -1] as const]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of events) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}
