import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { StackResource, StepResourceType } from '../lib/terraform/stack-json';

export interface StepResourceConfig {
  /** Name and body as lib/terraform emits them for `ucrollout plan` (one definition: both paths give the same cdk.tf.json). */
  readonly resource: StackResource;
  readonly resourceType: StepResourceType;
}

type LocalExec = { readonly command: string; readonly interpreter: string[] };

/**
 * One resource of a rollout stack (a plan step, or the reconcile resource). Written as a
 * generic resource rather than cdktf's DataResource, which spawns `terraform version` per
 * resource at synth.
 */
export class StepResource extends TerraformResource {
  private readonly attributes: Record<string, unknown>;

  constructor(scope: Construct, config: StepResourceConfig) {
    const { depends_on, provisioner, ...attributes } = config.resource.body as {
      depends_on: string[];
      provisioner: { 'local-exec': LocalExec }[];
    };
    super(scope, config.resource.name, {
      terraformResourceType: config.resourceType,
      provisioners: provisioner.map((p) => ({ type: 'local-exec' as const, ...p['local-exec'] })),
    });
    this.attributes = attributes;
    this.overrideLogicalId(config.resource.name);
    // Plain addresses rather than cdktf tokens: a token captures a stack trace per edge, which dominated synth time.
    this.dependsOn = depends_on as never;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return this.attributes;
  }
}
