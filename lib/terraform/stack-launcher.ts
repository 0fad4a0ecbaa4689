/**
 * The `ucrollout` launcher each stack folder carries: an executable script that starts the CLI
 * with the very runner words the stack's steps use (cdk.tf.json), so what a message says to
 * type, `./ucrollout confirm <id> --plan plan.json`, works from the folder it is read in.
 *
 * Every word is single-quoted (nothing in a path is interpreted by the shell); a word that
 * is a relative path is relative to the stack folder, as Terraform runs the steps there, so the
 * script resolves it from its own location, from any working directory. A stack folder copied
 * without the package beside it (a jump host with uc-cert-rollout installed) falls back to the
 * `ucrollout` on PATH.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** File name of the launcher in a stack folder. */
export const STACK_LAUNCHER = 'ucrollout';

/** One word for a POSIX shell, never interpreted: single-quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A word that names a file relative to the stack folder (not a command looked up on PATH, not an option). */
function isRelativePath(word: string): boolean {
  return word.includes('/') && !isAbsolute(word) && !word.startsWith('-');
}

/** The launcher script for these runner words (lib/terraform/runner.ts). */
export function stackLauncherScript(runner: readonly string[]): string {
  const relative = runner.filter(isRelativePath);
  const words = runner.map((w) => (isRelativePath(w) ? `"$here/"${shellWord(w)}` : shellWord(w)));
  const lines = [
    '#!/bin/sh',
    '# ucrollout as the steps of this stack run it (cdk.tf.json). From this folder:',
    '#   ./ucrollout confirm <id> --plan plan.json',
    '# Written by ucrollout plan / cdktf synth: do not edit.',
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 2',
  ];
  if (relative.length > 0) {
    const checks = relative.map((w) => `[ -e "$here/"${shellWord(w)} ]`).join(' && ');
    lines.push(
      `if ${checks}; then`,
      `  exec ${words.join(' ')} "$@"`,
      'fi',
      '# The folder was copied away from the package it was written with: use the installed one.',
      'if command -v ucrollout >/dev/null 2>&1; then exec ucrollout "$@"; fi',
      `echo "ucrollout: neither ${relative.map((w) => w.replace(/["\\$`]/g, '')).join(', ')} (relative to $here) nor a ucrollout on PATH: install uc-cert-rollout on this host (npm install -g /path/to/uc-cert-rollout: a checkout, or the tarball npm pack makes of it) or re-synthesize the stack" >&2`,
      'exit 2',
    );
  } else {
    lines.push(`exec ${words.join(' ')} "$@"`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the launcher into a stack folder, executable. */
export function writeStackLauncher(dir: string, runner: readonly string[]): void {
  const file = join(dir, STACK_LAUNCHER);
  writeFileSync(file, stackLauncherScript(runner), { mode: 0o755 });
  chmodSync(file, 0o755);
}
