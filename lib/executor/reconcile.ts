/**
 * `ucrollout step reconcile --plan plan.json`: the last resource of every stack, re-run on
 * every apply, so "No changes" can never hide an undone step. It runs, in plan order, every
 * step that has not finished for this version of the plan (each checks the node first and
 * does only what is left), then every verify step again: the nodes, not the journal or
 * Terraform's state, say whether the change is in place.
 */
import { join } from 'node:path';
import type { PlanStep } from '../platforms';
import { StepFailure } from './errors';
import { StepOutcome } from './outcome';
import { LoadedPlan, loadPlanFile } from './plan-file';
import { RunStepOptions, StepRunner } from './run-step';
import { readJournal, stateDir } from './state-files';

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
    const passed = readJournal(loaded, step)?.doneAt;
    try {
      await runner.run(step, [], true);
    } catch (e) {
      throw e instanceof StepFailure ? changedSince(loaded, step, e, passed) : e;
    }
    verified.push(step.id);
  }
  return { finished, verified };
}

/**
 * A verify step that had passed for this plan and now finds the node presenting or holding
 * another certificate: the change was in place, so the verify step's own causes (no restart
 * since the upload, an upload that missed the node) are not the likely ones any more. One
 * failure, naming the node and port as the verify step did, with the likely causes and the way
 * out of each. Any other failure (an unreachable node) is the verify step's own.
 */
function changedSince(loaded: LoadedPlan, step: PlanStep, failure: StepFailure, passedAt: string | undefined): StepFailure {
  // The verify step's observation: "<node>:<port> (<name>) presents … <fingerprint>…, expected <fingerprint>…", then its cause.
  const observed = /^(.*?\bexpected [0-9a-f]+…)(?=: |$)/is.exec(failure.message)?.[1];
  if (!observed) return failure;
  const journal = join(stateDir(loaded), 'journal');
  const putBack = `to put this plan's certificate back, move away the journal entries (${journal}) of its ${step.purpose} trust, identity and restart steps and apply again: they check the nodes and do only what is left`;
  return new StepFailure(
    `${observed}, although ${step.id} had passed for this plan${passedAt ? ` at ${passedAt}` : ''}: the node changed since. Likely causes, each with its way out: ` +
      `(1) another change installed another certificate since (another stack, a renewal, a person): if the certificate there now is the one wanted, ` +
      `plan again from the current declarations and apply that plan instead of this one (its steps find done what is done); if not, ${putBack}; ` +
      `(2) the node was restored or rebuilt, or its service was restarted onto another certificate: ` +
      `'ucrollout status --inventory FILE' shows what each node holds and presents (drift, pending-restart); fix the node, or ${putBack}`,
  );
}
