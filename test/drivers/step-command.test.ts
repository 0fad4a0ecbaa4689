/**
 * `ucrollout step run` and `ucrollout confirm` as Terraform calls them: a child process,
 * its exit code and its one line of output.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterPlan } from '../../lib/platforms';
import { ENV, Lab, PUB, startLab } from './helpers';

const BIN = join(__dirname, '../../bin/ucrollout');

describe('ucrollout step run / confirm (child process)', () => {
  let lab: Lab;
  // Asynchronous: the twin answers from this very process.
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', UCROLLOUT_FROM_SOURCE: '1', ...ENV, UCROLLOUT_RESOLVE: lab.readyFile, ...env },
        timeout: 60_000,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
    });

  beforeAll(async () => {
    lab = await startLab('127.0.7.2', { certificates: true });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('prints one line and exits 0 for a step that succeeded', async () => {
    const r = await cli(['step', 'run', 'preflight/cs-ccm-pub', '--plan', lab.planPath]);
    expect(r).toMatchObject({ code: 0, out: `preflight/cs-ccm-pub: checked ${PUB}: 2 service(s) running, security mode non-secure` });
    expect(r.err).not.toContain(ENV.DRIVER_TEST_PASSWORD);
  });

  it('exits 1 with the node and the reason when the step fails', async () => {
    // `step run` finishes a step's unfinished dependencies first: a plan whose leaf upload waits for
    // nothing (its CA chain not trusted yet) makes the node refuse it
    const plan = JSON.parse(readFileSync(lab.planPath, 'utf8')) as ClusterPlan;
    const leafFirst = join(dirname(lab.planPath), 'plan-leaf-first.json');
    writeFileSync(leafFirst, JSON.stringify({ ...plan, steps: plan.steps.map((s) => (s.id === 'tomcat/identity/cs-ccm-pub' ? { ...s, dependsOn: [] } : s)) }));
    const r = await cli(['step', 'run', 'tomcat/identity/cs-ccm-pub', `--plan=${leafFirst}`]);
    expect(r.code).toBe(1);
    // A progress line (stderr), then the failure as the last line
    expect(r.err.split('\n')[0]).toMatch(/^tomcat\/identity\/cs-ccm-pub: uploading tomcat identity/);
    expect(r.err.split('\n').at(-1)).toBe(`ucrollout step: tomcat/identity/cs-ccm-pub: ${PUB}: 'set cert import own tomcat' was refused: ERROR: CA Certificate is Not Available in the Trust-Store`);
  });

  it('blocks a manual step with exit 3 until confirmed; the rehearsal variable passes it', async () => {
    const blocked = await cli(['step', 'run', 'tomcat/manual/drf-backup', '--plan', lab.planPath]);
    expect(blocked.code).toBe(3);
    expect(blocked.err).toMatch(/is not confirmed\. Take a DRF backup: the tomcat certificate changed\. .*ucrollout confirm tomcat\/manual\/drf-backup --plan /);
    expect((await cli(['step', 'run', 'tomcat/manual/drf-backup', '--plan', lab.planPath], { UCROLLOUT_CONFIRM: 'x,tomcat/manual/drf-backup' })).code).toBe(0);
    expect((await cli(['confirm', 'tomcat/manual/drf-backup', '--plan', lab.planPath], { UCROLLOUT_CONFIRMED_BY: 'tester' })).code).toBe(0);
    const passed = await cli(['step', 'run', 'tomcat/manual/drf-backup', '--plan', lab.planPath]);
    expect(passed.code).toBe(0);
    expect(passed.out).toMatch(/^tomcat\/manual\/drf-backup: confirmed by tester at /);
  });

  it('refuses to confirm a step ucrollout checks itself, and usage errors exit 2', async () => {
    expect(await cli(['confirm', 'preflight/cs-ccm-pub', '--plan', lab.planPath])).toMatchObject({ code: 2 });
    expect(await cli(['step', 'run', 'preflight/cs-ccm-pub'])).toMatchObject({ code: 2, err: expect.stringMatching(/--plan is required/) });
    expect(await cli(['step', 'run', 'a', '--plan', lab.planPath, '--bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option '--bogus'/) });
    expect(await cli(['step', 'run', 'a', '--plan', 'missing.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/Cannot read plan 'missing\.json' \(ENOENT\)/) });
    const mistyped = await cli(['confirm', 'tomcat/manual/drf-backpu', '--plan', lab.planPath]);
    expect(mistyped).toMatchObject({ code: 1, err: expect.stringMatching(/No step 'tomcat\/manual\/drf-backpu'.*check the id/) });
    expect(mistyped.err).not.toMatch(/synthesized/);
  });
});
