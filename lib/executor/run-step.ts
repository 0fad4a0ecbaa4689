/**
 * `ucrollout step run <id> --plan plan.json`: load the plan (CUCM / IM&P, or Meeting Server),
 * find the step, check whether it is already done (`doneWhen`) or must be refused
 * (`refuseWhen`), do only what is left, verify, record it in the journal.
 * The heavy modules (ssh2, https) load inside the drivers, only when a kind needs them.
 */
import { DriverConfigError, NodeError } from '../drivers/errors';
import { loadResolveMap, resolveMapPath } from '../drivers/resolve';
import { CMS_STEP_KINDS, STEP_KINDS, StepKind } from '../plan/types';
import { ExecutorTimeouts, StepContext } from './context';
import { AwaitingConfirmation, StepFailure } from './errors';
import { ALREADY_DONE, StepOutcome } from './outcome';
import { evaluateCheck } from './step-checks';
import { findStep, isCmsLoaded, loadPlanFile } from './plan-file';
import { writeJournal } from './state-files';
import * as cleanup from './kinds/cleanup';
import * as downloadFile from './kinds/download-file';
import * as manual from './kinds/manual';
import * as mmp from './kinds/mmp';
import * as preflight from './kinds/preflight';
import * as restartService from './kinds/restart-service';
import * as uploadFile from './kinds/upload-file';
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
  mmp: mmp.run,
  'upload-file': uploadFile.run,
  'download-file': downloadFile.run,
};

/** Kinds both platforms' plans use. */
const SHARED_KINDS: readonly StepKind[] = ['manual', 'verify'];

function kindOf(step: { id: string; kind: string }): (ctx: StepContext) => Promise<StepOutcome> {
  const kind = Object.prototype.hasOwnProperty.call(KINDS, step.kind) ? KINDS[step.kind as StepKind] : undefined;
  if (!kind) throw new StepFailure(`Step ${step.id} has kind '${step.kind}', which this ucrollout cannot run: upgrade ucrollout or re-plan`);
  return kind;
}

/**
 * One step on a prepared context: doneWhen (already done: nothing runs), then refuseWhen
 * (fail with its message), then the kind's work. No journal (runStep writes it).
 */
export async function executeStep(ctx: StepContext): Promise<StepOutcome> {
  const { step } = ctx;
  const kind = kindOf(step);
  const cms = isCmsLoaded(ctx.loaded);
  const platformKinds: readonly string[] = cms ? [...CMS_STEP_KINDS, ...SHARED_KINDS] : STEP_KINDS.filter((k) => !(CMS_STEP_KINDS as readonly string[]).includes(k));
  if (!platformKinds.includes(step.kind)) {
    throw new StepFailure(
      `Step ${step.id} has kind '${step.kind}', which ${cms ? 'a Meeting Server plan' : 'a CUCM / IM&P plan'} does not use: the plan is inconsistent, re-run 'ucrollout plan'`,
    );
  }
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
  return kind(ctx);
}

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const env = opts.env ?? process.env;
  const loaded = loadPlanFile(opts.planPath);
  const step = findStep(loaded, opts.stepId);
  kindOf(step);

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
    const outcome = await executeStep(ctx);
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
