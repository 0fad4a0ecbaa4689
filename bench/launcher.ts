/**
 * What bin/ucrollout's stale-build check costs on every start (Terraform starts it once per
 * step): the stat walk of the sources in process, and whole `ucrollout --help` processes from
 * dist/, from the sources through tsx, and a bare `node -e ''` for scale.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuild } from './plan-synth';
import { ROOT, median } from './util';

const { sourceFingerprint } = require('../scripts/build-stamp.cjs') as { sourceFingerprint(root: string): { files: number } };

function processMs(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  delete clean.UCROLLOUT_FROM_SOURCE;
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...clean, ...env }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status})`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchLauncher(): Promise<Record<string, unknown>> {
  ensureBuild();
  const files = sourceFingerprint(ROOT).files;
  const walk: number[] = [];
  for (let i = 0; i < 50; i++) {
    const start = process.hrtime.bigint();
    sourceFingerprint(ROOT);
    walk.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const bin = join(ROOT, 'bin', 'ucrollout');
  const series = { dist: [] as number[], source: [] as number[], bareNode: [] as number[] };
  for (let i = 0; i < 9; i++) {
    series.dist.push(processMs([bin, '--help']));
    series.source.push(processMs([bin, '--help'], { UCROLLOUT_FROM_SOURCE: '1' }));
    series.bareNode.push(processMs(['-e', '']));
  }
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return {
    sources: files,
    stampCheckMedianMs: r1(median(walk)),
    helpFromDistMedianMs: r1(median(series.dist)),
    helpFromSourceMedianMs: r1(median(series.source)),
    bareNodeMedianMs: r1(median(series.bareNode)),
  };
}
