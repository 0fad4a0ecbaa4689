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

/**
 * A step that may not run yet (the clean-up's wait for the Intercluster Sync Agent): the apply ends
 * like at an unconfirmed manual step (exit 3), saying from when it can run, instead of holding the window.
 */
export class StepNotYetDue extends AwaitingConfirmation {
  constructor(
    message: string,
    /** When the step can run (ISO 8601). */
    readonly dueAt: string,
  ) {
    super(message);
    this.name = 'StepNotYetDue';
  }
}
