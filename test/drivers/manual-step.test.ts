import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwaitingConfirmation } from '../../lib/executor/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { runStep } from '../../lib/executor/run-step';
import { readJournal, recordConfirmation } from '../../lib/executor/state-files';
import { ClusterPlan, CucmStep, ManualStep } from '../../lib/platforms';

const STEP: ManualStep = {
  id: 'CallManager/manual/ctl-update',
  kind: 'manual',
  cluster: 'lab',
  node: 'cs-ccm-pub.example.com',
  purpose: 'CallManager',
  dependsOn: [],
  description: 'Update the CTL file (mixed mode) before the CallManager services restart',
  command: 'utils ctl update CTLFile',
  reason: 'DOMAIN.md §3',
  trigger: 'aaaa',
};

function planFile(step: CucmStep = STEP): string {
  const dir = mkdtempSync(join(tmpdir(), 'manual-'));
  const plan: ClusterPlan = {
    formatVersion: 2,
    platform: 'cucm',
    cluster: { name: 'lab', securityMode: 'mixed', sso: false, credentials: { usernameEnv: 'U', passwordEnv: 'P' }, interclusterPeers: [], nodes: [] },
    purposes: ['CallManager'],
    certificates: [],
    warnings: [],
    steps: [step],
  };
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  return join(dir, 'plan.json');
}

describe('manual steps', () => {
  it('block with the instruction and the confirm command; no network, no credentials needed', async () => {
    const planPath = planFile();
    const err = await runStep({ planPath, stepId: STEP.id, env: {} }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(AwaitingConfirmation);
    expect((err as AwaitingConfirmation).exitCode).toBe(3);
    expect((err as Error).message).toBe(
      `manual step '${STEP.id}' is not confirmed. ${STEP.description}. To do: ${STEP.command}. When done, run: ucrollout confirm ${STEP.id} --plan ${planPath} ; then apply again`,
    );
  });

  it('pass once confirmed for this version of the step, and are journaled', async () => {
    const planPath = planFile();
    recordConfirmation(loadPlanFile(planPath), STEP, 'alice', new Date('2026-03-01T10:00:00Z'));
    expect(await runStep({ planPath, stepId: STEP.id, env: {} })).toEqual({ changed: false, summary: 'confirmed by alice at 2026-03-01T10:00:00.000Z' });
    expect(readJournal(loadPlanFile(planPath), STEP)?.summary).toBe('confirmed by alice at 2026-03-01T10:00:00.000Z');

    // A changed step (new trigger) needs a new confirmation
    writeFileSync(planPath, JSON.stringify({ ...JSON.parse(require('node:fs').readFileSync(planPath, 'utf8')), steps: [{ ...STEP, trigger: 'bbbb' }] }));
    await expect(runStep({ planPath, stepId: STEP.id, env: {} })).rejects.toThrow(/not confirmed \(an earlier confirmation was for a previous version of this step\)/);
  });

  it('pass unattended with UCROLLOUT_CONFIRM_ALL=1 or the id in UCROLLOUT_CONFIRM', async () => {
    const planPath = planFile();
    expect((await runStep({ planPath, stepId: STEP.id, env: { UCROLLOUT_CONFIRM_ALL: '1' } })).summary).toBe('confirmed by UCROLLOUT_CONFIRM_ALL=1 (rehearsal)');
    expect((await runStep({ planPath, stepId: STEP.id, env: { UCROLLOUT_CONFIRM: `other, ${STEP.id}` } })).summary).toBe('confirmed by UCROLLOUT_CONFIRM');
    await expect(runStep({ planPath, stepId: STEP.id, env: { UCROLLOUT_CONFIRM: 'other', UCROLLOUT_CONFIRM_ALL: 'yes' } })).rejects.toBeInstanceOf(AwaitingConfirmation);
  });

  it('names a plan that is not a plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manual-'));
    writeFileSync(join(dir, 'x.json'), '{"formatVersion": 1}');
    await expect(runStep({ planPath: join(dir, 'x.json'), stepId: 'a', env: {} })).rejects.toThrow(/is a plan of format 1, this ucrollout reads format 2/);
    writeFileSync(join(dir, 'y.json'), '{"formatVersion": 2}');
    await expect(runStep({ planPath: join(dir, 'y.json'), stepId: 'a', env: {} })).rejects.toThrow(/is a plan for platform undefined, which this ucrollout cannot run/);
    await expect(runStep({ planPath: join(dir, 'missing.json'), stepId: 'a', env: {} })).rejects.toThrow(/Cannot read plan .*missing\.json' \(ENOENT\)/);
  });
});
