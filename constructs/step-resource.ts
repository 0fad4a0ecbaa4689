import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { stepResourceName } from '../lib/plan/resource-name';
import { PlanStep } from '../lib/plan/types';


/** Single-quotes a word for the POSIX shell that runs local-exec. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface StepResourceConfig {
  readonly step: PlanStep;
  /** `terraform_data` or `null_resource`. */
  readonly resourceType: string;
  /** Command prefix that runs the CLI, e.g. `node ../../../bin/ucrollout`. */
  readonly runner: string;
  readonly dependsOn: StepResource[];
}

/**
 * One plan step as a Terraform resource: re-created (and so re-run) when the step's
 * trigger changes; its local-exec runs the step. Written as a generic resource rather
 * than cdktf's DataResource, which spawns `terraform version` per resource at synth.
 */
export class StepResource extends TerraformResource {
  private readonly step: PlanStep;
  private readonly kind: string;

  constructor(scope: Construct, config: StepResourceConfig) {
    const name = stepResourceName(config.step.id);
    super(scope, name, {
      terraformResourceType: config.resourceType,
      provisioners: [
        {
          type: 'local-exec',
          command: `${config.runner} step run ${shellQuote(config.step.id)} --plan plan.json`,
        },
      ],
    });
    this.step = config.step;
    this.kind = config.resourceType;
    this.overrideLogicalId(name);
    // Plain addresses rather than cdktf tokens: a token captures a stack trace per edge, which dominated synth time.
    this.dependsOn = config.dependsOn.map((d) => `${config.resourceType}.${d.stepName}`);
  }

  /** The Terraform resource name. */
  public get stepName(): string {
    return stepResourceName(this.step.id);
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const triggers = { step: this.step.id, trigger: this.step.trigger };
    return this.kind === 'null_resource' ? { triggers } : { triggers_replace: triggers };
  }
}
