/**
 * A plan's Terraform stack as JSON (cdk.tf.json): one resource per step, `depends_on` = the
 * plan's edges, a trigger that re-creates (so re-runs) the step when it changes, and a
 * local-exec that runs `ucrollout step run <id> --plan plan.json` without a shell.
 * The constructs (RolloutStack) and `ucrollout plan` both emit through here.
 */
import { stepResourceName } from '../plan/resource-name';
import { StepBase } from '../plan/types';

/** cdktf's format version in the `//` metadata, as `cdktf synth` 0.21 writes it. */
export const CDKTF_JSON_VERSION = '0.21.0';
/** hashicorp/null as @cdktf/provider-null 11 pins it. */
export const NULL_PROVIDER_VERSION = '3.2.4';

export type StepResourceType = 'terraform_data' | 'null_resource';

export interface StackJsonOptions {
  /** The stack (cluster) name. */
  readonly stackName: string;
  readonly resourceType: StepResourceType;
  /** The words that start the CLI from the stack folder (./runner.ts). */
  readonly runner: readonly string[];
}

/** The resource that finishes and re-verifies the whole change on every apply (lib/executor/reconcile.ts). */
export const RECONCILE_RESOURCE = 'ucrollout_reconcile';

type StackStep = Pick<StepBase, 'id' | 'trigger' | 'dependsOn'>;

/** One Terraform resource of a stack: its name and body (without cdktf's `//` metadata). */
export interface StackResource {
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/**
 * Every resource of a plan's stack, in plan order: one per step, then the reconcile resource,
 * which depends on the steps nothing else waits for and is replaced on every apply.
 */
export function stackResources(steps: readonly StackStep[], opts: Pick<StackJsonOptions, 'resourceType' | 'runner'>): StackResource[] {
  const address = (id: string) => `${opts.resourceType}.${stepResourceName(id)}`;
  const triggersKey = opts.resourceType === 'null_resource' ? 'triggers' : 'triggers_replace';
  const run = (command: string, args: readonly string[]) => [{ 'local-exec': { command, interpreter: [...opts.runner, 'step', ...args] } }];
  const out: StackResource[] = steps.map((step) => ({
    name: stepResourceName(step.id),
    body: {
      depends_on: step.dependsOn.map(address),
      provisioner: run(step.id, ['run', '--plan', 'plan.json']),
      [triggersKey]: { step: step.id, trigger: step.trigger },
    },
  }));
  const waitedFor = new Set(steps.flatMap((s) => s.dependsOn));
  out.push({
    name: RECONCILE_RESOURCE,
    body: {
      depends_on: steps.filter((s) => !waitedFor.has(s.id)).map((s) => address(s.id)),
      provisioner: run('plan.json', ['reconcile', '--plan']),
      // timestamp(): replaced on every apply, so an apply never says "No changes" over an undone step.
      [triggersKey]: { apply: '${timestamp()}' },
    },
  });
  return out;
}

/** The whole cdk.tf.json object, as cdktf synthesizes a RolloutStack. */
export function stackJson(steps: readonly StackStep[], opts: StackJsonOptions): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const { name, body } of stackResources(steps, opts)) {
    resources[name] = { '//': { metadata: { path: `${opts.stackName}/Steps/${name}`, uniqueId: name } }, ...body };
  }
  const nullProvider = opts.resourceType === 'null_resource';
  return {
    '//': { metadata: { backend: 'local', stackName: opts.stackName, version: CDKTF_JSON_VERSION }, outputs: {} },
    ...(nullProvider ? { provider: { null: [{}] } } : {}),
    resource: { [opts.resourceType]: resources },
    terraform: {
      backend: { local: { path: 'terraform.tfstate' } },
      ...(nullProvider ? { required_providers: { null: { source: 'null', version: NULL_PROVIDER_VERSION } } } : {}),
    },
  };
}
