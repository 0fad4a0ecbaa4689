/** One run of a step at a time; a lock left by a killed process is taken over; a dependency left undone runs first. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { reconcile } from '../../lib/executor/reconcile';
import { runStep } from '../../lib/executor/run-step';
import { readJournal, stateDir } from '../../lib/executor/state-files';
import { acquireStepLock, processIdentity } from '../../lib/executor/step-lock';
import { ClusterPlan, ManualStep, PLAN_FORMAT_VERSION, renderPlanJson } from '../../lib/platforms';

const manual = (id: string, dependsOn: string[] = [], once?: boolean): ManualStep => ({
  ...(once ? { once } : {}),
  id,
  kind: 'manual',
  cluster: 'lab',
  node: 'pub.example.com',
  purpose: 'cluster',
  dependsOn,
  description: id,
  command: 'Confirm',
  reason: 'test',
  trigger: `t-${id}`,
});

function planDir(steps: ManualStep[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'));
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
  return join(dir, 'plan.json');
}

const clock = { now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), log: () => undefined };

describe('step locks', () => {
  it('a second run of a running step waits, bounded by time, then says which process holds it', async () => {
    const loaded = loadPlanFile(planDir([manual('manual/a')]));
    const held = await acquireStepLock(loaded, 'manual/a', { ...clock, waitMs: 0 });
    const started = Date.now();
    await expect(acquireStepLock(loaded, 'manual/a', { ...clock, waitMs: 300 })).rejects.toThrow(new RegExp(`already running \\(process ${process.pid}\\)`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    held.release();
    (await acquireStepLock(loaded, 'manual/a', { ...clock, waitMs: 0 })).release();
  });

  it('a lock whose process is gone (killed with -9) is taken over at once', async () => {
    const loaded = loadPlanFile(planDir([manual('manual/a')]));
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    mkdirSync(join(stateDir(loaded), 'locks'), { recursive: true });
    writeFileSync(join(stateDir(loaded), 'locks', `${encodeURIComponent('manual/a')}.lock`), JSON.stringify({ pid: Number(gone) }));
    const lines: string[] = [];
    const lock = await acquireStepLock(loaded, 'manual/a', { ...clock, log: (l) => lines.push(l), waitMs: 0 });
    lock.release();
    expect(lines.join('\n')).toMatch(new RegExp(`from process ${gone}, which is gone`));
  });

  it('an empty or damaged lock file (a kill between creating and writing it) is taken over once it is not fresh', async () => {
    const loaded = loadPlanFile(planDir([manual('manual/a')]));
    mkdirSync(join(stateDir(loaded), 'locks'), { recursive: true });
    const file = join(stateDir(loaded), 'locks', `${encodeURIComponent('manual/a')}.lock`);
    // GIVEN an empty lock file, just written: it may be someone's, so it is waited for
    writeFileSync(file, '');
    await expect(acquireStepLock(loaded, 'manual/a', { ...clock, waitMs: 300 })).rejects.toThrow(/already running/);
    // WHEN it is older than a moment
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    const lines: string[] = [];
    const started = Date.now();
    const lock = await acquireStepLock(loaded, 'manual/a', { ...clock, log: (l) => lines.push(l), waitMs: 5_000 });
    // THEN it is taken over at once, and the new lock is whole
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines.join('\n')).toMatch(/cannot be read \(damaged, or left by an interrupted apply\)/);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(join(stateDir(loaded), 'locks'))).toEqual([]);
  });

  it('a lock whose pid another process took since (reused after a kill or a reboot) is taken over at once', async () => {
    const loaded = loadPlanFile(planDir([manual('manual/a')]));
    mkdirSync(join(stateDir(loaded), 'locks'), { recursive: true });
    const file = join(stateDir(loaded), 'locks', `${encodeURIComponent('manual/a')}.lock`);
    // GIVEN a lock naming a live pid (this process) but the identity of another process that had it
    expect(processIdentity(process.pid)).toMatch(/^[0-9a-f-]+\/\d+$/);
    writeFileSync(file, JSON.stringify({ pid: process.pid, identity: 'an-earlier-boot/12345' }));
    const lines: string[] = [];
    const started = Date.now();
    const lock = await acquireStepLock(loaded, 'manual/a', { ...clock, log: (l) => lines.push(l), waitMs: 5_000 });
    lock.release();
    // THEN it is taken over without waiting
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines.join('\n')).toMatch(new RegExp(`from process ${process.pid}, which is gone`));
    // AND a lock with the live process's own identity is waited for
    writeFileSync(file, JSON.stringify({ pid: process.pid, identity: processIdentity(process.pid) }));
    await expect(acquireStepLock(loaded, 'manual/a', { ...clock, waitMs: 200 })).rejects.toThrow(/already running/);
  });
});

describe('a damaged journal entry of the step itself', () => {
  it('stops the step before it acts, naming the file, and leaves the entry as it was', async () => {
    const path = planDir([manual('manual/a')]);
    const loaded = loadPlanFile(path);
    mkdirSync(join(stateDir(loaded), 'journal'), { recursive: true });
    const file = join(stateDir(loaded), 'journal', `${encodeURIComponent('manual/a')}.json`);
    writeFileSync(file, '{"id": "manual/a", "trig');
    const lines: string[] = [];
    // Unconfirmed, the manual step would end the run awaiting its confirmation: it must not get that far
    await expect(runStep({ planPath: path, stepId: 'manual/a', env: {}, log: (l) => lines.push(l) })).rejects.toThrow(/journal entry of step manual\/a, .* is damaged/);
    expect(readFileSync(file, 'utf8')).toBe('{"id": "manual/a", "trig');
  });
});

describe('dependencies left undone', () => {
  it('run first when a step runs (an interrupted apply), and reconcile finishes every step', async () => {
    const path = planDir([manual('manual/a'), manual('manual/b', ['manual/a']), manual('manual/c', ['manual/b'])]);
    const env = { UCROLLOUT_CONFIRM_ALL: '1' };
    const lines: string[] = [];
    await runStep({ planPath: path, stepId: 'manual/b', env, log: (l) => lines.push(l) });
    const loaded = loadPlanFile(path);
    expect(readJournal(loaded, loaded.plan.steps[0])).toBeDefined();
    expect(lines.join('\n')).toMatch(/manual\/a \(a step manual\/b depends on\) has not finished/);
    // With 'ignore' (tests of a node's refusals) the step runs alone.
    const alone = planDir([manual('manual/a'), manual('manual/b', ['manual/a'])]);
    await runStep({ planPath: alone, stepId: 'manual/b', env, dependencies: 'ignore' });
    const l2 = loadPlanFile(alone);
    expect(readJournal(l2, l2.plan.steps[0])).toBeUndefined();
    // reconcile: c had not run; a and b had.
    const result = await reconcile({ planPath: path, env });
    expect(result.finished).toEqual(['manual/c']);
  });
});

describe('a step the change already built on', () => {
  it('a once step is done when a later step finished after it (a stale state re-runs it); others check again', async () => {
    const path = planDir([manual('manual/a', [], true), manual('manual/b', ['manual/a'])]);
    const env = { UCROLLOUT_CONFIRM_ALL: '1' };
    let t = Date.parse('2026-12-01T00:00:00Z');
    const now = () => (t += 1000);
    await runStep({ planPath: path, stepId: 'manual/b', env, now });
    // Terraform re-runs manual/a (tainted by a kill): it is not run again, b built on it.
    const again = await runStep({ planPath: path, stepId: 'manual/a', env: {}, now });
    expect(again.summary).toMatch(/already done: manual\/b, which runs after it, finished/);
    // A new version of the step (its trigger changed, e.g. a new certificate) has not finished: it runs
    // (here it awaits its confirmation), however far later steps of the old version got.
    const changed = planDir([{ ...manual('manual/a', [], true), trigger: 'new' }, manual('manual/b', ['manual/a'])]);
    copyFileSync(changed, path);
    await expect(runStep({ planPath: path, stepId: 'manual/a', env: {}, now })).rejects.toThrow(/is not confirmed/);
    // A step that is not `once` checks again (here: its confirmation) whatever ran after it.
    const plain = planDir([manual('manual/a'), manual('manual/b', ['manual/a'])]);
    await runStep({ planPath: plain, stepId: 'manual/b', env, now });
    await expect(runStep({ planPath: plain, stepId: 'manual/a', env: {}, now })).rejects.toThrow(/is not confirmed/);
  });
});
