/**
 * mmp (Meeting Server): the step's MMP commands, in order, in one SSH session at the MMP prompt
 * (docs/cms.md "What a driver does, by kind"). Each command's output must match every `expect`
 * and no `reject`; with `waitSeconds` the command is run again until `expect` matches or the
 * time is up. When a command fails, `mmpOnFailure` runs (e.g. `webadmin enable`, so the
 * service comes back with its old certificate) and the step fails naming the command.
 */
import { NodeError } from '../../../drivers/errors';
import { MmpDriver } from '../../../drivers/mmp-driver';
import { MmpVerdict, isReadOnlyMmpCommand, judgeMmpOutput, outputExcerpt } from '../../../drivers/mmp-output';
import { StepContext } from '../../../executor/context';
import type { MmpCommand, MmpStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { ALREADY_DONE, StepOutcome } from '../../../executor/outcome';
import { evaluateCheck } from './step-checks';

/** Pause between two runs of a command that waits (`waitSeconds`). */
export const MMP_RETRY_PAUSE_MS = 2000;

export async function run(ctx: StepContext<MmpStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const commands = step.mmp;
  const already = await doneOrRefused(ctx);
  if (already) return already;

  // Connected (host key, login, prompt) before the first command: a failure here changed nothing.
  await ctx.mmp(step.node);
  for (const c of commands) {
    let problem: string | undefined;
    try {
      problem = await runCommand(ctx, c);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      // The session is gone (a wait timed out, or it closed): the recovery commands need a new one.
      ctx.dropMmp(step.node);
      problem = `did not finish: ${e.message.replace(`${step.node}: `, '')}`;
    }
    if (problem) {
      const recovered = await recover(ctx);
      throw new StepFailure(`${step.node}: '${c.command}' ${problem}${recovered}`);
    }
  }
  const readOnly = commands.every((c) => isReadOnlyMmpCommand(c.command));
  const list = commands.map((c) => c.command).join('; ');
  return { changed: !readOnly, summary: `${readOnly ? 'checked' : 'ran'} on ${step.node}: ${list}` };
}

/** Runs one command (again while it waits); returns why it failed, or undefined. */
async function runCommand(ctx: StepContext<MmpStep>, c: MmpCommand): Promise<string | undefined> {
  const mmp = await ctx.mmp(ctx.step.node);
  const deadline = ctx.now() + (c.waitSeconds ?? 0) * 1000;
  for (let attempt = 1; ; attempt++) {
    ctx.log(`${ctx.step.node}> ${c.command}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const output = await mmp.run(c.command);
    const verdict = judge(output, c);
    if (verdict.ok) return undefined;
    // A rejection is final; only a missing `expect` is worth waiting for.
    const waiting = c.waitSeconds !== undefined && verdict.rejected.length === 0 && !verdict.failureLine;
    if (!waiting || ctx.now() >= deadline) return describe(verdict, output, c, attempt);
    await ctx.sleep(Math.min(MMP_RETRY_PAUSE_MS, Math.max(0, deadline - ctx.now())));
  }
}

function judge(output: string, c: MmpCommand): MmpVerdict {
  try {
    return judgeMmpOutput(output, c);
  } catch (e) {
    throw new StepFailure((e as Error).message);
  }
}

function describe(verdict: Exclude<MmpVerdict, { ok: true }>, output: string, c: MmpCommand, attempts: number): string {
  const why: string[] = [];
  if (verdict.failureLine) why.push(`was refused (${JSON.stringify(verdict.failureLine)})`);
  if (verdict.rejected.length > 0) why.push(`printed what the plan rejects (${verdict.rejected.map((r) => `/${r}/`).join(', ')})`);
  if (verdict.missing.length > 0) {
    const waited = c.waitSeconds !== undefined ? ` after ${c.waitSeconds} s (${attempts} attempt${attempts > 1 ? 's' : ''})` : '';
    why.push(`did not print what the plan expects${waited} (${verdict.missing.map((m) => `/${m}/`).join(', ')})`);
  }
  return `${why.join(' and ')}; output: ${outputExcerpt(output)}`;
}

/** Runs `mmpOnFailure` (best effort) and says what it did, for the failure message. */
async function recover(ctx: StepContext<MmpStep>): Promise<string> {
  const { step } = ctx;
  const commands = step.mmpOnFailure ?? [];
  if (commands.length === 0) return '';
  const done: string[] = [];
  const failed: string[] = [];
  let mmp: MmpDriver | undefined;
  try {
    mmp = await ctx.mmp(step.node);
  } catch (e) {
    return `; could not run ${commands.map((c) => `'${c}'`).join(', ')} to recover (${(e as Error).message}): run ${commands.length > 1 ? 'them' : 'it'} on the MMP by hand`;
  }
  for (const command of commands) {
    try {
      ctx.log(`${step.node}> ${command} (recovery)`);
      const output = await mmp.run(command);
      const verdict = judgeMmpOutput(output, {});
      if (verdict.ok) done.push(command);
      else failed.push(`'${command}': ${outputExcerpt(output, 120)}`);
    } catch (e) {
      failed.push(`'${command}': ${(e as Error).message}`);
    }
  }
  const parts: string[] = [];
  if (done.length > 0) parts.push(`ran ${done.map((c) => `'${c}'`).join(', ')} so the service runs with its previous certificate`);
  if (failed.length > 0) parts.push(`recovery failed (${failed.join('; ')}): check the service on the MMP now`);
  return `; ${parts.join('; ')}; fix the cause and apply again`;
}

/** `doneWhen` passes: already done (nothing runs). `refuseWhen` passes: refused with its message. */
async function doneOrRefused(ctx: StepContext<MmpStep>): Promise<StepOutcome | undefined> {
  const { step } = ctx;
  if (step.doneWhen) {
    const done = await evaluateCheck(ctx, step.doneWhen, 'doneWhen');
    if (done.passes) {
      ctx.log(`already done: ${done.seen}`);
      return ALREADY_DONE;
    }
  }
  if (step.refuseWhen) {
    const refuse = await evaluateCheck(ctx, step.refuseWhen, 'refuseWhen');
    if (refuse.passes) throw new StepFailure(`${step.node}: ${step.refuseWhen.message ?? `refused: ${refuse.seen}`}`);
  }
  return undefined;
}
