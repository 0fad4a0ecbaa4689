/**
 * A step's `doneWhen` and `refuseWhen` (docs/cms.md): read-only checks before anything runs.
 * `mmp` + `matches`: that MMP command's output matches every expression. `port` +
 * `leafSha256`: the port presents that leaf first. Both given: both must hold.
 */
import { NodeUnreachableError } from '../../../drivers/errors';
import { allMatch } from '../../../drivers/mmp-output';
import type { StepCheck } from '../types';
import { StepContext } from '../../../executor/context';
import { StepFailure } from '../../../executor/errors';

export interface CheckResult {
  readonly passes: boolean;
  /** What was seen, for the summary. */
  readonly seen: string;
}

export async function evaluateCheck(ctx: StepContext, check: StepCheck, what: 'doneWhen' | 'refuseWhen'): Promise<CheckResult> {
  const { step } = ctx;
  if (!check.mmp && !check.port) throw new StepFailure(`Step ${step.id}: ${what} names neither an MMP command nor a port: the plan is malformed, re-run 'ucrollout plan'`);
  const seen: string[] = [];
  if (check.mmp) {
    const mmp = await ctx.mmp(step.node);
    ctx.log(`${step.node}> ${check.mmp} (${what})`);
    const output = await mmp.run(check.mmp);
    let passes: boolean;
    try {
      passes = allMatch(output, check.matches ?? []);
    } catch (e) {
      throw new StepFailure(`Step ${step.id}: ${what}: ${(e as Error).message}`);
    }
    if (!passes) return { passes: false, seen: `'${check.mmp}' does not show it` };
    seen.push(`'${check.mmp}' shows it`);
  }
  if (check.port) {
    if (!check.leafSha256) throw new StepFailure(`Step ${step.id}: ${what} names a port but no leafSha256: the plan is malformed, re-run 'ucrollout plan'`);
    let leaf: string | undefined;
    try {
      leaf = (await ctx.probe(step.node, check.port, check.port.keyType)).chain[0]?.sha256;
    } catch (e) {
      // A port that does not answer (yet) does not present the leaf: the step runs.
      if (e instanceof NodeUnreachableError) return { passes: false, seen: `${check.port.name} ${check.port.port} does not answer` };
      throw e;
    }
    if (leaf !== check.leafSha256) return { passes: false, seen: `${check.port.name} ${check.port.port} presents another leaf` };
    seen.push(`${check.port.name} ${check.port.port} presents ${check.leafSha256.slice(0, 16)}…`);
  }
  return { passes: true, seen: seen.join(', ') };
}
