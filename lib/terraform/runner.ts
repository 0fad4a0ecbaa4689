/**
 * How a stack's steps start the `ucrollout` CLI: an argument list Terraform runs without a
 * shell (local-exec `interpreter`), so no path or id is ever interpreted by one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** The folder of this package (the one holding package.json named uc-cert-rollout), from source or from dist/. */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'uc-cert-rollout') return dir;
      } catch {
        // not ours: keep looking upwards
      }
    }
    if (dirname(dir) === dir) throw new Error(`Cannot find the uc-cert-rollout package above ${from}: pass the runner explicitly`);
  }
}

/** The default runner: `node <path from the stack folder to this package's bin/ucrollout>`. */
export function defaultRunner(stackDir: string): string[] {
  return ['node', relative(stackDir, join(packageRoot(), 'bin', 'ucrollout')).split(sep).join('/')];
}

/**
 * A runner given as one string (the construct prop, `--runner`) split into words the way a
 * POSIX shell would split plain words and quoted ones, without expanding anything.
 */
export function runnerWords(runner: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < runner.length; i++) {
    const ch = runner[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && (runner[i + 1] === '"' || runner[i + 1] === '\\')) word += runner[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '\\' && i + 1 < runner.length) {
      word = (word ?? '') + runner[++i];
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error(`runner ${JSON.stringify(runner)} has an unclosed ${quote} quote`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new Error('runner is empty: give the command that starts ucrollout, e.g. "npx ucrollout"');
  return words;
}
