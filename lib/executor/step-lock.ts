/**
 * One run of a step at a time: a lock file per step in plan.state/locks/, created exclusively
 * and holding the owner's pid. A lock whose owner is gone (an apply killed with -9) is taken
 * over; a live owner is waited for, bounded by time, then reported.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StepFailure } from './errors';
import { LoadedPlan } from './plan-file';
import { ensurePrivateDir, stateDir } from './state-files';

export interface StepLock {
  /** Another live run held the lock first: this one waited for it. */
  readonly waited: boolean;
  release(): void;
}

function lockFile(loaded: LoadedPlan, id: string): string {
  return join(stateDir(loaded), 'locks', `${encodeURIComponent(id)}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file, or undefined when it cannot be read (being written, or damaged). */
function owner(file: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(file, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireStepLock(
  loaded: LoadedPlan,
  id: string,
  opts: { waitMs: number; now: () => number; sleep: (ms: number) => Promise<void>; log: (line: string) => void },
): Promise<StepLock> {
  ensurePrivateDir(stateDir(loaded));
  ensurePrivateDir(join(stateDir(loaded), 'locks'));
  const file = lockFile(loaded, id);
  const deadline = opts.now() + opts.waitMs;
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date(opts.now()).toISOString() }));
      closeSync(fd);
      return { waited, release: () => rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = owner(file);
    if (pid !== undefined && !alive(pid)) {
      opts.log(`taking over the lock of ${id} from process ${pid}, which is gone (an interrupted apply)`);
      rmSync(file, { force: true });
      continue;
    }
    if (opts.now() >= deadline) {
      throw new StepFailure(
        `step ${id} is already running${pid ? ` (process ${pid})` : ''}: wait for it to finish, or stop it, then apply again (its lock is ${file})`,
      );
    }
    if (!waited) opts.log(`waiting for another run of ${id}${pid ? ` (process ${pid})` : ''} to finish`);
    waited = true;
    await opts.sleep(Math.min(500, Math.max(1, deadline - opts.now())));
  }
}
