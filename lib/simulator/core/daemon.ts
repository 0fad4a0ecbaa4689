/**
 * Running the twin in the background for `ucrollout sim start|stop`: a detached child process
 * that writes stateDir/ready.json and stateDir/twin.pid, stopped with SIGTERM. Every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { READY_FILE, ReadyFile, readReadyFile } from './ready-file';
import { writeAtomic } from './state';

export const PID_FILE = 'twin.pid';
export const LOG_FILE = 'twin.log';
const POLL_MS = 100;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** An exited process its parent has not reaped yet still answers kill 0 (Linux: state Z in /proc). */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pid of the twin running for this state folder, if its pid file names a live twin process. */
export function runningTwinPid(stateDir: string): number | undefined {
  const file = join(stateDir, PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // A recycled pid must not be mistaken for the twin (Linux: check the command line).
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline) && !readFileSync(cmdline, 'utf8').includes('sim')) return undefined;
  return pid;
}

export function writePidFile(stateDir: string): void {
  writeAtomic(join(stateDir, PID_FILE), `${process.pid}\n`);
}

/** Removes the pid file when it still names this process (or, with `pid`, that one). */
export function removePidFile(stateDir: string, pid = process.pid): void {
  const file = join(stateDir, PID_FILE);
  if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
}

/** The ucrollout launcher (bin/ucrollout), found upwards from this file, in sources or in dist. */
export function launcherPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'bin', 'ucrollout');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('Cannot find bin/ucrollout above lib/simulator/core: run from a checkout or an installed package');
}

/**
 * Starts `ucrollout sim start … --foreground` detached, output to stateDir/twin.log, and
 * waits (at most `waitMs`) for its ready file. Throws with the log's last lines when it fails.
 */
export async function startDetached(stateDir: string, args: readonly string[], readyFile: string | undefined, waitMs: number): Promise<ReadyFile> {
  for (const f of [join(stateDir, READY_FILE), readyFile]) if (f) rmSync(f, { force: true });
  const logFile = join(stateDir, LOG_FILE);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [launcherPath(), 'sim', 'start', ...args, '--foreground'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const ready = readReadyFile(join(stateDir, READY_FILE));
    if (ready && ready.pid === child.pid && existsSync(join(stateDir, PID_FILE))) return ready;
    if (exited !== undefined) throw new Error(`the twin exited (code ${exited}) before it was ready:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (child.pid) process.kill(child.pid, 'SIGTERM');
  throw new Error(`the twin was not ready after ${waitMs} ms (stopped it):\n${tail(logFile)}`);
}

/** SIGTERM, wait at most `waitMs`, then SIGKILL. Returns how it ended. */
export async function stopTwinProcess(stateDir: string, pid: number, waitMs: number): Promise<'stopped' | 'killed'> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      removePidFile(stateDir, pid);
      return 'stopped';
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  process.kill(pid, 'SIGKILL');
  removePidFile(stateDir, pid);
  return 'killed';
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
