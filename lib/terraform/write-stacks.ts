/**
 * Writes the stacks of a set of declarations the way `cdktf synth` does, without cdktf:
 * `<outdir>/stacks/<cluster>/{plan.json, PLAN.md, cdk.tf.json, …public files}` and
 * `<outdir>/manifest.json`. What `ucrollout plan` and the rehearsal run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Declarations } from '../model';
import { PreparedPlan, RolloutPlan, declaredClusters, renderRolloutReview } from '../platforms';
import { renderPlanJson } from '../plan/format';
import type { PlanFinding } from '../plan/types';
import { defaultRunner, runnerWords } from './runner';
import { writeStackLauncher } from './stack-launcher';
import { CDKTF_JSON_VERSION, StepResourceType, stackJson } from './stack-json';
import { stableJson } from './stable-json';

export interface SynthOptions {
  /** Output folder: `<outdir>/stacks/<cluster>/`. */
  readonly outdir: string;
  /** Folder the declarations' relative paths start from. */
  readonly baseDir: string;
  /** @default 'terraform_data' */
  readonly resourceType?: StepResourceType;
  /** Command that starts the CLI from a stack folder. @default - node <relative path to bin/ucrollout> */
  readonly runner?: string;
  /** Lint the declared certificates and the issuers they use first (errors refuse the plan, warnings go to PLAN.md). @default true */
  readonly lint?: boolean;
  /** More warnings for a cluster's plan (plan.json and PLAN.md), e.g. why `ucrollout renew` plans each certificate. @default - none */
  readonly warnings?: (cluster: string) => readonly PlanFinding[];
}

/** Plans every declared cluster and writes its stack folder; returns the plans in stack order. */
export function synthDeclarations(declarations: Declarations, opts: SynthOptions): RolloutPlan[] {
  const clusters = declaredClusters(declarations);
  const prepared = clusters.map(({ name, platform }) => {
    const p = platform.prepare(declarations, name, { baseDir: opts.baseDir, planDir: stackDir(opts.outdir, name), lint: opts.lint }) as PreparedPlan<RolloutPlan>;
    const extra = opts.warnings?.(name) ?? [];
    return extra.length === 0 ? p : { ...p, plan: { ...p.plan, warnings: [...p.plan.warnings, ...extra] } as RolloutPlan };
  });
  for (const p of prepared) writeStack(opts.outdir, p, opts);
  writeManifest(opts.outdir, prepared.map((p) => p.plan.cluster.name));
  return prepared.map((p) => p.plan);
}

export function stackDir(outdir: string, cluster: string): string {
  return join(outdir, 'stacks', cluster);
}

/** plan.json, PLAN.md, the plan's public files and cdk.tf.json of one stack. */
export function writeStack(outdir: string, prepared: PreparedPlan<RolloutPlan>, opts: Pick<SynthOptions, 'resourceType' | 'runner'>): void {
  const { plan } = prepared;
  const dir = stackDir(outdir, plan.cluster.name);
  mkdirSync(dir, { recursive: true });
  const runner = opts.runner !== undefined ? runnerWords(opts.runner) : defaultRunner(dir);
  writeStackFiles(dir, prepared, runner);
  const json = stackJson(plan.steps, { stackName: plan.cluster.name, resourceType: opts.resourceType ?? 'terraform_data', runner });
  writeFileSync(join(dir, 'cdk.tf.json'), stableJson(json));
}

/**
 * The files of a stack other than cdk.tf.json (which cdktf writes itself under `cdktf synth`):
 * plan.json, PLAN.md, the plan's public files and the `ucrollout` launcher of the runner words.
 */
export function writeStackFiles(dir: string, { plan, files }: PreparedPlan<RolloutPlan>, runner: readonly string[]): void {
  writeStackLauncher(dir, runner);
  writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
  writeFileSync(join(dir, 'PLAN.md'), renderRolloutReview(plan));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.file)), { recursive: true });
    writeFileSync(join(dir, f.file), f.text);
  }
}

/** manifest.json as cdktf writes it; stacks another synth wrote there are kept. */
function writeManifest(outdir: string, names: readonly string[]): void {
  const file = join(outdir, 'manifest.json');
  let stacks: Record<string, unknown> = {};
  try {
    const seen = JSON.parse(readFileSync(file, 'utf8')) as { stacks?: Record<string, unknown> };
    if (seen && typeof seen.stacks === 'object' && seen.stacks !== null) stacks = { ...seen.stacks };
  } catch {
    // none yet, or not ours: written anew
  }
  for (const name of names) {
    stacks[name] = {
      annotations: [],
      constructPath: name,
      dependencies: [],
      name,
      stackMetadataPath: `stacks/${name}/metadata.json`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
      workingDirectory: `stacks/${name}`,
    };
  }
  writeFileSync(file, stableJson({ stacks, version: CDKTF_JSON_VERSION }));
}
