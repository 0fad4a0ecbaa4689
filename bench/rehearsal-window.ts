/**
 * `npm run bench rehearsalWindow` (issue 12): the rehearsal's measured makespan against its
 * estimate, target within 10%. The lab and the large example are rehearsed on the twin running the
 * timing model scaled down (lib/simulator/core/timing.ts), through Terraform with -parallelism =
 * the schedule's peak (at least 10); the estimate is plan.json's graph on the same scaled model plus
 * the executor's overhead per step (lib/rehearsal/window.ts, default DEFAULT_STEP_OVERHEAD_SECONDS).
 *
 * Beside it: the overhead each step run really had (its Terraform start to end, less what the twin
 * spent), and the estimate with that observed median instead of the default, which says how much of
 * a miss is the overhead's default (it follows the machine's load) and how much is the model. A run
 * whose step runs fell back to tsx (a source saved during the bench) says so in `cli`: its figures
 * are not the compiled CLI's.
 *
 * BENCH_REHEARSAL_RUNS (default 3) runs per case, median reported; BENCH_REHEARSAL_CASES=lab,lab-0.01
 * to skip the large example; BENCH_TIME_SCALE_LAB / BENCH_TIME_SCALE_LARGE override the scales.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stepResourceName } from '../lib/plan';
import { prepareRehearsal } from '../lib/rehearsal/rehearse';
import { ApplyClock, DEFAULT_STEP_OVERHEAD_SECONDS, estimateRehearsalWindow, twinStepSeconds } from '../lib/rehearsal/window';
import { ensureBuild } from './plan-synth';
import { ROOT, median } from './util';

const { distState } = require('../scripts/build-stamp.cjs') as { distState(root: string): string };

interface Case {
  readonly name: string;
  readonly example: string;
  /** A scale where the restarts on the critical path outweigh the steps' overhead, and a run stays under about 2 min. */
  readonly scale: number;
  readonly addressBase: string;
}

/**
 * The lab at 0.05: its critical path is about 90 s of restarts against about 11 s of overhead. The
 * large example at 0.02 (a run under 2 min): about 75 s of restarts, but 140 steps whose runs share
 * this machine's cores. The lab at 0.01 too: there the overhead is half the makespan, so the figure
 * shows how far the overhead's default carries.
 */
const CASES: readonly Case[] = [
  { name: 'lab', example: 'lab', scale: Number(process.env.BENCH_TIME_SCALE_LAB ?? 0.05), addressBase: '127.0.63.2' },
  { name: 'large', example: 'large', scale: Number(process.env.BENCH_TIME_SCALE_LARGE ?? 0.02), addressBase: '127.0.64.2' },
  { name: 'lab-0.01', example: 'lab', scale: 0.01, addressBase: '127.0.63.2' },
];

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

interface Run {
  readonly measuredSeconds: number;
  readonly observedOverheadMedianSeconds: number;
  readonly estimateWithObservedOverheadSeconds: number;
  readonly load1: number;
  /** bin/ucrollout ran the compiled dist/ throughout (a source saved meanwhile makes it fall back to tsx: slower step runs). */
  readonly compiled: boolean;
}

async function rehearseOnce(c: Case, scratch: string, i: number): Promise<{ run: Run; estimate: ReturnType<typeof estimateRehearsalWindow> }> {
  const bench = await prepareRehearsal({ inventory: join(ROOT, 'examples', `${c.example}.yaml`), workDir: join(scratch, `${c.name}-${i}`), timeScale: c.scale, addressBase: c.addressBase });
  try {
    const cluster = bench.clusters[0];
    const plan = bench.rolloutPlan(cluster);
    const timing = bench.twin.world.timing!;
    const estimate = estimateRehearsalWindow(plan, timing);
    const clock = new ApplyClock();
    const load1 = loadavg()[0];
    const compiledBefore = distState(ROOT) === 'current';
    const result = await bench.apply(cluster, clock.onEvent, { parallelism: estimate.parallelism });
    const compiled = compiledBefore && distState(ROOT) === 'current';
    if (result.exitCode !== 0) throw new Error(`${c.name}: the apply failed: ${JSON.stringify(result.failed).slice(0, 1500)}`);
    const overheads = plan.steps.map((s) => {
      const t = clock.resources.get(stepResourceName(s.id));
      if (!t || t.end === undefined) throw new Error(`${c.name}: no Terraform timing for ${s.id}`);
      return (t.end - t.start) / 1000 - twinStepSeconds(s, timing);
    });
    const observed = median(overheads);
    return {
      estimate,
      run: {
        measuredSeconds: clock.seconds,
        observedOverheadMedianSeconds: observed,
        estimateWithObservedOverheadSeconds: estimateRehearsalWindow(plan, timing, observed).scaledSeconds,
        load1,
        compiled,
      },
    };
  } finally {
    await bench.stop();
  }
}

export async function benchRehearsalWindow(scratch: string): Promise<Record<string, unknown>> {
  ensureBuild(); // Terraform's step runs go through bin/ucrollout: time the compiled CLI
  const runs = Number(process.env.BENCH_REHEARSAL_RUNS ?? 3);
  const only = process.env.BENCH_REHEARSAL_CASES?.split(',');
  const rows: Record<string, unknown>[] = [];
  for (const c of CASES) {
    if (only && !only.includes(c.name)) continue;
    const done: Run[] = [];
    let estimate: ReturnType<typeof estimateRehearsalWindow> | undefined;
    for (let i = 0; i < runs; i++) {
      const r = await rehearseOnce(c, scratch, i);
      estimate = r.estimate;
      done.push(r.run);
      process.stdout.write(
        `  ${c.name} run ${i + 1}/${runs}: measured ${r.run.measuredSeconds.toFixed(1)} s against ${r.estimate.scaledSeconds.toFixed(1)} s (load ${r.run.load1.toFixed(1)}${r.run.compiled ? '' : ', dist/ went stale: step runs through tsx'})\n`,
      );
    }
    const measured = median(done.map((r) => r.measuredSeconds));
    const deviation = ((measured - estimate!.scaledSeconds) / estimate!.scaledSeconds) * 100;
    const observed = median(done.map((r) => r.observedOverheadMedianSeconds));
    const withObserved = median(done.map((r) => r.estimateWithObservedOverheadSeconds));
    rows.push({
      cluster: c.name,
      steps: estimate!.steps,
      timeScale: c.scale,
      parallelism: estimate!.parallelism,
      plannedEstimateSeconds: estimate!.plannedSeconds,
      scaledEstimateSeconds: round1(estimate!.scaledSeconds),
      stepOverheadSeconds: estimate!.stepOverheadSeconds,
      measuredMedianSeconds: round1(measured),
      measuredSeconds: done.map((r) => round1(r.measuredSeconds)),
      deviationPercent: round1(deviation),
      withinTarget: Math.abs(deviation) <= 10,
      observedStepOverheadMedianSeconds: round2(observed),
      estimateWithObservedOverheadSeconds: round1(withObserved),
      deviationWithObservedOverheadPercent: round1(((measured - withObserved) / withObserved) * 100),
      loadAverage1m: done.map((r) => round1(r.load1)),
      cli: done.every((r) => r.compiled) ? 'compiled dist/ throughout' : `dist/ went stale during ${done.filter((r) => !r.compiled).length} run(s): their step runs used tsx`,
    });
  }
  return {
    target: 'measured makespan within 10% of the scaled estimate',
    assumed: `restarts = timing model × scale, manual steps and clean-up waits 0 s, other steps 0 s on the twin, + ${DEFAULT_STEP_OVERHEAD_SECONDS} s executor overhead per step`,
    runsPerCase: runs,
    clusters: rows,
  };
}

if (require.main === module) {
  const scratch = join(require('node:os').tmpdir(), `ucr-bench-rw-${process.pid}`);
  benchRehearsalWindow(scratch)
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .finally(() => require('node:fs').rmSync(scratch, { recursive: true, force: true }));
}
