/**
 * bin/ucrollout never runs stale output: it runs dist/ only while dist/.build-stamp matches
 * the sources, else (silently) the sources through tsx; UCROLLOUT_FROM_SOURCE forces the
 * sources; `--version` and UCROLLOUT_DEBUG say which ran. Checked on a miniature checkout
 * whose "compiled" and "source" CLIs say which they are, so no tsc run is needed, except for
 * the build script's own test (two tiny files).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const stamp = require(join(ROOT, 'scripts', 'build-stamp.cjs')) as {
  SOURCE_DIRS: string[];
  SOURCE_FILES: string[];
  STAMP_FILE: string;
  sourceFingerprint(root: string): { fingerprint: string; files: number };
  distState(root: string): 'current' | 'stale' | 'no-build';
};

const scratch = mkdtempSync(join(tmpdir(), 'ucr-launcher-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** A checkout with the real launcher and stamp code, a one-line CLI in lib/ and its "build" in dist/. */
function miniCheckout(name: string): string {
  const root = join(scratch, name);
  rmSync(root, { recursive: true, force: true });
  for (const rel of ['bin/ucrollout', 'scripts/build-stamp.cjs', 'scripts/build.cjs', 'package.json']) cpSync(join(ROOT, rel), join(root, rel));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  // No @types/node and a small lib: the build test's tsc runs stay short.
  write(root, 'lib/cli/main.ts', "declare const process: { stdout: { write(s: string): void } };\nexport async function main(argv: string[]): Promise<number> {\n  process.stdout.write(`source ${argv.join(' ')}\\n`);\n  return 0;\n}\n");
  write(root, 'lib/plan/index.ts', 'export const PLAN = 1;\n');
  write(root, 'constructs/index.ts', 'export const CONSTRUCTS = 1;\n');
  write(root, 'main.ts', 'export {};\n');
  write(root, 'tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: '.', types: [], lib: ['ES5', 'ES2015.Promise'] } }));
  write(root, 'tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['lib/**/*.ts', 'constructs/**/*.ts', 'main.ts'] }));
  return root;
}

/** What `npm run build` leaves, without tsc: a compiled CLI that says so, and the stamp of the sources. */
function fakeBuild(root: string): void {
  write(root, 'dist/lib/cli/main.js', "exports.main = async (argv) => { process.stdout.write(`dist ${argv.join(' ')}\\n`); return 0; };\n");
  const { fingerprint, files } = stamp.sourceFingerprint(root);
  write(root, stamp.STAMP_FILE, JSON.stringify({ fingerprint, files, builtAt: '2026-01-01T00:00:00.000Z' }));
}

function run(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env };
  delete clean.UCROLLOUT_FROM_SOURCE;
  delete clean.UCROLLOUT_DEBUG;
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ucrollout'), ...args], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Moves a file's mtime forward, as an editor's save does, without changing its content. */
function touch(root: string, rel: string): void {
  const file = join(root, rel);
  const later = new Date(statSync(file).mtimeMs + 2000);
  utimesSync(file, later, later);
}

describe('bin/ucrollout', () => {
  let root: string;
  beforeEach(() => {
    root = miniCheckout('checkout');
    fakeBuild(root);
  });

  it('runs the compiled CLI when the build stamp matches the sources', () => {
    // GIVEN a fresh build  WHEN a command runs  THEN dist/ answers, and nothing else is printed
    expect(run(root, ['step', 'run', 'x'])).toEqual({ code: 0, stdout: 'dist step run x\n', stderr: '' });
    expect(run(root, ['--version']).stdout).toMatch(/^ucrollout \d+\.\d+\.\d+\nrunning: compiled dist\/ \(build stamp matches the sources\), built 2026-01-01/);
  });

  it('falls back to the sources, silently, when a source file was touched after the build', () => {
    // GIVEN a build, then a save of lib/plan/index.ts (same content, newer mtime)
    touch(root, 'lib/plan/index.ts');
    // WHEN a command runs  THEN the sources answer and the success path prints only the command's output
    expect(run(root, ['step', 'run', 'x'])).toEqual({ code: 0, stdout: 'source step run x\n', stderr: '' });
    // AND --version says why, naming the file
    expect(run(root, ['--version']).stdout).toContain('running: sources through tsx (dist/ is stale: a source changed since the last `npm run build`); lib/plan/index.ts changed');
  });

  it('treats a source added, removed or resized, and a changed tsconfig, as stale', () => {
    const cases: [string, (r: string) => void, string][] = [
      ['added', (r) => write(r, 'constructs/extra.ts', 'export {};\n'), 'constructs/extra.ts was added'],
      ['removed', (r) => rmSync(join(r, 'lib/plan/index.ts')), 'lib/plan/index.ts was removed'],
      ['tsconfig', (r) => touch(r, 'tsconfig.build.json'), 'tsconfig.build.json changed'],
      ['main.ts', (r) => touch(r, 'main.ts'), 'main.ts changed'],
    ];
    for (const [label, change, says] of cases) {
      // GIVEN a fresh build, then one change
      const r = miniCheckout(`stale-${label}`);
      fakeBuild(r);
      expect(stamp.distState(r), label).toBe('current');
      change(r);
      // THEN the sources run, and --version names the change
      expect(stamp.distState(r), label).toBe('stale');
      expect(run(r, ['plan']).stdout, label).toBe('source plan\n');
      expect(run(r, ['--version']).stdout, label).toContain(says);
    }
  });

  it('ignores Markdown beside the sources', () => {
    write(root, 'lib/plan/README.md', '# notes\n');
    expect(stamp.distState(root)).toBe('current');
  });

  it('runs the sources without a stamp, or without the compiled entry', () => {
    rmSync(join(root, stamp.STAMP_FILE));
    expect(run(root, ['plan']).stdout).toBe('source plan\n');
    expect(run(root, ['--version']).stdout).toContain('no complete build in dist/');
    fakeBuild(root);
    rmSync(join(root, 'dist/lib/cli/main.js'));
    expect(run(root, ['plan']).stdout).toBe('source plan\n');
  });

  it('runs the sources when UCROLLOUT_FROM_SOURCE is set, even with a fresh build (0 or empty: not set)', () => {
    expect(run(root, ['plan'], { UCROLLOUT_FROM_SOURCE: '1' }).stdout).toBe('source plan\n');
    expect(run(root, ['--version'], { UCROLLOUT_FROM_SOURCE: '1' }).stdout).toContain('UCROLLOUT_FROM_SOURCE is set');
    expect(run(root, ['plan'], { UCROLLOUT_FROM_SOURCE: '0' }).stdout).toBe('dist plan\n');
    expect(run(root, ['plan'], { UCROLLOUT_FROM_SOURCE: '' }).stdout).toBe('dist plan\n');
  });

  it('says on stderr which path ran when UCROLLOUT_DEBUG is set', () => {
    expect(run(root, ['plan'], { UCROLLOUT_DEBUG: '1' }).stderr).toBe('ucrollout: running compiled dist/ (build stamp matches the sources)\n');
    touch(root, 'lib/cli/main.ts');
    expect(run(root, ['plan'], { UCROLLOUT_DEBUG: '1' }).stderr).toMatch(/^ucrollout: running sources through tsx \(dist\/ is stale/);
  });
});

describe('the build script (npm run build, prepare)', () => {
  it('writes the stamp only after tsc succeeds, and removes output of deleted sources', () => {
    // GIVEN a miniature checkout with a leftover compiled file of a deleted source
    const root = miniCheckout('build');
    write(root, 'dist/lib/gone.js', 'exports.gone = 1;\n');
    // WHEN it builds
    const ok = spawnSync(process.execPath, [join(root, 'scripts', 'build.cjs')], { cwd: root, encoding: 'utf8' });
    // THEN dist/ holds exactly the compiled sources, the stamp matches, and the compiled CLI runs
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(existsSync(join(root, 'dist/lib/gone.js'))).toBe(false);
    expect(existsSync(join(root, 'dist/constructs/index.js'))).toBe(true);
    expect(existsSync(join(root, 'dist/main.js'))).toBe(true);
    expect(stamp.distState(root)).toBe('current');
    expect(run(root, ['plan']).stdout).toBe('source plan\n'); // the miniature's compiled main.ts prints "source" too
    expect(run(root, ['--version']).stdout).toContain('running: compiled dist/');
    // AND --if-stale does nothing while it is current
    const again = spawnSync(process.execPath, [join(root, 'scripts', 'build.cjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');

    // GIVEN a type error  WHEN it builds  THEN it fails and leaves no stamp: the launcher runs the sources
    write(root, 'lib/plan/index.ts', 'export const PLAN: number = "one";\n');
    const bad = spawnSync(process.execPath, [join(root, 'scripts', 'build.cjs')], { cwd: root, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('no build stamp written');
    expect(existsSync(join(root, stamp.STAMP_FILE))).toBe(false);
    expect(run(root, ['--version']).stdout).toContain('no complete build in dist/');
    // AND with --if-stale the failure is a warning (npm start still runs, from the sources)
    const tolerant = spawnSync(process.execPath, [join(root, 'scripts', 'build.cjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
    expect(tolerant.status).toBe(0);
    expect(tolerant.stderr).toContain('no build stamp written');
  }, 60_000);

  it('fingerprints what tsconfig.build.json compiles', () => {
    // GIVEN the real build config  THEN the stamp covers its include list and both tsconfigs
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    const covered = [...stamp.SOURCE_DIRS.map((d) => `${d}/**/*.ts`), ...stamp.SOURCE_FILES.filter((f) => f.endsWith('.ts'))];
    expect([...build.include].sort()).toEqual(covered.sort());
    expect(stamp.SOURCE_FILES).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
    expect(build.extends).toBe('./tsconfig.json');
  });

  it('checks the sources of this checkout in a few milliseconds', () => {
    // The launcher pays this on every `step run`: stat only, no reads, no crypto.
    stamp.sourceFingerprint(ROOT);
    const times = Array.from({ length: 9 }, () => {
      const start = process.hrtime.bigint();
      stamp.sourceFingerprint(ROOT);
      return Number(process.hrtime.bigint() - start) / 1e6;
    }).sort((a, b) => a - b);
    expect(times[4]).toBeLessThan(50); // typically 2 ms here; generous for a shared, noisy machine
  });
});
