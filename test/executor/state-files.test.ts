/** plan.state/ and plan.confirmations.json: private modes; damaged files reported, never silently replaced. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { confirmationsFile, readConfirmations, recordConfirmation, stateDir, writeJournal } from '../../lib/executor/state-files';
import { ClusterPlan, ManualStep, PLAN_FORMAT_VERSION, renderPlanJson } from '../../lib/platforms';

const STEP: ManualStep = {
  id: 'manual/maintenance-window',
  kind: 'manual',
  cluster: 'lab',
  node: 'cs-ccm-pub.example.com',
  purpose: 'cluster',
  dependsOn: [],
  description: 'Confirm the maintenance window',
  command: 'Confirm',
  reason: 'DOMAIN.md §3',
  trigger: 't1',
};

function loaded() {
  const dir = mkdtempSync(join(tmpdir(), 'state-'));
  const plan: ClusterPlan = {
    formatVersion: PLAN_FORMAT_VERSION,
    platform: 'cucm',
    cluster: { name: 'lab', securityMode: 'non-secure', sso: false, credentials: { usernameEnv: 'U', passwordEnv: 'P' }, interclusterPeers: [], nodes: [] },
    purposes: [],
    certificates: [],
    warnings: [],
    steps: [STEP],
  };
  writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
  return loadPlanFile(join(dir, 'plan.json'));
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('state files', () => {
  it('plan.state/ is 0700 and its journal files 0600; confirmations 0600', () => {
    const l = loaded();
    writeJournal(l, STEP, false, 'confirmed');
    recordConfirmation(l, STEP, 'tester');
    expect(mode(stateDir(l))).toBe(0o700);
    expect(mode(join(stateDir(l), 'journal'))).toBe(0o700);
    expect(mode(join(stateDir(l), 'journal', `${encodeURIComponent(STEP.id)}.json`))).toBe(0o600);
    expect(mode(confirmationsFile(l))).toBe(0o600);
  });

  it.each([
    ['null', 'expected a mapping of step ids, got null'],
    ['[]', 'got a list'],
    ['{"manual/x": 3}', "the entry of 'manual/x' has no trigger"],
    ['{not json', 'not JSON'],
  ])('a confirmations file holding %s is reported, and confirm does not overwrite it', (text, why) => {
    const l = loaded();
    writeFileSync(confirmationsFile(l), text);
    expect(() => readConfirmations(l)).toThrow(StepFailure);
    expect(() => readConfirmations(l)).toThrow(why);
    expect(() => recordConfirmation(l, STEP, 'tester')).toThrow(/is damaged .*repair it by hand/);
    expect(readFileSync(confirmationsFile(l), 'utf8')).toBe(text);
  });

  it('no confirmations file means none confirmed', () => {
    expect(readConfirmations(loaded())).toEqual({});
  });
});
