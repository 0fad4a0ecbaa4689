/**
 * Crash-safe apply: `terraform apply` is killed (SIGKILL to its whole process group: Terraform
 * and the step runs it started) at many points, at step boundaries and in the middle of
 * steps, and applied again each time. The next apply must finish every step that is not done,
 * never act while a step it depends on is undone (the twin refuses wrong orders), and in the
 * end the nodes present the change, every step is recorded, and one more apply repeats nothing.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { readJournal } from '../../lib/executor/state-files';
import { RolloutPlan } from '../../lib/platforms';
import { RehearsalBench, checkNodes, prepareRehearsal, rehearsalEnv } from '../../lib/rehearsal/rehearse';
import { ApplyResult, terraformApply } from '../../lib/rehearsal/terraform';
import { RECONCILE_RESOURCE } from '../../lib/terraform';
import { initStack, twinSnapshot } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
/** Pauses after a step finished before the kill: 0 is a step boundary, the others land mid-step. */
const DELAYS_MS = [0, 60, 150, 0, 300, 20, 100, 450];

interface KillRun {
  readonly kills: number;
  readonly applies: number;
  /** Truncated terraform.tfstate files restored from the backup (or removed). */
  readonly recoveries: number;
  readonly last: ApplyResult;
}

/** Applies until an apply finishes by itself, killing each one after its first finished step plus a pause. */
async function applyWithKills(bench: RehearsalBench, cluster: string, maxKills: number, onApplied: () => void = () => undefined): Promise<KillRun> {
  const env = { ...rehearsalEnv(bench.readyFile, bench.credentials), UCROLLOUT_LOCK_WAIT_SECONDS: '600' };
  let kills = 0;
  let recoveries = 0;
  for (let applies = 1; ; applies++) {
    let pid: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killed = false;
    const result = await terraformApply(
      bench.stackDir(cluster),
      env,
      (e) => {
        if (e.type !== 'done' || timer || kills >= maxKills || e.resource === RECONCILE_RESOURCE) return;
        timer = setTimeout(() => {
          killed = true;
          try {
            process.kill(-pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, DELAYS_MS[kills % DELAYS_MS.length]);
      },
      { ownProcessGroup: true, onSpawn: (p) => (pid = p), timeoutMs: 300_000 },
    );
    clearTimeout(timer);
    onApplied();
    if (killed) kills++;
    else if (/Unsupported state file format|state file could not be parsed/.test(result.output)) {
      // A kill while Terraform itself wrote terraform.tfstate (its local backend writes in place)
      // leaves it truncated: the README's recovery, then apply again (the nodes and the journal are the truth).
      recoverState(bench.stackDir(cluster));
      recoveries++;
    } else return { kills, applies, recoveries, last: result };
    if (applies > maxKills + 10) throw new Error(`no progress after ${applies} applies: ${result.output.slice(-1500)}`);
  }
}

/** The README's recovery of a truncated state: the backup if it parses, else no state (every step then checks its node). */
function recoverState(dir: string): void {
  const state = join(dir, 'terraform.tfstate');
  const backup = `${state}.backup`;
  try {
    JSON.parse(readFileSync(backup, 'utf8'));
    copyFileSync(backup, state);
  } catch {
    rmSync(state, { force: true });
  }
}

function undone(bench: RehearsalBench, cluster: string): string[] {
  const loaded = loadPlanFile(join(bench.stackDir(cluster), 'plan.json'));
  return loaded.plan.steps.filter((s) => !readJournal(loaded, s)).map((s) => s.id);
}

async function expectFinished(bench: RehearsalBench, cluster: string, plan: RolloutPlan, run: KillRun): Promise<void> {
  expect(run.last.exitCode, run.last.output.slice(-3000)).toBe(0);
  expect(undone(bench, cluster)).toEqual([]);
  const checks = await checkNodes(plan, bench.twin, () => undefined);
  expect(checks.length).toBeGreaterThan(0);
  expect(checks.filter((c) => !c.matchesPlan)).toEqual([]);
  // One more apply: only the reconcile resource runs, it finds nothing to do, and no node changes.
  const before = twinSnapshot(bench);
  const again = await terraformApply(bench.stackDir(cluster), rehearsalEnv(bench.readyFile, bench.credentials));
  expect(again.exitCode, again.output.slice(-2000)).toBe(0);
  expect(again.created).toEqual([]);
  expect(again.reconciled).toBe(true);
  expect(again.output).toMatch(/every step had finished/);
  expect(twinSnapshot(bench)).toEqual(before);
}

describe('a killed apply finishes on the next one (crash-safe)', () => {
  const dirs: string[] = [];
  const benches: RehearsalBench[] = [];
  afterAll(async () => {
    for (const b of benches) await b.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lab: killed at 20+ points, every later apply resumes; the end state is the whole change, nothing repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kill-lab-'));
    dirs.push(dir);
    const restarts: { at: number; line: string }[] = [];
    const twinLog = (line: string) => {
      if (/: restart /.test(line)) restarts.push({ at: Date.now(), line });
    };
    const bench = await prepareRehearsal({ inventory: join(EXAMPLES, 'lab.yaml'), workDir: join(dir, 'work'), addressBase: '127.0.61.1', restartMillis: 300, twinLog });
    benches.push(bench);
    await initStack(bench, 'lab');
    // When each restart step was first journaled done, seen after every apply (a re-run would write a later date).
    const firstDone = new Map<string, number>();
    const noteDone = () => {
      const loaded = loadPlanFile(join(bench.stackDir('lab'), 'plan.json'));
      for (const step of loaded.plan.steps) {
        const entry = step.kind === 'restart-service' ? readJournal(loaded, step) : undefined;
        if (entry && !firstDone.has(step.id)) firstDone.set(step.id, Date.parse(entry.doneAt));
      }
    };
    const run = await applyWithKills(bench, 'lab', 22, noteDone);
    // Nothing repeated: once every step that restarts a service on a node was journaled done, no later
    // apply restarts it there again (a restart killed before its step was journaled may run twice).
    const lastDone = new Map<string, number>();
    for (const step of bench.plan('lab').steps) {
      if (step.kind !== 'restart-service' || !firstDone.has(step.id)) continue;
      const key = `${step.node}: restart ${step.service}`;
      lastDone.set(key, Math.max(lastDone.get(key) ?? 0, firstDone.get(step.id)!));
    }
    expect(lastDone.size).toBeGreaterThan(10);
    expect(restarts.length).toBeGreaterThanOrEqual(lastDone.size);
    const repeated = restarts.filter((r) => lastDone.has(r.line) && r.at > lastDone.get(r.line)! + 1000);
    expect(repeated.map((r) => `${r.line} at ${new Date(r.at).toISOString()}`)).toEqual([]);
    expect(run.last.exitCode, run.last.output.slice(-3000)).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(20);
    process.stdout.write(`kill test, lab: ${run.kills} kills over ${run.applies} applies, ${run.recoveries} truncated state(s) recovered\n`);
    await expectFinished(bench, 'lab', bench.rolloutPlan('lab'), run);
  }, 900_000);

  it('Meeting Server: killed at 20+ points over both phases; the end state is the whole change, nothing repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kill-cms-'));
    dirs.push(dir);
    const bench = await prepareRehearsal({ inventory: join(EXAMPLES, 'cms.yaml'), workDir: join(dir, 'work'), addressBase: '127.0.62.1', restartMillis: 300 });
    benches.push(bench);
    const cluster = bench.clusters[0];
    await initStack(bench, cluster);
    // Phase 1: keys and CSRs made on the servers.
    const first = await applyWithKills(bench, cluster, 6);
    expect(first.last.exitCode, first.last.output.slice(-3000)).toBe(0);
    await bench.signServerCsrs(cluster);
    await bench.synth();
    // Phase 2: the change itself.
    const second = await applyWithKills(bench, cluster, 22);
    expect(second.last.exitCode, second.last.output.slice(-3000)).toBe(0);
    expect(first.kills + second.kills).toBeGreaterThanOrEqual(20);
    process.stdout.write(`kill test, Meeting Server: ${first.kills} + ${second.kills} kills over ${first.applies} + ${second.applies} applies, ${first.recoveries + second.recoveries} truncated state(s) recovered\n`);
    await expectFinished(bench, cluster, bench.rolloutPlan(cluster), second);
  }, 900_000);
});
