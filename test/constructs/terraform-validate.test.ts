import { App } from 'cdktf';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labStack } from './helpers';

const out = mkdtempSync(join(tmpdir(), 'ucr-validate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the synthesized terraform_data stack', () => {
  it('passes terraform init and validate offline (no provider download)', () => {
    // GIVEN the lab stack synthesized to a folder
    const app = new App({ outdir: out });
    labStack(app, { runner: undefined });
    app.synth();
    const dir = join(out, 'stacks', 'lab');
    const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
    // WHEN Terraform initializes and validates it  THEN both succeed
    execFileSync('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: dir, env, stdio: 'pipe' });
    const validate = execFileSync('terraform', ['validate', '-json'], { cwd: dir, env, encoding: 'utf8' });
    expect(JSON.parse(validate)).toMatchObject({ valid: true, error_count: 0 });
  }, 60_000);
});
