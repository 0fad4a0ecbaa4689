/**
 * Shared by the day-2 tests: `ucrollout` as a child process (exit codes and output as a
 * monitoring system sees them), and a digital twin of an inventory on its own loopback range.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../lib/inventory';
import { Declarations } from '../../lib/model';
import { RunningTwin, startTwin } from '../../lib/simulator';

export const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ucrollout');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `ucrollout <args>` with `env` over a clean environment (no UCROLLOUT_RESOLVE of the caller). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UCROLLOUT_')));
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface InventoryTwin {
  readonly inventory: string;
  readonly declarations: Declarations;
  readonly baseDir: string;
  readonly twin: RunningTwin;
  readonly stateDir: string;
  readonly readyFile: string;
  readonly env: Record<string, string>;
}

/** The twin of an inventory's clusters, accepting `env`'s credentials. */
export async function startInventoryTwin(inventory: string, addressBase: string, env: Record<string, string>, label: string): Promise<InventoryTwin> {
  const { declarations, baseDir } = loadInventory(inventory);
  const stateDir = join(mkdtempSync(join(tmpdir(), `ucr-day2-${label}-`)), 'twin');
  const twin = await startTwin({ declarations, stateDir, addressBase, portMode: 'dynamic', restartMillis: 50, baseDir, env });
  return { inventory, declarations, baseDir, twin, stateDir, readyFile: join(stateDir, 'ready.json'), env };
}
