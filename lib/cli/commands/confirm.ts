/**
 * `ucrollout confirm <id> --plan plan.json`: record that a person did a manual step, in
 * `plan.confirmations.json` next to the plan. The confirmation holds for this version of
 * the step only (its trigger): a changed step must be confirmed again.
 */
import { userInfo } from 'node:os';
import { StepFailure } from '../../executor/errors';
import { findStep, loadPlanFile } from '../../executor/plan-file';
import { confirmationsFile, recordConfirmation } from '../../executor/state-files';
import { CliError } from '../errors';
import { parseStepArgs } from './step';

const USAGE = [
  'usage: ucrollout confirm <id> --plan plan.json',
  '',
  'Records that the manual step <id> was done, so the next apply passes it.',
  'For unattended rehearsals instead: UCROLLOUT_CONFIRM_ALL=1, or UCROLLOUT_CONFIRM=<id,id>.',
].join('\n');

export async function run(args: string[]): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const parsed = parseStepArgs(args, USAGE, ['--plan'], []);
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
    recordConfirmation(loaded, step, by);
  } catch (e) {
    if (e instanceof StepFailure) throw new CliError(e.message, 1);
    throw e;
  }
  process.stdout.write(`confirmed ${step.id} (${step.description}) in ${confirmationsFile(loaded)}\n`);
  return 0;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
