/**
 * `ucrollout confirm <id> --plan plan.json [--force]`: record that a person did a manual step, in
 * `plan.confirmations.json` next to the plan. The confirmation holds for this version of
 * the step only (its trigger): a changed step must be confirmed again.
 *
 * A manual step has its time in the change (reset the phones after the restarts, back up after
 * the new certificate is in): it is confirmed only once every step it depends on has finished
 * for this plan, as the executor judges it (StepRunner.isFinished: a journal entry with the
 * current trigger), i.e. when the apply stopped at it. `--force` confirms it anyway.
 */
import { userInfo } from 'node:os';
import { StepFailure } from '../../executor/errors';
import { LoadedPlan, findStep, loadPlanFile } from '../../executor/plan-file';
import { StepRunner } from '../../executor/run-step';
import { confirmationsFile, recordConfirmation } from '../../executor/state-files';
import type { PlanStep } from '../../platforms';
import { CliError } from '../errors';
import { parseStepArgs } from './step';

const FORCE = '--force';
/** Unfinished dependencies named in a message; the rest are counted. */
const NAMED = 3;

const USAGE = [
  'usage: ucrollout confirm <id> --plan plan.json [--force]',
  '',
  'Records that the manual step <id> was done, so the next apply passes it. Run it when the apply',
  'stopped at the step (exit 3, "is not confirmed"): until every step it depends on has finished',
  'for this plan, it is refused, since the step is done at its time in the change.',
  '',
  '  --force  confirm although steps it depends on have not finished (you know it was done at its time)',
  '',
  'For unattended rehearsals instead: UCROLLOUT_CONFIRM_ALL=1, or UCROLLOUT_CONFIRM=<id,id>.',
].join('\n');

export async function run(args: string[]): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const force = args.includes(FORCE);
  const parsed = parseStepArgs(
    args.filter((a) => a !== FORCE),
    USAGE,
    ['--plan'],
    [],
  );
  let loaded;
  let step;
  try {
    loaded = loadPlanFile(parsed.plan);
    step = findStep(loaded, parsed.id, "check the id: it is the one the blocked 'ucrollout step run' printed");
  } catch (e) {
    if (e instanceof StepFailure) throw new CliError(e.message, e.exitCode);
    throw e;
  }
  if (step.kind !== 'manual') {
    throw new CliError(`step '${step.id}' is a ${step.kind} step, which ucrollout checks by itself: only manual steps are confirmed`, 2);
  }
  const by = process.env.UCROLLOUT_CONFIRMED_BY || safeUser();
  try {
    const unfinished = unfinishedDependencies(loaded, step);
    if (unfinished.length > 0 && !force) {
      throw new CliError(
        `manual step '${step.id}' is not due yet: ${unfinished.length} of the ${step.dependsOn.length} step(s) it depends on ${unfinished.length === 1 ? 'has' : 'have'} not finished for this plan (${listed(unfinished)}). ` +
          `Apply until the apply stops at this step (exit 3, "manual step '${step.id}' is not confirmed"), do it then, and confirm it; ` +
          `a confirmation now would let the next apply pass it before its time. If it was done at its time already, confirm with ${FORCE}`,
        1,
      );
    }
    recordConfirmation(loaded, step, by);
    const forced = unfinished.length > 0 ? `, with ${FORCE} although ${listed(unfinished)} (which it depends on) ${unfinished.length === 1 ? 'has' : 'have'} not finished for this plan: the next apply passes it without stopping` : '';
    process.stdout.write(`confirmed ${step.id} (${step.description}) in ${confirmationsFile(loaded)}${forced}\n`);
  } catch (e) {
    if (e instanceof StepFailure) throw new CliError(e.message, 1);
    throw e;
  }
  return 0;
}

/** The steps `step` depends on that have not finished for this plan, in plan order, as the executor judges it. */
function unfinishedDependencies(loaded: LoadedPlan, step: PlanStep): PlanStep[] {
  const runner = new StepRunner(loaded, {});
  const dependencies = new Set(step.dependsOn);
  // findStep: a dependency the plan lacks is a damaged plan, reported as `step run` reports it.
  for (const id of dependencies) findStep(loaded, id);
  return loaded.plan.steps.filter((s: PlanStep) => dependencies.has(s.id) && !runner.isFinished(s));
}

function listed(steps: readonly PlanStep[]): string {
  const ids = steps.slice(0, NAMED).map((s) => s.id);
  return steps.length > NAMED ? `${ids.join(', ')} and ${steps.length - NAMED} more` : ids.join(steps.length === 2 ? ' and ' : ', ');
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
