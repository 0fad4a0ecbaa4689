import { App } from 'cdktf';
import { Declarations } from '../lib/model';
import { StepResourceType } from './enums';
import { RolloutStack } from './rollout-stack';

export interface InventorySynthOptions {
  /** Output folder: `<outdir>/stacks/<cluster>/{cdk.tf.json, plan.json, PLAN.md}`. */
  readonly outdir: string;
  /** Folder the declarations' relative paths start from. */
  readonly baseDir: string;
  readonly resourceType?: StepResourceType;
  readonly runner?: string;
}

/** Synthesizes one RolloutStack per declared cluster: what `ucrollout plan --inventory` does. */
export function synthDeclarations(declarations: Declarations, opts: InventorySynthOptions): RolloutStack[] {
  const app = new App({ outdir: opts.outdir });
  const stacks = declarations.clusters.map((cluster) => {
    const stack = new RolloutStack(app, cluster.name, { resourceType: opts.resourceType, runner: opts.runner });
    stack._useDeclarations(declarations, opts.baseDir, cluster.name);
    return stack;
  });
  app.synth();
  return stacks;
}
