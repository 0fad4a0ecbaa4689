/** plan.state/ and plan.confirmations.json: private modes; damaged files reported, never silently replaced. */
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { runStep } from '../../lib/executor/run-step';
import { MAX_CONFIRMATIONS_FILE_BYTES, MAX_JOURNAL_ENTRY_BYTES, confirmationsFile, readConfirmations, readJournal, recordConfirmation, stateDir, writeJournal } from '../../lib/executor/state-files';
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

function loaded(steps: ManualStep[] = [STEP]) {
  const dir = mkdtempSync(join(tmpdir(), 'state-'));
  const plan: ClusterPlan = {
    formatVersion: PLAN_FORMAT_VERSION,
    platform: 'cucm',
    cluster: { name: 'lab', securityMode: 'non-secure', sso: false, credentials: { usernameEnv: 'U', passwordEnv: 'P' }, interclusterPeers: [], nodes: [] },
    purposes: [],
    certificates: [],
    warnings: [],
    steps,
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

  it('a confirmations file that is /dev/zero is reported at once, naming the file and the cap, without filling memory', () => {
    const l = loaded();
    symlinkSync('/dev/zero', confirmationsFile(l));
    const started = Date.now();
    expect(() => readConfirmations(l)).toThrow(StepFailure);
    expect(() => readConfirmations(l)).toThrow(`${confirmationsFile(l)} is damaged (larger than ${MAX_CONFIRMATIONS_FILE_BYTES} bytes (4 MiB)`);
    expect(() => recordConfirmation(l, STEP, 'tester')).toThrow(/larger than/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

const journalFile = (l: ReturnType<typeof loaded>, id: string) => join(stateDir(l), 'journal', `${encodeURIComponent(id)}.json`);

function writeEntry(l: ReturnType<typeof loaded>, id: string, text: string): string {
  mkdirSync(join(stateDir(l), 'journal'), { recursive: true });
  writeFileSync(journalFile(l, id), text);
  return journalFile(l, id);
}

describe('journal entries', () => {
  it('none, or one of another trigger (an older plan), means not finished; a good one is read back', () => {
    const l = loaded();
    expect(readJournal(l, STEP)).toBeUndefined();
    writeJournal(l, { ...STEP, trigger: 'older' }, true, 'older');
    expect(readJournal(l, STEP)).toBeUndefined();
    writeJournal(l, STEP, false, 'confirmed');
    expect(readJournal(l, STEP)).toMatchObject({ id: STEP.id, trigger: 't1', summary: 'confirmed' });
  });

  it.each([
    ['', 'not JSON'],
    ['{"id": "manual/maintenance-wi', 'not JSON'],
    ['null', 'expected an object, got null'],
    ['[]', 'got a list'],
    ['{"id": "manual/maintenance-window", "trigger": "t1"}', 'no doneAt, summary'],
    ['{"id": "manual/maintenance-window", "trigger": "t1", "doneAt": "yesterday", "summary": "x"}', "doneAt 'yesterday' is not a date"],
    ['{"id": "manual/other", "trigger": "t1", "doneAt": "2026-01-01T00:00:00.000Z", "summary": "x"}', "it is the entry of 'manual/other'"],
  ])('a damaged entry (%s) is reported, naming the file and the fix, and never overwritten', (text, why) => {
    const l = loaded();
    const file = writeEntry(l, STEP.id, text);
    expect(() => readJournal(l, STEP)).toThrow(StepFailure);
    expect(() => readJournal(l, STEP)).toThrow(why);
    expect(() => readJournal(l, STEP)).toThrow(`The journal entry of step ${STEP.id}, ${file}, is damaged`);
    expect(() => readJournal(l, STEP)).toThrow(/move it away to run the step again \(it checks its node first and does only what is left\)/);
    expect(() => writeJournal(l, STEP, true, 'ran again')).toThrow(/is damaged/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a journal entry that is /dev/zero is reported at once, naming the file and the cap', () => {
    const l = loaded();
    mkdirSync(join(stateDir(l), 'journal'), { recursive: true });
    symlinkSync('/dev/zero', journalFile(l, STEP.id));
    const started = Date.now();
    expect(() => readJournal(l, STEP)).toThrow(`${journalFile(l, STEP.id)}, is damaged (larger than ${MAX_JOURNAL_ENTRY_BYTES} bytes (1 MiB)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a step whose dependency has a damaged entry fails naming that file, and the entry stays as it was', async () => {
    const first: ManualStep = { ...STEP, id: 'manual/a', trigger: 'ta' };
    const second: ManualStep = { ...STEP, id: 'manual/b', trigger: 'tb', dependsOn: ['manual/a'] };
    const l = loaded([first, second]);
    const file = writeEntry(l, first.id, '{"id": "manual/a", "trig');
    const env = { UCROLLOUT_CONFIRM_ALL: '1' };
    await expect(runStep({ planPath: l.path, stepId: 'manual/b', env })).rejects.toThrow(`The journal entry of step manual/a, ${file}, is damaged (not JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"id": "manual/a", "trig');
    // A step of its own damaged entry fails too, instead of writing over it.
    await expect(runStep({ planPath: l.path, stepId: 'manual/a', env })).rejects.toThrow(/is damaged .*move it away/);
    expect(readFileSync(file, 'utf8')).toBe('{"id": "manual/a", "trig');
    expect(readJournal(l, second)).toBeUndefined();
  });
});
