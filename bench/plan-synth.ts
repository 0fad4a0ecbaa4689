/**
 * Issue 2's target: plan + synth of the 3-cluster estate as a whole process (`ucrollout plan`),
 * next to bare cdktf stacks with the same number of terraform_data resources.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ESTATE_CLUSTERS, writeEstate } from './estate';
import { median, ROOT } from './util';

function timeProcess(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

export async function benchPlanSynth(scratch: string, runs = 7): Promise<Record<string, unknown>> {
  const inventory = await writeEstate(join(scratch, 'estate'));
  const out = join(scratch, 'estate-out');
  const ours: number[] = [];
  const bare: number[] = [];
  // Both through tsx, so the ratio compares the work, not the loader.
  const fromSource = { UCROLLOUT_FROM_SOURCE: '1' };
  timeProcess(['bin/ucrollout', 'plan', '--inventory', inventory, '--out', out], fromSource); // warm the transform cache
  const counts = Array.from({ length: ESTATE_CLUSTERS }, (_, i) => JSON.parse(readFileSync(join(out, 'stacks', `dc${i + 1}`, 'plan.json'), 'utf8')).steps.length);
  timeProcess(['--require', 'tsx/cjs', 'bench/bare-stacks.ts', join(scratch, 'bare-out'), ...counts.map(String)]);
  for (let i = 0; i < runs; i++) {
    rmSync(out, { recursive: true, force: true });
    ours.push(timeProcess(['bin/ucrollout', 'plan', '--inventory', inventory, '--out', out], fromSource));
    bare.push(timeProcess(['--require', 'tsx/cjs', 'bench/bare-stacks.ts', join(scratch, 'bare-out'), ...counts.map(String)]));
  }
  const m = median(ours);
  const b = median(bare);
  return {
    estate: '3 clusters × (1+6 CUCM, 1+2 IM&P) = 30 nodes, 8 purposes each',
    steps: counts,
    runs,
    planSynthMedianMs: Math.round(m),
    bareCdktfMedianMs: Math.round(b),
    ratio: Number((m / b).toFixed(2)),
    target: 'median < 1500 ms and ratio ≤ 1.3',
    met: m < 1500 && m / b <= 1.3,
  };
}
