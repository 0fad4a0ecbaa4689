/**
 * The step graph of a CMS plan: the one StepGraph with one lane per server, so MMP commands
 * on a server never run in two SSH sessions at once (Terraform runs independent steps in parallel).
 */
import { createHash } from 'node:crypto';
import { Draft, StepGraph } from '../../plan/step-graph';
import { CmsStep } from './types';

/** A CMS step as its builders write it: the graph adds the cluster. */
export type CmsDraftStep = Draft<CmsStep> extends infer D ? (D extends unknown ? Omit<D, 'cluster'> : never) : never;

export class CmsStepGraph extends StepGraph<CmsStep> {
  constructor(private readonly cluster: string) {
    super();
  }

  /** Adds a step; an `mmp` step also runs after the previous MMP step on its server. */
  addStep(step: CmsDraftStep, after: readonly string[] = []): string {
    const { id, kind, ...rest } = step;
    // Key order of every plan step: id, kind, cluster, node, …
    const draft = { id, kind, cluster: this.cluster, ...rest } as Draft<CmsStep>;
    return this.add(draft, after, step.kind === 'mmp' ? step.node : undefined);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A JavaScript regular expression (flags `mi`) matching a file name as a whole word of MMP output. */
export function fileNamePattern(name: string): string {
  return `(?:^|[\\s:=])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s|$)`;
}
