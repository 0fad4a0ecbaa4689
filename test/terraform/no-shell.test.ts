/**
 * cdk.tf.json runs each step without a shell (local-exec `interpreter`): a path holding a
 * space, quotes or `$(…)` is passed as one argument, never interpreted. Through the real
 * `terraform apply` of a one-step stack (a manual step confirmed by the environment).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterPlan, ManualStep, PLAN_FORMAT_VERSION } from '../../lib/platforms';
import { packageRoot, runnerWords, writeStack } from '../../lib/terraform';

const STEP: ManualStep = {
  id: 'manual/maintenance-window',
  kind: 'manual',
  cluster: 'odd',
  node: 'pub.example.com',
  purpose: 'cluster',
  dependsOn: [],
  description: 'Confirm the window',
  command: 'Confirm',
  reason: 'test',
  trigger: 't1',
};
const PLAN: ClusterPlan = {
  formatVersion: PLAN_FORMAT_VERSION,
  platform: 'cucm',
  cluster: { name: 'odd', securityMode: 'non-secure', sso: false, credentials: { usernameEnv: 'U', passwordEnv: 'P' }, interclusterPeers: [], nodes: [] },
  purposes: [],
  certificates: [],
  warnings: [],
  steps: [STEP],
};
const TF = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', UCROLLOUT_CONFIRM_ALL: '1' };

function apply(dir: string): { status: number | null; output: string } {
  const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env: TF, encoding: 'utf8' });
  expect(init.status, init.stdout + init.stderr).toBe(0);
  const r = spawnSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: dir, env: TF, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('no shell in cdk.tf.json', () => {
  const odd = `we ird $(touch PWNED) 'q" x`;

  it('GIVEN a stack folder under a path with a space, quotes and $(…) WHEN applied THEN the step runs and nothing is interpreted', () => {
    const root = mkdtempSync(join(tmpdir(), 'noshell-'));
    const outdir = join(root, odd);
    mkdirSync(outdir, { recursive: true });
    writeStack(outdir, { plan: PLAN, files: [] }, {});
    const dir = join(outdir, 'stacks', 'odd');
    const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    const exec = tf.resource.terraform_data['manual__maintenance-window'].provisioner[0]['local-exec'];
    expect(exec.command).toBe(STEP.id);
    expect(exec.interpreter.slice(-4)).toEqual(['step', 'run', '--plan', 'plan.json']);
    const r = apply(dir);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/confirmed by UCROLLOUT_CONFIRM_ALL/);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    expect(existsSync(join(root, 'PWNED'))).toBe(false);
  }, 180_000);

  it('GIVEN a runner whose path holds the same characters THEN it is one argument', () => {
    const root = mkdtempSync(join(tmpdir(), 'noshell-'));
    const words = runnerWords(`node "${join(packageRoot(), 'bin', 'ucrollout')}" --extra 'a b' c\\ d`);
    expect(words).toEqual(['node', join(packageRoot(), 'bin', 'ucrollout'), '--extra', 'a b', 'c d']);
    expect(() => runnerWords('node "unclosed')).toThrow(/unclosed/);
    // A runner given as words keeps `$(…)` literal: the stack applies and no file appears.
    writeStack(root, { plan: PLAN, files: [] }, { runner: `node '${join(packageRoot(), 'bin', 'ucrollout')}'` });
    const r = apply(join(root, 'stacks', 'odd'));
    expect(r.status, r.output).toBe(0);
    expect(existsSync(join(root, 'stacks', 'odd', 'PWNED'))).toBe(false);
  }, 180_000);
});
