/**
 * The step graph of a CMS plan: DependencyGraph plus one "lane" per server, so MMP commands
 * on a server never run in two SSH sessions at once (Terraform runs independent steps in parallel).
 */
import { createHash } from 'node:crypto';
import { DraftStep } from './plan-context';
import { CmsPlanStep } from './cms-types';
import { DependencyGraph } from './graph';
import { computeTriggers } from './triggers';

/** A CMS step before its dependencies and trigger are known. */
export type CmsDraftStep = Omit<CmsPlanStep, 'dependsOn' | 'trigger' | 'cluster'> & {
  /** Fingerprints that re-run this step when they change. */
  readonly fingerprints: readonly string[];
};

export class CmsStepGraph {
  private readonly graph = new DependencyGraph<CmsDraftStep & { cluster: string }>();
  /** Last MMP step added on each server. */
  private readonly lanes = new Map<string, string>();

  constructor(private readonly cluster: string) {}

  /** Adds a step; an `mmp` step also runs after the previous MMP step on its server. */
  add(step: CmsDraftStep, after: readonly string[] = []): string {
    // The CMS-only fields are not in computeTriggers' material: fingerprint them here.
    const cmsFields = JSON.stringify([step.mmp, step.mmpOnFailure, step.files, step.doneWhen, step.refuseWhen, step.outage]);
    const fingerprints = [...step.fingerprints, sha256(cmsFields)];
    const { id, kind, ...rest } = step;
    // Same key order as CUCM plan steps: id, kind, cluster, node, …
    this.graph.add(id, { id, kind, cluster: this.cluster, ...rest, fingerprints });
    for (const a of after) this.graph.depend(step.id, a);
    if (step.kind === 'mmp') {
      const previous = this.lanes.get(step.node);
      if (previous) this.graph.depend(step.id, previous);
      this.lanes.set(step.node, step.id);
    }
    return step.id;
  }

  depend(id: string, dependency: string): void {
    this.graph.depend(id, dependency);
  }

  get(id: string): CmsDraftStep {
    return this.graph.get(id);
  }

  /** Steps in execution order with their dependencies and triggers. */
  steps(): CmsPlanStep[] {
    const order = this.graph.order();
    // computeTriggers reads only fields CMS steps share with CUCM ones; `kind` is hashed as a string.
    const triggers = computeTriggers(order, (id) => this.graph.get(id) as unknown as DraftStep);
    return order.map((id) => {
      const { fingerprints: _f, ...draft } = this.graph.get(id);
      void _f;
      return { ...draft, dependsOn: this.graph.dependencies(id), trigger: triggers.get(id)! };
    });
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A JavaScript regular expression (flags `mi`) matching a file name as a whole word of MMP output. */
export function fileNamePattern(name: string): string {
  return `(?:^|[\\s:=])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s|$)`;
}
