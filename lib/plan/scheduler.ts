/**
 * The scheduler: orders the steps that compete for a resource (a node that restarts one
 * service at a time, the cluster's one Tomcat restart at a time, a CallManager group that must
 * keep a member up, …) so the change is as short as those rules allow, and returns the ordering
 * edges that enforce exactly what it chose.
 *
 * Heuristic: list scheduling on the critical path, with a look-ahead, justification and sampling.
 * - Time-driven list scheduling (Graham; HLFET): time advances from event to event and the ready
 *   steps start in priority order when every resource they hold has a free unit. The priority is
 *   the longest chain of work still behind the step (its "tail", the critical-path rule); a second
 *   rule adds the most work of one resource that only this step lets start (the publisher's
 *   Tomcat row opens every other node's Tomcat restart: that queue is the real chain behind it).
 * - Look-ahead: a step does not take the last unit of a resource when a step of higher priority
 *   needs it before this one would end and waiting for it ends sooner (both orders compared by
 *   each chain's remaining length). Without it a node starts a 7-minute Tomcat restart one minute
 *   before the call-processing chain reaches it.
 * - Forward-backward improvement (Tormos & Lova 2001; Valls et al. 2005, "justification"): the
 *   schedule is shifted right (every step as late as the end allows, latest-ending first), then
 *   left again (earliest-starting first), while the result gets shorter.
 * - Biased random sampling (Kolisch & Drexl 1996): both rules again with seeded noise on the
 *   priorities (16 samples), unless a schedule already meets a simple lower bound (the longest
 *   chain, or a resource's load after the least work before and after it).
 * The schedule whose graph runs shortest is kept. Deterministic: a fixed seed, integers, ties by id.
 *
 * Enforcement ("chaining", as in precedence-constraint posting): a resource of capacity k is k
 * lanes; the steps that hold it are put on lanes in the order they start, and a step runs after
 * the previous step of its lane (one ordering edge). Any execution of the resulting graph,
 * whatever the real durations, then keeps at most k steps on the resource at once. An edge the
 * graph already implies is left out.
 */
import { asap, peak } from './schedule';

export interface SchedulerTask {
  readonly id: string;
  /** Ids of the tasks that must finish first. */
  readonly dependsOn: readonly string[];
  readonly seconds: number;
  /** Resources the task holds while it runs (each unit of capacity one task). */
  readonly resources: readonly string[];
  /** Seconds that count for the schedule (a step after the window: 0); default `seconds`. */
  readonly weight?: number;
}

export interface SchedulerResult {
  /** The schedule the edges come from (weighted seconds). */
  readonly start: ReadonlyMap<string, number>;
  readonly end: ReadonlyMap<string, number>;
  /** Ordering edges to add: `step` runs after `after`. Sorted by step, then after. */
  readonly edges: readonly { readonly step: string; readonly after: string }[];
  /** End of the last weighted task when the graph with these edges runs as soon as it can: what the scheduler minimised. */
  readonly makespan: number;
  /** The priority rule that gave this result. */
  readonly rule: string;
}

/** Capacity of each resource a task names; a resource not listed has capacity 1. */
export type Capacities = ReadonlyMap<string, number>;

/** Forward-backward passes at most, per priority rule (each pass is a full serial schedule). */
const MAX_JUSTIFICATIONS = 2;
/**
 * Sampled priority rules tried after the plain ones, unless a schedule reached the lower bound.
 * 4 give every bench cluster the window 16 gave (0 lose 3.5 min on examples/large.yaml), and
 * sampling is most of `ucrollout plan`'s time on a large estate (bench planSynth).
 */
const SAMPLES = 4;
/** Relative noise of a sampled priority. */
const NOISE = 0.3;

export function listSchedule(tasks: readonly SchedulerTask[], capacities: Capacities): SchedulerResult {
  const g = new Graph(tasks, capacities);
  const tail = g.tails();
  const load = g.resourceLoad();
  const gate = g.gateBonus();
  const plain: [string, (id: string) => number][] = [
    ['critical path', (id) => tail.get(id)!],
    ['critical path with the resource queues it opens', (id) => tail.get(id)! + gate.get(id)!],
  ];
  // Biased random sampling (Kolisch & Drexl): the same rules with seeded noise, until the bound or the budget.
  const random = mulberry32(12);
  const rules = [...plain];
  for (let i = 0; i < SAMPLES; i++) {
    const [name, base] = plain[i % plain.length];
    const noise = new Map(g.order.map((id) => [id, 1 + NOISE * random()]));
    rules.push([`${name}, sample ${i + 1}`, (id) => base(id) * noise.get(id)!]);
  }
  const bound = g.lowerBound(load);
  let best: { times: Map<string, Times>; makespan: number; rule: string } | undefined;
  for (const [rule, rank] of rules) {
    if (best && best.makespan <= bound) break;
    const ranks = new Map(g.order.map((id) => [id, rank(id)]));
    const priority = (id: string) => ranks.get(id)!;
    let times = g.timeDriven(priority);
    // Redundant edges change nothing of the makespan: pruned only in the result.
    let makespan = g.enforce(times, rule, false).makespan;
    let name = rule;
    for (let i = 0; i < MAX_JUSTIFICATIONS; i++) {
      const right = g.backward((a, b) => times.get(b)!.end - times.get(a)!.end || cmp(a, b));
      const left = g.forward((a, b) => right.get(a)!.start - right.get(b)!.start || cmp(a, b));
      const next = g.enforce(left, rule, false).makespan;
      if (next >= makespan) break;
      times = left;
      makespan = next;
      name = `${rule}, justified`;
    }
    if (!best || makespan < best.makespan) best = { times, makespan, rule: name };
  }
  return g.enforce(best!.times, best!.rule);
}

interface Times {
  start: number;
  end: number;
}

class Graph {
  readonly byId: Map<string, SchedulerTask>;
  readonly successors = new Map<string, string[]>();
  readonly order: string[];

  constructor(
    tasks: readonly SchedulerTask[],
    private readonly capacities: Capacities,
  ) {
    this.byId = new Map(tasks.map((t) => [t.id, t]));
    for (const t of tasks) this.successors.set(t.id, []);
    for (const t of tasks) {
      for (const d of t.dependsOn) {
        if (!this.byId.has(d)) throw new Error(`Task '${t.id}' depends on unknown task '${d}'`);
        this.successors.get(d)!.push(t.id);
      }
    }
    this.order = this.topological();
  }

  capacity(r: string): number {
    return Math.max(1, this.capacities.get(r) ?? 1);
  }

  seconds(id: string): number {
    const t = this.byId.get(id)!;
    return t.weight ?? t.seconds;
  }

  /** Ids in an order where every dependency comes first; throws on a cycle. */
  private topological(): string[] {
    const out: string[] = [];
    const state = new Map<string, 1 | 2>();
    const visit = (id: string, path: string[]) => {
      const s = state.get(id);
      if (s === 2) return;
      if (s === 1) throw new Error(`Dependency cycle: ${[...path.slice(path.indexOf(id)), id].join(' => ')}`);
      state.set(id, 1);
      for (const d of [...this.byId.get(id)!.dependsOn].sort()) visit(d, [...path, id]);
      state.set(id, 2);
      out.push(id);
    };
    for (const id of [...this.byId.keys()].sort()) visit(id, []);
    return out;
  }

  /** Longest weighted chain from each task to the end, the task included. */
  tails(): Map<string, number> {
    const tail = new Map<string, number>();
    for (const id of [...this.order].reverse()) tail.set(id, this.seconds(id) + Math.max(0, ...this.successors.get(id)!.map((s) => tail.get(s)!)));
    return tail;
  }

  /**
   * No schedule is shorter than the longest chain, nor than any resource's load per unit plus the
   * least work that must come before and after its users.
   */
  lowerBound(load: Map<string, number>): number {
    const tail = this.tails();
    const head = new Map<string, number>();
    for (const id of this.order) head.set(id, Math.max(0, ...this.byId.get(id)!.dependsOn.map((d) => head.get(d)! + this.seconds(d))));
    let bound = Math.max(0, ...this.order.map((id) => head.get(id)! + tail.get(id)!));
    for (const [r, l] of load) {
      const users = this.order.filter((id) => this.byId.get(id)!.resources.includes(r));
      const before = Math.min(...users.map((u) => head.get(u)!));
      const after = Math.min(...users.map((u) => tail.get(u)! - this.seconds(u)));
      bound = Math.max(bound, before + Math.ceil(l / this.capacity(r)) + after);
    }
    return bound;
  }

  /** Weighted seconds each resource must serve in all. */
  resourceLoad(): Map<string, number> {
    const load = new Map<string, number>();
    for (const id of this.order) for (const r of this.byId.get(id)!.resources) load.set(r, (load.get(r) ?? 0) + this.seconds(id));
    return load;
  }

  /** Per task: the most work (per unit) of one resource that only it lets start, its descendants' on that resource. */
  gateBonus(): Map<string, number> {
    const bonus = new Map<string, number>();
    const below = new Map<string, Set<string>>();
    for (const id of [...this.order].reverse()) {
      const mine = new Set<string>();
      for (const s of this.successors.get(id)!) {
        mine.add(s);
        for (const x of below.get(s)!) mine.add(x);
      }
      below.set(id, mine);
      const work = new Map<string, number>();
      for (const d of mine) for (const r of this.byId.get(d)!.resources) work.set(r, (work.get(r) ?? 0) + this.seconds(d) / this.capacity(r));
      bonus.set(id, Math.max(0, ...work.values()));
    }
    return bonus;
  }

  /**
   * Time-driven list schedule: at each event the ready tasks start in priority order when their
   * resources have a free unit, unless starting one would take the resource a more critical task
   * is about to need (its dependencies end before this task would, by the projection of the
   * schedule so far): then the unit waits for that task. Without that look-ahead a node starts a
   * 7-minute restart one minute before the longest chain reaches it.
   */
  timeDriven(priority: (id: string) => number): Map<string, Times> {
    const placed = new Map<string, Times>();
    const waiting = new Map(this.order.map((id) => [id, this.byId.get(id)!.dependsOn.length]));
    const ready = new Set(this.order.filter((id) => waiting.get(id) === 0));
    const running: { id: string; end: number }[] = [];
    const inUse = new Map<string, number>();
    const users = new Map<string, string[]>();
    for (const id of this.order) for (const r of this.byId.get(id)!.resources) users.set(r, [...(users.get(r) ?? []), id]);
    const byPriority = (a: string, b: string) => priority(b) - priority(a) || cmp(a, b);
    let now = 0;
    const freeAt = (r: string) =>
      (inUse.get(r) ?? 0) < this.capacity(r) ? now : Math.min(...running.filter((x) => this.byId.get(x.id)!.resources.includes(r)).map((x) => x.end));
    const project = () => {
      const start = new Map<string, number>();
      const end = new Map<string, number>();
      for (const id of this.order) {
        const p = placed.get(id);
        if (p) {
          start.set(id, p.start);
          end.set(id, p.end);
          continue;
        }
        const s = Math.max(now, ...this.byId.get(id)!.dependsOn.map((d) => end.get(d)!));
        start.set(id, s);
        end.set(id, s + this.seconds(id));
      }
      return start;
    };
    const canStart = (id: string) => this.byId.get(id)!.resources.every((r) => (inUse.get(r) ?? 0) < this.capacity(r));
    const start = (id: string) => {
      ready.delete(id);
      const end = now + this.seconds(id);
      placed.set(id, { start: now, end });
      running.push({ id, end });
      for (const r of this.byId.get(id)!.resources) inUse.set(r, (inUse.get(r) ?? 0) + 1);
    };
    while (ready.size > 0 || running.length > 0) {
      let projection: Map<string, number> | undefined;
      const projected = (id: string) => (projection ??= project()).get(id)!;
      const candidates = [...ready].sort(byPriority);
      for (const id of candidates) {
        if (!canStart(id)) continue;
        const until = now + this.seconds(id);
        const mine = priority(id);
        const blocks = this.byId.get(id)!.resources.some((r) => {
          // Only the last free unit of a resource can be taken from a task that needs it.
          if ((inUse.get(r) ?? 0) + 1 < this.capacity(r)) return false;
          return users.get(r)!.some((other) => {
            if (other === id || placed.has(other) || priority(other) <= mine) return false;
            const others = this.byId.get(other)!.resources.filter((x) => x !== r).map(freeAt);
            const arrives = Math.max(projected(other), ...others);
            if (arrives >= until) return false;
            // Wait for it only when that ends sooner: both orders, each chain's remaining length after it.
            const goNow = Math.max(now + mine, until + priority(other));
            const wait = Math.max(arrives + priority(other), arrives + this.seconds(other) + mine);
            return wait < goNow;
          });
        });
        if (!blocks) start(id);
      }
      if (running.length === 0) {
        // Nothing runs, so nothing more critical can arrive: start the best task that can.
        const first = candidates.find(canStart);
        if (!first) throw new Error(`Scheduler: ${candidates.join(', ')} can never start (a resource of capacity 0?)`);
        start(first);
      }
      now = Math.min(...running.map((x) => x.end));
      for (const x of running.filter((r) => r.end === now).sort((a, b) => cmp(a.id, b.id))) {
        running.splice(running.indexOf(x), 1);
        for (const r of this.byId.get(x.id)!.resources) inUse.set(r, inUse.get(r)! - 1);
        for (const s of this.successors.get(x.id)!) {
          const left = waiting.get(s)! - 1;
          waiting.set(s, left);
          if (left === 0) ready.add(s);
        }
      }
    }
    if (placed.size !== this.order.length) throw new Error('Scheduler: some tasks never started (a dependency cycle?)');
    return placed;
  }

  /** Serial schedule, earliest first: tasks taken in `before` order among those whose dependencies are placed. */
  forward(before: (a: string, b: string) => number): Map<string, Times> {
    return this.serial(before, false);
  }

  /** Serial schedule, latest first (every task as late as the end of the schedule allows). */
  backward(before: (a: string, b: string) => number): Map<string, Times> {
    return this.serial(before, true);
  }

  private serial(before: (a: string, b: string) => number, reverse: boolean): Map<string, Times> {
    const preds = (id: string) => (reverse ? this.successors.get(id)! : this.byId.get(id)!.dependsOn);
    const succs = (id: string) => (reverse ? this.byId.get(id)!.dependsOn : this.successors.get(id)!);
    // Backward, time runs from the end: a task's "start" is its distance from the end to its end.
    const placed = new Map<string, Times>();
    const busy = new Map<string, Times[]>();
    const waiting = new Map(this.order.map((id) => [id, preds(id).length]));
    const eligible = this.order.filter((id) => waiting.get(id) === 0);
    while (eligible.length > 0) {
      eligible.sort(before);
      const id = eligible.shift()!;
      const t = this.byId.get(id)!;
      const d = this.seconds(id);
      let at = Math.max(0, ...preds(id).map((p) => placed.get(p)!.end));
      if (d > 0 && t.resources.length > 0) at = this.earliestFree(t.resources, at, d, busy);
      placed.set(id, { start: at, end: at + d });
      if (d > 0) for (const r of t.resources) busy.set(r, [...(busy.get(r) ?? []), { start: at, end: at + d }]);
      for (const s of succs(id)) {
        const left = waiting.get(s)! - 1;
        waiting.set(s, left);
        if (left === 0) eligible.push(s);
      }
    }
    if (placed.size !== this.order.length) throw new Error('Scheduler: some tasks were never placed (a dependency cycle?)');
    if (!reverse) return placed;
    const horizon = Math.max(0, ...[...placed.values()].map((x) => x.end));
    return new Map([...placed].map(([id, x]) => [id, { start: horizon - x.end, end: horizon - x.start }]));
  }

  /** The earliest time ≥ `from` where each resource has a free unit during [t, t + d). */
  private earliestFree(resources: readonly string[], from: number, d: number, busy: Map<string, Times[]>): number {
    const candidates = [from, ...resources.flatMap((r) => (busy.get(r) ?? []).map((x) => x.end).filter((e) => e > from))];
    for (const t of [...new Set(candidates)].sort((a, b) => a - b)) {
      if (resources.every((r) => overlapAt(busy.get(r) ?? [], t, t + d) < this.capacity(r))) return t;
    }
    throw new Error('Scheduler: no free time found (unreachable: after every busy interval a resource is free)');
  }

  /** The ordering edges that enforce `times` on every resource, and the makespan of the graph with them. */
  enforce(times: Map<string, Times>, rule: string, prune = true): SchedulerResult {
    const added = new Map<string, Set<string>>();
    const edges: { step: string; after: string }[] = [];
    const ordered = (from: string, to: string): boolean => {
      const seen = new Set<string>();
      const stack = [from];
      while (stack.length > 0) {
        const id = stack.pop()!;
        for (const d of [...this.byId.get(id)!.dependsOn, ...(added.get(id) ?? [])]) {
          if (d === to) return true;
          if (!seen.has(d)) {
            seen.add(d);
            stack.push(d);
          }
        }
      }
      return false;
    };
    const byStart = [...this.order].sort((a, b) => times.get(a)!.start - times.get(b)!.start || times.get(a)!.end - times.get(b)!.end || cmp(a, b));
    const lanes = new Map<string, { last: string; end: number }[]>();
    for (const id of byStart) {
      const { start, end } = times.get(id)!;
      if (end === start) continue;
      for (const r of this.byId.get(id)!.resources) {
        const mine = lanes.get(r) ?? [];
        lanes.set(r, mine);
        if (mine.length < this.capacity(r)) {
          // A unit never used yet: nothing to wait for.
          mine.push({ last: id, end });
          continue;
        }
        // The lane that freed last by now: the tightest edge the schedule allows.
        const lane = mine.filter((l) => l.end <= start).sort((a, b) => b.end - a.end || cmp(a.last, b.last))[0];
        if (!lane) throw new Error(`Scheduler: resource '${r}' over capacity at ${start} s ('${id}')`);
        if (!prune || !ordered(id, lane.last)) {
          added.set(id, new Set([...(added.get(id) ?? []), lane.last]));
          edges.push({ step: id, after: lane.last });
        }
        lane.last = id;
        lane.end = end;
      }
    }
    // Terraform runs the graph with these edges as soon as it can: that is the result to compare.
    const final = asap(
      this.order.map((id) => ({ id, dependsOn: [...this.byId.get(id)!.dependsOn, ...(added.get(id) ?? [])] })),
      (t) => this.seconds(t.id),
    );
    const makespan = Math.max(0, ...[...final.values()].map((x) => x.end));
    edges.sort((a, b) => cmp(a.step, b.step) || cmp(a.after, b.after));
    return {
      start: new Map([...times].map(([id, x]) => [id, x.start])),
      end: new Map([...times].map(([id, x]) => [id, x.end])),
      edges,
      makespan,
      rule,
    };
  }
}

/** Most intervals of `busy` open at one instant within [from, to). */
function overlapAt(busy: readonly Times[], from: number, to: number): number {
  const inside = busy.filter((x) => x.start < to && x.end > from);
  if (inside.length === 0) return 0;
  return peak(inside.map((x) => ({ start: Math.max(x.start, from), end: Math.min(x.end, to) })));
}

/** A small seeded generator: the same numbers on every run, so the plan is deterministic. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
