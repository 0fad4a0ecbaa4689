/**
 * `ucrollout confirm` records a manual step only at its time: once every step it depends on has
 * finished for this plan (the executor's own judgement, its journal), i.e. when the apply stopped
 * at it. `--force` confirms it anyway, and says so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../lib/cli/commands/confirm';
import { CliError } from '../../lib/cli/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { confirmationsFile, writeJournal } from '../../lib/executor/state-files';
import type { PlanStep } from '../../lib/platforms';

const GOLDEN_LAB = join(__dirname, '../plan/golden/lab.plan.json');
const BIN = join(__dirname, '../../bin/ucrollout');

/** A fresh stack: the lab plan in its own folder, nothing run yet. */
function freshStack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confirm-'));
  copyFileSync(GOLDEN_LAB, join(dir, 'plan.json'));
  return join(dir, 'plan.json');
}

/** What the executor writes when a step finished: its journal entry for the current trigger. */
function finish(planPath: string, ids: readonly string[]): void {
  const loaded = loadPlanFile(planPath);
  for (const id of ids) writeJournal(loaded, loaded.plan.steps.find((s: PlanStep) => s.id === id)!, false, 'done in the test');
}

function dependenciesOf(planPath: string, id: string): readonly string[] {
  return loadPlanFile(planPath).plan.steps.find((s: PlanStep) => s.id === id)!.dependsOn;
}

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

/** The command as lib/cli/main.ts runs it: a CliError is one line on stderr and its exit code. */
async function confirm(...args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`ucrollout confirm: ${e.message}\n`);
    return e.exitCode;
  }
}

describe('ucrollout confirm before the step is due', () => {
  it.each(['CallManager/manual/reset-phones', 'tomcat/manual/drf-backup'])(
    'GIVEN a fresh stack WHEN %s is confirmed THEN it is refused, naming the first unfinished dependencies, and nothing is recorded',
    async (id) => {
      const plan = freshStack();
      const code = await confirm(id, '--plan', plan);
      expect(code).not.toBe(0);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toContain(`manual step '${id}' is not due yet`);
      const deps = dependenciesOf(plan, id);
      expect(err).toContain(`${deps.length} of the ${deps.length} step(s) it depends on have not finished for this plan`);
      // The first ones in plan order, the rest counted.
      const inPlanOrder = loadPlanFile(plan).plan.steps.filter((s: PlanStep) => deps.includes(s.id)).map((s: PlanStep) => s.id);
      expect(err).toContain(`(${inPlanOrder.slice(0, 3).join(', ')} and ${deps.length - 3} more)`);
      expect(err).toMatch(/Apply until the apply stops at this step/);
      expect(err).toMatch(/confirm with --force/);
      expect(existsSync(confirmationsFile(loadPlanFile(plan)))).toBe(false);
    },
  );

  it('GIVEN some dependencies finished WHEN confirmed THEN only the unfinished ones are named', async () => {
    const plan = freshStack();
    const id = 'tomcat/manual/drf-backup';
    const deps = dependenciesOf(plan, id);
    const inPlanOrder = loadPlanFile(plan).plan.steps.filter((s: PlanStep) => deps.includes(s.id)).map((s: PlanStep) => s.id);
    finish(plan, inPlanOrder.slice(0, -1));
    expect(await confirm(id, '--plan', plan)).toBe(1);
    expect(err).toContain(`1 of the ${deps.length} step(s) it depends on has not finished for this plan (${inPlanOrder.at(-1)})`);
  });

  it('GIVEN a dependency finished for an older version of the plan (another trigger) THEN it has not finished for this one', async () => {
    const plan = freshStack();
    const loaded = loadPlanFile(plan);
    const id = 'manual/maintenance-window';
    for (const dep of dependenciesOf(plan, id)) {
      const step = loaded.plan.steps.find((s: PlanStep) => s.id === dep)!;
      writeJournal(loaded, { ...step, trigger: 'older' } as PlanStep, false, 'an older plan');
    }
    const n = dependenciesOf(plan, id).length;
    expect(await confirm(id, '--plan', plan)).toBe(1);
    expect(err).toContain(`${n} of the ${n} step(s) it depends on have not finished`);
  });

  it('GIVEN every dependency finished (the apply stopped at the step) WHEN confirmed THEN it is recorded', async () => {
    const plan = freshStack();
    const id = 'CallManager/manual/reset-phones';
    finish(plan, dependenciesOf(plan, id));
    expect(await confirm(id, '--plan', plan)).toBe(0);
    expect(out).toMatch(/^confirmed CallManager\/manual\/reset-phones \(.*\) in .*plan\.confirmations\.json\n$/);
    expect(out).not.toMatch(/--force/);
    expect(err).toBe('');
    expect(Object.keys(JSON.parse(readFileSync(confirmationsFile(loadPlanFile(plan)), 'utf8')))).toEqual([id]);
  });

  it('GIVEN a fresh stack WHEN confirmed with --force THEN it is recorded, and the output says it was forced', async () => {
    const plan = freshStack();
    const id = 'tomcat/manual/drf-backup';
    expect(await confirm(id, '--plan', plan, '--force')).toBe(0);
    expect(out).toMatch(/^confirmed tomcat\/manual\/drf-backup .* with --force although .* and \d+ more \(which it depends on\) have not finished for this plan: the next apply passes it without stopping\n$/);
    expect(JSON.parse(readFileSync(confirmationsFile(loadPlanFile(plan)), 'utf8'))[id]).toMatchObject({ trigger: expect.any(String) });
    // --force anywhere among the arguments
    expect(await confirm('--force', 'CallManager/manual/reset-phones', '--plan', plan)).toBe(0);
  });

  it('documents --force in the usage text', async () => {
    expect(await confirm('--help')).toBe(0);
    expect(out).toMatch(/usage: ucrollout confirm <id> --plan plan\.json \[--force\]/);
    expect(out).toMatch(/--force {2}confirm although steps it depends on have not finished/);
  });

  it('a step ucrollout checks itself is still refused with exit 2, with or without --force', async () => {
    const plan = freshStack();
    expect(await confirm('preflight/cs-ccm-pub', '--plan', plan)).toBe(2);
    expect(await confirm('preflight/cs-ccm-pub', '--plan', plan, '--force')).toBe(2);
    expect(await confirm('tomcat/manual/drf-backup', '--plan', plan, '--forced')).toBe(2);
    expect(err).toMatch(/unknown option '--forced'/);
  });

  it('as a process: a refusal exits non-zero, and stdout stays empty', () => {
    vi.restoreAllMocks();
    const plan = freshStack();
    const r = spawnSync(process.execPath, [BIN, 'confirm', 'CallManager/manual/reset-phones', '--plan', plan], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', UCROLLOUT_FROM_SOURCE: '1' },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ucrollout confirm: manual step 'CallManager\/manual\/reset-phones' is not due yet/);
  }, 60_000);
});
