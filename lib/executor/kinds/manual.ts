/**
 * manual: a person does this (CTL update, SSO, phone reset…). The step blocks until it is
 * confirmed with `ucrollout confirm <id> --plan plan.json`, or for unattended rehearsals by
 * UCROLLOUT_CONFIRM_ALL=1 / UCROLLOUT_CONFIRM=<id,id>.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { STACK_LAUNCHER, shellWord } from '../../terraform/stack-launcher';
import { StepContext } from '../context';
import { AwaitingConfirmation } from '../errors';
import { StepOutcome } from '../outcome';
import { readConfirmations } from '../state-files';

export const CONFIRM_ALL_ENV = 'UCROLLOUT_CONFIRM_ALL';
export const CONFIRM_ENV = 'UCROLLOUT_CONFIRM';

export async function run(ctx: StepContext): Promise<StepOutcome> {
  const { step, env } = ctx;
  if (env[CONFIRM_ALL_ENV] === '1') return { changed: false, summary: `confirmed by ${CONFIRM_ALL_ENV}=1 (rehearsal)` };
  const listed = (env[CONFIRM_ENV] ?? '').split(',').map((s) => s.trim());
  if (listed.includes(step.id)) return { changed: false, summary: `confirmed by ${CONFIRM_ENV}` };

  const record = readConfirmations(ctx.loaded)[step.id];
  if (record && record.trigger === step.trigger) return { changed: false, summary: `confirmed by ${record.by} at ${record.confirmedAt}` };
  const stale = record ? ' (an earlier confirmation was for a previous version of this step)' : '';
  throw new AwaitingConfirmation(
    `manual step '${step.id}' is not confirmed${stale}. ${step.description}. To do: ${step.command}. ` +
      `When done, run: ${confirmCommand(ctx.loaded.path, step.id)} ; then apply again`,
  );
}

/**
 * What to type, from where the message is read: the stack folder's own `ucrollout` (written with
 * the stack, lib/terraform/stack-launcher.ts) when the plan has one, prefixed with a `cd` when
 * the step ran elsewhere; else the `ucrollout` on PATH with the plan's full path.
 */
export function confirmCommand(planFile: string, id: string, cwd = process.cwd()): string {
  const dir = dirname(planFile);
  if (!existsSync(join(dir, STACK_LAUNCHER))) return `ucrollout confirm ${id} --plan ${planFile}`;
  const here = `./${STACK_LAUNCHER} confirm ${shellWord(id)} --plan ${shellWord(basename(planFile))}`;
  return resolve(cwd) === dir ? here : `cd ${shellWord(dir)} && ${here}`;
}

