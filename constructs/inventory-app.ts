import { App } from 'cdktf';
import { DeclarationError, Declarations } from '../lib/model';
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

/** Synthesizes one RolloutStack per declared cluster (CUCM and Meeting Server): what `ucrollout plan --inventory` does. */
export function synthDeclarations(declarations: Declarations, opts: InventorySynthOptions): RolloutStack[] {
  const app = new App({ outdir: opts.outdir });
  // One stack per cluster: CUCM clusters, then Meeting Server clusters.
  const names = [...declarations.clusters.map((c) => c.name), ...(declarations.cmsClusters ?? []).map((c) => c.name)];
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new DeclarationError(twice.map((n) => `Cluster '${n}' is declared twice (CUCM and Meeting Server clusters share stack names): give each cluster a unique name`));
  const stacks = names.map((name) => {
    const stack = new RolloutStack(app, name, { resourceType: opts.resourceType, runner: opts.runner });
    stack._useDeclarations(declarations, opts.baseDir, name);
    return stack;
  });
  app.synth();
  return stacks;
}
