/**
 * How a step ends when it does not succeed. `ucrollout step run` maps these to exit codes
 * so Terraform stops and taints exactly the failed step.
 */

/** The step could not be carried out; the message says on which node and what to do. */
export class StepFailure extends Error {
  readonly exitCode: 1 | 2 = 1;
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** The file given as --plan cannot be read or is not a plan: a usage error (exit 2), nothing ran. */
export class PlanFileError extends StepFailure {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

/** A manual step that nobody confirmed yet: the apply stops here until someone does. */
export class AwaitingConfirmation extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'AwaitingConfirmation';
  }
}
