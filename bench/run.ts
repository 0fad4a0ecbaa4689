/**
 * `npm run bench`: every benchmark, results written to bench/results.json (not committed).
 * Figures are medians of several runs: this machine is shared and noisy.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLauncher } from './launcher';
import { benchPlanSynth } from './plan-synth';
import { ROOT } from './util';

type Bench = (scratch: string) => Promise<Record<string, unknown>>;

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'ucr-bench-'));
  const benches: [string, Bench][] = [
    ['planSynth', benchPlanSynth],
    ['launcher', benchLauncher],
  ];
  for (const [name, file, fn] of [
    ['pki', './pki', 'benchPki'],
    ['executor', './executor', 'benchExecutor'],
    ['window', './window', 'benchWindow'],
    ['rehearsalWindow', './rehearsal-window', 'benchRehearsalWindow'],
  ] as const) {
    if (existsSync(join(__dirname, `${file}.ts`))) benches.push([name, (s) => require(file)[fn](s)]);
  }
  const only = process.argv.slice(2);
  const results: Record<string, unknown> = { machine: { node: process.version, cpus: require('node:os').cpus().length } };
  try {
    for (const [name, bench] of benches) {
      if (only.length > 0 && !only.includes(name)) continue;
      process.stdout.write(`bench ${name} …\n`);
      results[name] = await bench(join(scratch, name));
      process.stdout.write(`${JSON.stringify(results[name], null, 2)}\n`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const file = join(ROOT, 'bench', 'results.json');
  // `npm run bench NAME`: the other benches' last figures stay in the file.
  const earlier = only.length > 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, JSON.stringify({ ...earlier, ...results }, null, 2) + '\n');
  process.stdout.write(`results written to ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
