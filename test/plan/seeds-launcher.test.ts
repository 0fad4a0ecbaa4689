/**
 * Issue 11, point 11: a manual step says what to run from where it is read. Terraform runs the
 * steps in the stack folder, so the folder carries its own `ucrollout` (the runner words of its
 * cdk.tf.json) and the hint is `./ucrollout confirm <id> --plan plan.json`. A folder copied to a
 * jump host where the package is installed uses the installed `ucrollout`.
 */
import { App } from 'cdktf';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confirmCommand } from '../../lib/executor/kinds/manual';
import { loadInventory } from '../../lib/inventory';
import { STACK_LAUNCHER, stackLauncherScript, synthDeclarations, writeStackLauncher } from '../../lib/terraform';
import { EXAMPLES, labStack } from '../constructs/helpers';

const work = mkdtempSync(join(tmpdir(), 'ucr-launcher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function synthLab(outdir: string, runner?: string): string {
  const { declarations, baseDir } = loadInventory(join(EXAMPLES, 'lab.yaml'));
  synthDeclarations(declarations, { outdir, baseDir, runner, lint: false });
  return join(outdir, 'stacks', 'lab');
}

describe('the stack folder carries its own ucrollout', () => {
  it('GIVEN ucrollout plan WHEN the stack is written THEN ./ucrollout is executable and runs the runner words of cdk.tf.json', () => {
    const dir = synthLab(join(work, 'default'));
    const launcher = join(dir, STACK_LAUNCHER);
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
    const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    const interpreter: string[] = Object.values<{ provisioner: { 'local-exec': { interpreter: string[] } }[] }>(tf.resource.terraform_data)[0].provisioner[0]['local-exec'].interpreter;
    const [node, bin] = interpreter;
    expect(readFileSync(launcher, 'utf8')).toContain(`exec ${node} "$here/"${bin} "$@"`);
    expect(execFileSync('sh', ['-n', launcher])).toBeDefined();
  });

  it('GIVEN a manual step awaiting confirmation WHEN ./ucrollout confirm <id> --plan plan.json runs in the stack folder THEN it is recorded', () => {
    const dir = synthLab(join(work, 'confirm'));
    // --force: nothing has run on this fresh stack (without it, confirm waits for the preflights)
    const r = spawnSync('./ucrollout', ['confirm', 'manual/maintenance-window', '--plan', 'plan.json', '--force'], { cwd: dir, encoding: 'utf8', env: { ...process.env, UCROLLOUT_CONFIRMED_BY: 'seeds-test' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^confirmed manual\/maintenance-window/);
    expect(readFileSync(join(dir, 'plan.confirmations.json'), 'utf8')).toContain('seeds-test');
  }, 60_000);

  it('GIVEN the folder copied to a jump host WHEN ./ucrollout runs THEN the installed ucrollout runs, with the same arguments', () => {
    const dir = synthLab(join(work, 'copy-from'));
    const copy = join(work, 'jump', 'deep', 'er', 'lab');
    mkdirSync(join(work, 'jump', 'deep', 'er'), { recursive: true });
    cpSync(dir, copy, { recursive: true });
    const bin = join(work, 'jump-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ucrollout'), '#!/bin/sh\necho "installed ucrollout: $*"\n');
    chmodSync(join(bin, 'ucrollout'), 0o755);
    const r = spawnSync('./ucrollout', ['confirm', 'x/y', '--plan', 'plan.json'], { cwd: copy, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
    expect(r.stdout.trim()).toBe('installed ucrollout: confirm x/y --plan plan.json');
  });

  it('GIVEN runner words with spaces, quotes and $ WHEN the launcher runs THEN each word reaches the program as it is, uninterpreted', () => {
    const dir = join(work, 'odd', "a b'$(touch pwned)", 'stack');
    mkdirSync(dir, { recursive: true });
    const relative = "../we ird'$HOME`x`/cli.js";
    mkdirSync(join(dir, "../we ird'$HOME`x`"), { recursive: true });
    writeFileSync(join(dir, relative), '');
    writeStackLauncher(dir, ['printf', relative]);
    const r = spawnSync(join(dir, STACK_LAUNCHER), [], { cwd: work, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${dir}/${relative}`);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    expect(stackLauncherScript(['npx', 'ucrollout'])).toContain(`exec npx ucrollout "$@"`);
  });

  it('GIVEN cdktf synth of the same stack WHEN written THEN the launcher is the one ucrollout plan writes', () => {
    const viaCdktf = join(work, 'cdktf');
    const app = new App({ outdir: viaCdktf, skipValidation: true });
    labStack(app, { lint: false });
    app.synth();
    const viaLib = synthLab(join(work, 'lib'), 'ucrollout');
    expect(readFileSync(join(viaCdktf, 'stacks', 'lab', STACK_LAUNCHER), 'utf8')).toBe(readFileSync(join(viaLib, STACK_LAUNCHER), 'utf8'));
  });
});

describe('the manual step says what to run from where it is read', () => {
  it('GIVEN a stack folder with its launcher WHEN the hint is written THEN ./ucrollout confirm <id> --plan plan.json (with a cd when read elsewhere)', () => {
    const dir = synthLab(join(work, 'hint'));
    const plan = join(dir, 'plan.json');
    expect(confirmCommand(plan, 'manual/maintenance-window', dir)).toBe('./ucrollout confirm manual/maintenance-window --plan plan.json');
    expect(confirmCommand(plan, 'manual/maintenance-window', work)).toBe(`cd ${dir} && ./ucrollout confirm manual/maintenance-window --plan plan.json`);
  });

  it('GIVEN a plan without a launcher beside it WHEN the hint is written THEN the ucrollout on PATH with the plan path', () => {
    const plan = join(work, 'bare', 'plan.json');
    expect(confirmCommand(plan, 'a/b', work)).toBe(`ucrollout confirm a/b --plan ${plan}`);
  });
});
