/**
 * One run of a step at a time: a lock file per step in plan.state/locks/, created exclusively
 * and holding the owner's pid. A lock whose owner is gone (an apply killed with -9) is taken
 * over; a live owner is waited for, bounded by time, then reported.
 */
import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Which process a pid is, where the system says (Linux: the boot and the process's start time):
 * a pid is reused once its process is gone, soon on a busy host (pid_max is often 32768) and
 * surely after a reboot, so a lock left by a killed run must not be taken for a live one.
 * Undefined where it cannot be told (another system): the pid alone decides there.
 */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces and parentheses): state is the 3rd, starttime the 22nd.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return 'exited';
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    return `${boot}/${rest[19]}`;
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processIdentity(owner.pid);
  if (now === 'exited') return false; // a zombie: killed, not reaped yet
  return owner.identity === undefined || now === undefined || now === owner.identity;
}

interface LockOwner {
  readonly pid: number;
  readonly identity?: string;
}

/** Who holds a lock file, or undefined when it cannot be read (being written, or damaged). */
function owner(file: string): LockOwner | undefined {
  try {
    const held = JSON.parse(readFileSync(file, 'utf8'));
    const pid = Number(held.pid);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return typeof held.identity === 'string' ? { pid, identity: held.identity } : { pid };
  } catch {
    return undefined;
  }
}

/** How long an unreadable lock file may be someone's before it is taken over. */
const DAMAGED_LOCK_MS = 2_000;

/**
 * Creates the lock whole or not at all: the owner is written to a file of this process's own,
 * then linked to the lock's name (which fails if another run holds it). A kill at any moment
 * leaves either no lock, or a complete one naming the killed process, never an empty lock.
 */
function takeLock(file: string, now: number): boolean {
  const identity = processIdentity(process.pid);
  const mine = `${file}.${process.pid}.tmp`;
  writeFileSync(mine, JSON.stringify({ pid: process.pid, ...(identity ? { identity } : {}), since: new Date(now).toISOString() }), { mode: 0o600 });
  try {
    linkSync(mine, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Milliseconds since an unreadable lock file last changed (0 when it is readable or gone). */
function unreadableFor(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
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
    if (takeLock(file, opts.now())) return { waited, release: () => rmSync(file, { force: true }) };
    const held = owner(file);
    const pid = held?.pid;
    if (held !== undefined && !alive(held)) {
      opts.log(`taking over the lock of ${id} from process ${pid}, which is gone (an interrupted apply)`);
      rmSync(file, { force: true });
      continue;
    }
    if (held === undefined && !existsSync(file)) continue; // released meanwhile: try again at once
    if (held === undefined && unreadableFor(file) > DAMAGED_LOCK_MS) {
      // Locks are whole when they appear (takeLock); one that cannot be read is damaged, or an
      // older release's, killed between creating and writing it: nobody holds it.
      opts.log(`taking over the lock of ${id}: its file ${file} cannot be read (damaged, or left by an interrupted apply)`);
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
