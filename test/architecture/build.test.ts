/**
 * After `npm run build` the compiled package works end to end: in a copy of the checkout,
 * the build writes dist/ and its stamp, `node bin/ucrollout` then runs dist/, `plan` writes
 * the stacks, and a step runs both directly and through the stack's own local-exec command
 * (the runner must be <package root>/bin/ucrollout, not a path under dist/). The compiled and
 * the source CLI write byte-identical stacks. Slow (a full tsc): project e2e.
 *
 * The step is the manual maintenance window: exit 3 (awaiting `ucrollout confirm`) means it
 * ran. `step run` first runs the unfinished steps it depends on (the preflights), so a twin
 * started with `ucrollout sim start` (from dist/ too) answers them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const COPY = ['bin', 'scripts', 'lib', 'constructs', 'examples', 'main.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'cdktf.json'];
const MANUAL_STEP = 'manual/maintenance-window';
// `step run` of the manual step runs its dependencies first; the preflight refuses, before the
// window, the example's certificate files (signed elsewhere: no node of a fresh twin holds their keys).
const REFUSED = 1;
const REFUSAL = /is not for a key this node holds/;
const CREDENTIALS = { UCROLLOUT_USERNAME: 'buildadmin', UCROLLOUT_PASSWORD: 'build-secret-71' };
const ADDRESS_BASE = '127.0.71.2';

const scratch = mkdtempSync(join(tmpdir(), 'ucr-build-'));
const checkout = join(scratch, 'checkout');
const out = join(scratch, 'out');
const twinState = join(scratch, 'twin');
let build: { status: number | null; stdout: string; stderr: string };

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', ...extra };
  if (!('UCROLLOUT_FROM_SOURCE' in extra)) delete e.UCROLLOUT_FROM_SOURCE;
  return e;
}

function ucrollout(args: string[], extra: NodeJS.ProcessEnv = {}, cwd = checkout) {
  const r = spawnSync(process.execPath, [join(checkout, 'bin', 'ucrollout'), ...args], { cwd, env: env(extra), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * What Terraform's local-exec runs for `stepId`, read from the stack's cdk.tf.json, as an
 * argument list: `interpreter` + `command` when the stack names an interpreter, else `sh -c command`.
 */
function localExec(stackDir: string, stepId: string): string[] {
  type LocalExec = { command: string; interpreter?: string[] };
  const tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  const runs = Object.values<Record<string, { provisioner?: { 'local-exec'?: LocalExec }[] }>>(tf.resource)
    .flatMap((byName) => Object.values(byName))
    .flatMap((r) => (r.provisioner ?? []).flatMap((p) => (p['local-exec'] ? [p['local-exec']] : [])))
    .map((x) => (x.interpreter ? [...x.interpreter, x.command] : ['/bin/sh', '-c', x.command]))
    .filter((argv) => argv.join(' ').split(/\s+/).includes(stepId));
  expect(runs, `one local-exec runs ${stepId}`).toHaveLength(1);
  return runs[0];
}

function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else files[child] = readFileSync(join(dir, child), 'latin1');
    }
  };
  walk('');
  return files;
}

beforeAll(() => {
  // GIVEN a copy of the checkout (the shared one's dist/ is left alone) with its dependencies
  for (const rel of COPY) cpSync(join(ROOT, rel), join(checkout, rel), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  // WHEN it is built the way a user builds it
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: checkout, env: env(), encoding: 'utf8', timeout: 300_000 });
  build = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, 320_000);

afterAll(() => {
  if (existsSync(join(twinState, 'ready.json'))) ucrollout(['sim', 'stop', '--state', twinState]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('compiles lib/, constructs/ and main.ts to dist/ and stamps it', () => {
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(existsSync(join(checkout, 'dist', 'lib', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(checkout, 'dist', 'constructs', 'index.js'))).toBe(true);
    expect(existsSync(join(checkout, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(checkout, 'dist', '.build-stamp'))).toBe(true);
    // No tests, benches or package.json in dist/: the package root stays the checkout.
    expect(readdirSync(join(checkout, 'dist')).sort()).toEqual(['.build-stamp', 'constructs', 'lib', 'main.js']);
    expect(ucrollout(['--version']).stdout).toContain('running: compiled dist/');
  });

  it('then `node bin/ucrollout plan` runs dist/ and writes the stacks', () => {
    expect(build.status).toBe(0);
    // WHEN the compiled CLI plans the lab example (UCROLLOUT_DEBUG: the launcher says which ran)
    const r = ucrollout(['plan', '--inventory', join(checkout, 'examples', 'lab.yaml'), '--out', out], { UCROLLOUT_DEBUG: '1' });
    // THEN it ran from dist/ and wrote plan.json, PLAN.md and cdk.tf.json
    expect(r.stderr).toContain('ucrollout: running compiled dist/');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lab: \d+ steps \(\d+ manual\) on 3 nodes/m);
    for (const f of ['plan.json', 'PLAN.md', 'cdk.tf.json']) expect(existsSync(join(out, 'stacks', 'lab', f)), f).toBe(true);
  });

  it('and a step runs from dist/: directly, and through the stack\'s own local-exec command', () => {
    const stack = join(out, 'stacks', 'lab');
    expect(existsSync(join(stack, 'plan.json'))).toBe(true);
    // GIVEN the lab's twin, started by the compiled CLI
    const ready = join(twinState, 'ready.json');
    const started = ucrollout(['sim', 'start', '--inventory', join(checkout, 'examples', 'lab.yaml'), '--state', twinState, '--ready-file', ready, '--address-base', ADDRESS_BASE], CREDENTIALS);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const twin = { ...CREDENTIALS, UCROLLOUT_RESOLVE: ready, UCROLLOUT_INSECURE_FIRST_CONTACT: '1', UCROLLOUT_DEBUG: '1' };
    // WHEN the manual step runs as an engineer would type it
    const direct = ucrollout(['step', 'run', MANUAL_STEP, '--plan', join(stack, 'plan.json')], twin);
    // THEN it ran from dist/: its dependencies first, whose preflight refuses what no node can install
    expect(direct.stderr).toContain('ucrollout: running compiled dist/');
    expect(direct.code, direct.stderr).toBe(REFUSED);
    expect(direct.stderr).toMatch(REFUSAL);
    expect(direct.stderr).toContain('ucrollout csr --on-node');
    // WHEN Terraform's command for it runs, from the stack folder
    const argv = localExec(stack, MANUAL_STEP);
    const viaStack = spawnSync(argv[0], argv.slice(1), { cwd: stack, env: env(twin), encoding: 'utf8', timeout: 120_000 });
    // THEN the runner it names is the package's own bin/ucrollout (not one under dist/), and it runs dist/ too
    const runner = argv.join(' ').split(/\s+/).find((w) => w.endsWith('bin/ucrollout'));
    expect(runner, argv.join(' ')).toBeDefined();
    expect(resolve(stack, runner!)).toBe(join(checkout, 'bin', 'ucrollout'));
    expect(viaStack.stderr).toContain('ucrollout: running compiled dist/');
    expect(viaStack.status, `${argv.join(' ')}\n${viaStack.stderr}`).toBe(REFUSED);
    expect(viaStack.stderr).toMatch(REFUSAL);
    expect(ucrollout(['sim', 'stop', '--state', twinState]).code).toBe(0);
  });

  it('gives the same stacks as the sources through tsx, byte for byte', () => {
    // (fresh folders side by side: the runner path is relative to the stack folder, and a step run leaves state in it)
    const distOut = join(scratch, 'out-dist');
    const sourceOut = join(scratch, 'out-source');
    const lab = join(checkout, 'examples', 'lab.yaml');
    expect(ucrollout(['plan', '--inventory', lab, '--out', distOut]).code).toBe(0);
    const r = ucrollout(['plan', '--inventory', lab, '--out', sourceOut], { UCROLLOUT_FROM_SOURCE: '1', UCROLLOUT_DEBUG: '1' });
    expect(r.stderr).toContain('ucrollout: running sources through tsx (UCROLLOUT_FROM_SOURCE is set)');
    expect(r.code, r.stderr).toBe(0);
    const fromDist = filesOf(join(distOut, 'stacks'));
    const fromSource = filesOf(join(sourceOut, 'stacks'));
    expect(Object.keys(fromSource).sort()).toEqual(Object.keys(fromDist).sort());
    for (const [file, text] of Object.entries(fromDist)) expect(fromSource[file], file).toBe(text);
  });

  it('falls back to the sources once a source changes, and plans the same', () => {
    // GIVEN the build, then a source saved again
    const file = join(checkout, 'lib', 'cli', 'main.ts');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    // THEN --version says the sources run, and plan still works
    expect(ucrollout(['--version']).stdout).toContain('dist/ is stale');
    const r = ucrollout(['plan', '--inventory', join(checkout, 'examples', 'lab.yaml'), '--out', join(scratch, 'out-stale')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
