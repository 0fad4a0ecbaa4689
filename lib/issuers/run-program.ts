/**
 * Running a declared program (an ACME DNS-01 hook, a command issuer): an argument list started
 * without a shell, in the inventory's folder, bounded in time and output. On timeout its whole
 * process group is ended (a script's children too).
 */
import { spawn } from 'node:child_process';
import { constants, accessSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { IssuerError } from './errors';

export interface ProgramRun {
  /** Program and arguments; a program with a '/' in it is a path from `cwd`, else it is looked up on PATH. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin?: string;
  readonly timeoutMs: number;
  /** @default 1 MiB */
  readonly maxStdout?: number;
  /** Bytes of stderr kept (the first ones). @default 16 KiB */
  readonly maxStderr?: number;
}

export interface ProgramResult {
  /** The exit code, or undefined when a signal ended it. */
  readonly code?: number;
  readonly signal?: string;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** stderr was longer than what is kept. */
  readonly stderrCut: boolean;
}

const KILL_GRACE_MS = 2_000;

/** The file a program word starts: with a '/' a path from `cwd`, else undefined (looked up on PATH). */
export function programPath(program: string, cwd: string): string | undefined {
  return program.includes('/') ? resolve(cwd, program) : undefined;
}

/** Where a program would be started from, as runProgram starts it, or why it cannot be. */
export type ProgramLookup =
  | { readonly found: true; readonly file: string }
  | { readonly found: false; readonly problem: 'missing' | 'not-on-path' | 'not-a-file' | 'not-executable'; readonly file?: string };

/**
 * Finds the program of an argument list without starting it: a path from `cwd` (a '/' in it), or
 * the first executable of that name on the PATH of `env` (what spawn looks up). For a check
 * before the sign step (lint), so a missing hook or signer shows at plan time, not in the window.
 */
export function findProgram(program: string, cwd: string, env: Readonly<Record<string, string | undefined>>): ProgramLookup {
  const path = programPath(program, cwd);
  if (path !== undefined) {
    const problem = fileProblem(path);
    return problem === undefined ? { found: true, file: path } : { found: false, problem, file: path };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(resolve(cwd, dir), program);
    if (fileProblem(file) === undefined) return { found: true, file };
  }
  return { found: false, problem: 'not-on-path' };
}

function fileProblem(file: string): 'missing' | 'not-a-file' | 'not-executable' | undefined {
  try {
    if (!statSync(file).isFile()) return 'not-a-file';
  } catch {
    return 'missing';
  }
  try {
    accessSync(file, constants.X_OK);
    return undefined;
  } catch {
    return 'not-executable';
  }
}

/** Runs the program to its end. `what` names it in messages ("DNS-01 hook dns01Hook"). */
export function runProgram(issuer: string, what: string, run: ProgramRun): Promise<ProgramResult> {
  const [program, ...args] = run.argv;
  const file = programPath(program, run.cwd) ?? program;
  const maxStdout = run.maxStdout ?? 1024 * 1024;
  const maxStderr = run.maxStderr ?? 16 * 1024;
  return new Promise<ProgramResult>((resolvePromise, reject) => {
    let settled = false;
    const finish = (e: Error | undefined, r?: ProgramResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      if (e) reject(e);
      else resolvePromise(r!);
    };
    const child = spawn(file, args, {
      cwd: run.cwd,
      env: Object.fromEntries(Object.entries(run.env).filter((e): e is [string, string] => e[1] !== undefined)),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      detached: true,
    });
    const out: Buffer[] = [];
    let outSize = 0;
    const err: Buffer[] = [];
    let errSize = 0;
    let errCut = false;
    let killer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup('SIGTERM');
      killer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      finish(new IssuerError(issuer, 'unreachable', `${what} '${program}' did not finish within ${run.timeoutMs / 1000} s and was stopped: check what it waits for, then try again`));
    }, run.timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      outSize += c.length;
      if (outSize > maxStdout) {
        killGroup('SIGKILL');
        finish(new IssuerError(issuer, 'bad-response', `${what} '${program}' printed more than ${maxStdout} bytes on standard output: it should print the PEM chain only`));
      } else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (errSize < maxStderr) err.push(c.subarray(0, maxStderr - errSize));
      if (errSize + c.length > maxStderr) errCut = true;
      errSize += c.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const fix =
        e.code === 'ENOENT'
          ? program.includes('/')
            ? `no such program (paths start at ${run.cwd}): check the path`
            : 'not found on PATH: give its path'
          : e.code === 'EACCES'
            ? 'it is not executable: chmod +x it'
            : e.message;
      finish(new IssuerError(issuer, 'config', `cannot start ${what} '${program}': ${fix}`));
    });
    child.on('close', (code, signal) => {
      finish(undefined, {
        ...(code !== null ? { code } : {}),
        ...(signal ? { signal } : {}),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        stderrCut: errCut,
      });
    });
    // A program that does not read its input closes the pipe early: that is its business.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.stdin ?? '');
  });
}
