/**
 * `ucrollout step run <id> --plan plan.json`: load the plan (any platform), find the step,
 * finish the steps it depends on that an interrupted apply left, take the step's lock, let
 * its kind check the node and do only what is left, verify, record it in the journal.
 * The heavy modules (ssh2, https) load inside the drivers, only when a kind needs them.
 */
import { DriverConfigError, NodeError } from '../drivers/errors';
import { loadResolveMap, resolveMapPath } from '../drivers/resolve';
import type { PlanStep } from '../platforms';
import { EXECUTORS } from '../platforms/executors';
import { ExecutorTimeouts, StepContext } from './context';
import { AwaitingConfirmation, StepFailure } from './errors';
import { StepOutcome } from './outcome';
import { LoadedPlan, findStep, loadPlanFile } from './plan-file';
import { readJournal, writeJournal } from './state-files';
import { acquireStepLock } from './step-lock';


export const INSECURE_FIRST_CONTACT_ENV = 'UCROLLOUT_INSECURE_FIRST_CONTACT';
export const RESTART_TIMEOUT_ENV = 'UCROLLOUT_RESTART_TIMEOUT_SECONDS';
/**
 * How long a step waits for another run of itself to finish. After a kill, Terraform's state can
 * hold steps that never finished (it records a resource before its provisioner ends): several
 * dependents then finish the same dependency, one at a time, and the others wait for it, as long
 * as a step may take (a restart is bounded by 900 s by default).
 */
export const LOCK_WAIT_ENV = 'UCROLLOUT_LOCK_WAIT_SECONDS';
const DEFAULT_LOCK_WAIT_SECONDS = 1200;

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
  /**
   * Steps it depends on that have not finished for this plan: `finish` runs them first (what
   * `terraform apply` and `ucrollout step run` do), `ignore` runs the step alone (tests of what
   * a node refuses when the plan's order is not kept).
   * @default 'finish'
   */
  readonly dependencies?: 'finish' | 'ignore';
}

/** The runner of a step's kind on its plan's platform. */
function kindOf(loaded: LoadedPlan, step: { id: string; kind: string }): (ctx: StepContext) => Promise<StepOutcome> {
  const kinds = EXECUTORS[loaded.plan.platform];
  const kind = kinds && Object.prototype.hasOwnProperty.call(kinds, step.kind) ? kinds[step.kind] : undefined;
  if (!kind) {
    throw new StepFailure(
      `Step ${step.id} has kind '${step.kind}', which a ${loaded.plan.platform} plan of this ucrollout does not run (it runs ${Object.keys(kinds ?? {}).join(', ')}): the plan is inconsistent or newer, re-run 'ucrollout plan'`,
    );
  }
  return kind as (ctx: StepContext) => Promise<StepOutcome>;
}

/** One step on a prepared context: the kind checks the node, does only what is left, verifies. No journal (runStep writes it). */
export async function executeStep(ctx: StepContext): Promise<StepOutcome> {
  return kindOf(ctx.loaded, ctx.step)(ctx);
}

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const loaded = loadPlanFile(opts.planPath);
  return new StepRunner(loaded, opts).run(findStep(loaded, opts.stepId));
}

/**
 * Runs steps of one plan in this process. Crash-safe: before a step acts, every step it
 * depends on must have finished for this version of the plan (its journal entry has the
 * current trigger); one that has not (an apply was killed while it ran, or Terraform recorded
 * it but it never finished) runs first, checking the node before it acts. Never is a step
 * acted on while a dependency is undone, and two runs of one step never overlap (a lock).
 */
export class StepRunner {
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Steps finished in this process. */
  private readonly finished = new Set<string>();

  constructor(
    private readonly loaded: LoadedPlan,
    private readonly opts: Omit<RunStepOptions, 'planPath' | 'stepId'>,
  ) {
    this.env = opts.env ?? process.env;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Whether a step finished for the plan's current version: in this process, or by its journal. */
  isFinished(step: PlanStep): boolean {
    return this.finished.has(step.id) || readJournal(this.loaded, step) !== undefined;
  }

  /**
   * Runs one step. A `once` step that later steps already built on is done: re-running a
   * precondition after the change moved on (`database cluster status` after the cluster was
   * removed) would fail, and re-running a change under later ones could undo them. Any other
   * step checks its node, whatever ran after it (a CA certificate deleted since is put back).
   * `recheck` (reconcile's verify pass) always checks the node.
   */
  async run(step: PlanStep, path: readonly string[] = [], recheck = false): Promise<StepOutcome> {
    kindOf(this.loaded, step);
    for (const id of this.opts.dependencies === 'ignore' ? [] : step.dependsOn) {
      const dependency = findStep(this.loaded, id);
      if (this.isFinished(dependency)) continue;
      if (path.includes(id)) throw new StepFailure(`Dependency cycle through ${[...path, id].join(' => ')}: the plan is damaged, re-run 'ucrollout plan'`);
      this.log(`${id} (a step ${step.id} depends on) has not finished for this plan, e.g. an apply was interrupted: running it first`);
      await this.run(dependency, [...path, step.id]);
    }
    const waitSeconds = Number(this.env[LOCK_WAIT_ENV]);
    const asked = this.now();
    const lock = await acquireStepLock(this.loaded, step.id, {
      waitMs: (waitSeconds >= 0 ? waitSeconds : DEFAULT_LOCK_WAIT_SECONDS) * 1000,
      now: this.now,
      sleep: this.sleep,
      log: this.log,
    });
    try {
      // Another run of this step held the lock and finished it meanwhile: not again.
      const other = lock.waited ? readJournal(this.loaded, step) : undefined;
      if (other && Date.parse(other.doneAt) >= asked) {
        this.finished.add(step.id);
        return { changed: false, summary: `finished by another run at ${other.doneAt}: ${other.summary}` };
      }
      const later = recheck || !step.once ? undefined : this.finishedDependent(step);
      if (later) {
        this.finished.add(step.id);
        return { changed: false, summary: `already done: ${later}, which runs after it, finished for this plan` };
      }
      // A damaged journal entry of this step stops it before it acts (readJournal throws), not after.
      readJournal(this.loaded, step);
      const outcome = await this.execute(step);
      writeJournal(this.loaded, step, outcome.changed, outcome.summary, new Date(this.now()));
      this.finished.add(step.id);
      return outcome;
    } finally {
      lock.release();
    }
  }

  /**
   * A step that depends on this one and finished after it, both for this version of the plan:
   * the change has built on this step (Terraform asks for it again only after a kill: a tainted or stale state).
   */
  private finishedDependent(step: PlanStep): string | undefined {
    const own = readJournal(this.loaded, step);
    if (!own) return undefined;
    return this.loaded.plan.steps.find((s: PlanStep) => {
      if (!s.dependsOn.includes(step.id)) return false;
      const theirs = readJournal(this.loaded, s);
      return theirs !== undefined && theirs.doneAt >= own.doneAt;
    })?.id;
  }

  private async execute(step: PlanStep): Promise<StepOutcome> {
    const resolveFile = resolveMapPath(this.opts.resolvePath, this.env);
    const restartSeconds = Number(this.env[RESTART_TIMEOUT_ENV]);
    const ctx = new StepContext({
      loaded: this.loaded,
      step,
      resolveMap: resolveFile ? loadResolveMap(resolveFile) : undefined,
      insecureFirstContact: this.opts.insecureFirstContact ?? this.env[INSECURE_FIRST_CONTACT_ENV] === '1',
      env: this.env,
      timeouts: { ...(restartSeconds > 0 ? { restartMs: restartSeconds * 1000 } : {}), ...this.opts.timeouts },
      log: this.log,
      now: this.now,
      sleep: this.sleep,
    });
    try {
      return await executeStep(ctx);
    } catch (e) {
      if (e instanceof StepFailure || e instanceof AwaitingConfirmation) throw e;
      if (e instanceof NodeError || e instanceof DriverConfigError) throw new StepFailure(e.message);
      throw e;
    } finally {
      ctx.close();
    }
  }
}
