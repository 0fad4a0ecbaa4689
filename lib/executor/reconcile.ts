/**
 * `ucrollout step reconcile --plan plan.json`: the last resource of every stack, re-run on
 * every apply, so "No changes" can never hide an undone step. It runs, in plan order, every
 * step that has not finished for this version of the plan (each checks the node first and
 * does only what is left), then every verify step again: the nodes, not the journal or
 * Terraform's state, say whether the change is in place.
 */
import { StepOutcome } from './outcome';
import { loadPlanFile } from './plan-file';
import { RunStepOptions, StepRunner } from './run-step';

export interface ReconcileResult {
  /** Steps that had not finished and ran now. */
  readonly finished: readonly string[];
  /** Verify steps checked again. */
  readonly verified: readonly string[];
}

export async function reconcile(opts: Omit<RunStepOptions, 'stepId'>): Promise<ReconcileResult> {
  const loaded = loadPlanFile(opts.planPath);
  const runner = new StepRunner(loaded, opts);
  const finished: string[] = [];
  const verified: string[] = [];
  const log = opts.log ?? (() => undefined);
  for (const step of loaded.plan.steps) {
    if (runner.isFinished(step)) continue;
    log(`${step.id} has not finished for this plan: running it now`);
    const outcome: StepOutcome = await runner.run(step);
    finished.push(step.id);
    log(`${step.id}: ${outcome.summary}`);
  }
  for (const step of loaded.plan.steps) {
    if (step.kind !== 'verify' || finished.includes(step.id)) continue;
    await runner.run(step, [], true);
    verified.push(step.id);
  }
  return { finished, verified };
}
