/**
 * The one step graph every platform builds its plan into: steps as drafts (no dependencies
 * or trigger yet), ordering edges, and lanes (a lane's steps run one after the other, e.g.
 * the MMP commands of one server). `steps()` gives the finished steps in execution order,
 * each with its sorted `dependsOn` and its trigger (./triggers.ts).
 */
import { DependencyGraph } from './graph';
import { stepTrigger } from './triggers';
import { StepBase } from './types';

/** A step before its dependencies and trigger are known (distributes over a union of kinds). */
export type Draft<S extends StepBase> = S extends unknown
  ? Omit<S, 'dependsOn' | 'trigger'> & {
      /** Fingerprints that re-run this step when they change (its certificates). */
      readonly fingerprints: readonly string[];
    }
  : never;

export class StepGraph<S extends StepBase> {
  private readonly graph = new DependencyGraph<Draft<S>>();
  /** Last step added in each lane. */
  private readonly lanes = new Map<string, string>();

  /** Adds a step after `after`; in a `lane`, also after the lane's previous step. */
  add(step: Draft<S>, after: readonly string[] = [], lane?: string): string {
    this.graph.add(step.id, step);
    for (const a of after) this.graph.depend(step.id, a);
    if (lane !== undefined) {
      const previous = this.lanes.get(lane);
      if (previous) this.graph.depend(step.id, previous);
      this.lanes.set(lane, step.id);
    }
    return step.id;
  }

  has(id: string): boolean {
    return this.graph.has(id);
  }

  /** Every step id, sorted. */
  ids(): string[] {
    return this.graph.ids();
  }

  get(id: string): Draft<S> {
    return this.graph.get(id);
  }

  /** `id` runs after `dependency`. */
  depend(id: string, dependency: string): void {
    this.graph.depend(id, dependency);
  }

  dependencies(id: string): string[] {
    return this.graph.dependencies(id);
  }

  /** The finished steps in execution order (waves, then id). */
  steps(): S[] {
    return this.graph.order().map((id) => {
      const { fingerprints, ...draft } = this.graph.get(id) as Draft<S>;
      return { ...draft, dependsOn: this.graph.dependencies(id), trigger: stepTrigger(draft, fingerprints) } as unknown as S;
    });
  }
}
