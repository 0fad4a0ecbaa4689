/**
 * The timing model: how many seconds a step is expected to take, for the window estimate and
 * the scheduler. A platform gives its defaults (lib/platforms/<name>/timing.ts); the cluster's
 * and the node's `timing` declarations override them key by key, the node's first.
 */
import { TimingDecl } from '../model';

export interface TimingDefaults {
  /** Seconds of a step by kind; a kind missing here takes `otherStepSeconds`. */
  readonly steps: Readonly<Record<string, number>>;
  readonly otherStepSeconds: number;
  /** Seconds of a service restart by service name; a service missing here takes `otherRestartSeconds`. */
  readonly restarts: Readonly<Record<string, number>>;
  readonly otherRestartSeconds: number;
  /** Seconds a person takes for a manual step. */
  readonly manualSeconds: number;
}

/** What the model needs to know of a step. */
export interface TimedStep {
  readonly id: string;
  readonly kind: string;
}

/** The defaults and the declarations that override them, most specific first (node, then cluster). */
export class TimingModel {
  constructor(
    readonly defaults: TimingDefaults,
    private readonly layers: readonly (TimingDecl | undefined)[] = [],
  ) {}

  /** The same defaults with these declarations in front (a node's over its cluster's). */
  with(...layers: (TimingDecl | undefined)[]): TimingModel {
    return new TimingModel(this.defaults, [...layers, ...this.layers]);
  }

  /** A step declared by id, else its kind (manual: `manualSeconds`); whole seconds. */
  stepSeconds(step: TimedStep): number {
    const byId = this.first((t) => t.stepSeconds?.[step.id]);
    if (byId !== undefined) return whole(byId);
    const byKind = this.first((t) => t.stepSeconds?.[step.kind]);
    if (byKind !== undefined) return whole(byKind);
    if (step.kind === 'manual') return whole(this.first((t) => t.manualSeconds) ?? this.defaults.manualSeconds);
    return whole(this.defaults.steps[step.kind] ?? this.defaults.otherStepSeconds);
  }

  /** A declared step duration by id, if any: it replaces the whole estimate of that step. */
  declaredById(id: string): number | undefined {
    const v = this.first((t) => t.stepSeconds?.[id]);
    return v === undefined ? undefined : whole(v);
  }

  /** A restart of `service`: declared or default seconds, times the restart factor. */
  restartSeconds(service: string): number {
    const base = this.first((t) => t.restartSeconds?.[service]) ?? this.defaults.restarts[service] ?? this.defaults.otherRestartSeconds;
    return whole(base * (this.first((t) => t.restartFactor) ?? 1));
  }

  private first(pick: (t: TimingDecl) => number | undefined): number | undefined {
    for (const layer of this.layers) {
      const v = layer ? pick(layer) : undefined;
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

function whole(seconds: number): number {
  return Math.max(0, Math.round(seconds));
}
