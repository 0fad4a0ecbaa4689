/**
 * `ucrollout step run <id> --plan plan.json`: load the plan, find the step, check whether it
 * is already done, do only what is left, verify, record it in the journal.
 * The heavy modules (ssh2, https) load inside the drivers, only when a kind needs them.
 */
import { DriverConfigError, NodeError } from '../drivers/errors';
import { loadResolveMap, resolveMapPath } from '../drivers/resolve';
import type { StepKind } from '../plan/types';
import { ExecutorTimeouts, StepContext } from './context';
import { AwaitingConfirmation, StepFailure } from './errors';
import { StepOutcome } from './outcome';
import { findStep, loadPlanFile } from './plan-file';
import { writeJournal } from './state-files';
import * as cleanup from './kinds/cleanup';
import * as manual from './kinds/manual';
import * as preflight from './kinds/preflight';
import * as restartService from './kinds/restart-service';
import * as uploadIdentity from './kinds/upload-identity';
import * as uploadTrust from './kinds/upload-trust';
import * as verify from './kinds/verify';

export const INSECURE_FIRST_CONTACT_ENV = 'UCROLLOUT_INSECURE_FIRST_CONTACT';
export const RESTART_TIMEOUT_ENV = 'UCROLLOUT_RESTART_TIMEOUT_SECONDS';

export interface RunStepOptions {
  readonly planPath: string;
  readonly stepId: string;
  /** The twin's ready file; else UCROLLOUT_RESOLVE; else a real run. */
  readonly resolvePath?: string;
  /** Accept and record an SSH host key of a node that has no pin at all. @default false */
  readonly insecureFirstContact?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeouts?: ExecutorTimeouts;
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const KINDS: Record<StepKind, (ctx: StepContext) => Promise<StepOutcome>> = {
  preflight: preflight.run,
  'upload-trust': uploadTrust.run,
  'upload-identity': uploadIdentity.run,
  'restart-service': restartService.run,
  verify: verify.run,
  cleanup: cleanup.run,
  manual: manual.run,
};

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const env = opts.env ?? process.env;
  const loaded = loadPlanFile(opts.planPath);
  const step = findStep(loaded, opts.stepId);
  const kind = KINDS[step.kind];
  if (!kind) throw new StepFailure(`Step ${step.id} has kind '${step.kind}', which this ucrollout cannot run: upgrade ucrollout or re-plan`);

  const resolveFile = resolveMapPath(opts.resolvePath, env);
  const restartSeconds = Number(env[RESTART_TIMEOUT_ENV]);
  const ctx = new StepContext({
    loaded,
    step,
    resolveMap: resolveFile ? loadResolveMap(resolveFile) : undefined,
    insecureFirstContact: opts.insecureFirstContact ?? env[INSECURE_FIRST_CONTACT_ENV] === '1',
    env,
    timeouts: { ...(restartSeconds > 0 ? { restartMs: restartSeconds * 1000 } : {}), ...opts.timeouts },
    log: opts.log ?? (() => undefined),
    now: opts.now ?? Date.now,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  });
  try {
    const outcome = await kind(ctx);
    writeJournal(loaded, step, outcome.changed, outcome.summary, new Date(ctx.now()));
    return outcome;
  } catch (e) {
    if (e instanceof StepFailure || e instanceof AwaitingConfirmation) throw e;
    if (e instanceof NodeError || e instanceof DriverConfigError) throw new StepFailure(e.message);
    throw e;
  } finally {
    ctx.close();
  }
}
