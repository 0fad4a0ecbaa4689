/**
 * Issue 2's target: the whole `ucrollout plan` process on the 30-node estate (compiled CLI:
 * `node bin/ucrollout` with a current dist/), against a plain-JavaScript baseline run with
 * plain `node`: bare cdktf stacks with the same resources and depends_on edges as the stacks
 * ours wrote (bench/bare-stacks.js). Also, for reference: the same command from the sources
 * through tsx, and the estate declared through the compiled constructs and synthesized by
 * cdktf (bench/constructs-estate.js), against the same baseline.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESTATE_CLUSTERS, writeEstate } from './estate';
import { ROOT, median } from './util';

const { distState } = require('../scripts/build-stamp.cjs') as { distState(root: string): 'current' | 'stale' | 'no-build' };

const BIN = join(ROOT, 'bin', 'ucrollout');

function run(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string } {
  const clean: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
  delete clean.UCROLLOUT_FROM_SOURCE;
  delete clean.UCROLLOUT_DEBUG;
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...clean, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** A current dist/ (built now if the sources changed), or an error: the bench times the compiled CLI. */
export function ensureBuild(): void {
  // A source saved while tsc runs leaves the new build stale at once: try again, a few times.
  for (let attempt = 1; distState(ROOT) !== 'current'; attempt++) {
    if (attempt > 3) throw new Error('dist/ is still stale after 3 builds (sources keep changing): the bench needs the compiled CLI');
    process.stdout.write('bench: dist/ is not current, building …\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.cjs')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed: the bench needs the compiled CLI');
  }
}

interface StackShape {
  readonly name: string;
  readonly resources: { readonly name: string; readonly dependsOn: readonly string[] }[];
}

/** The resources and depends_on edges of every stack under `out/stacks`, as the baseline rebuilds them. */
function stackShapes(out: string): StackShape[] {
  const stacks = readdirSync(join(out, 'stacks')).sort();
  return stacks.map((name) => {
    const tf = JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    const resources = Object.entries<Record<string, { depends_on?: string[] }>>(tf.resource ?? {}).flatMap(([, byName]) =>
      Object.entries(byName).map(([resource, body]) => ({ name: resource, dependsOn: (body.depends_on ?? []).map((d) => d.slice(d.indexOf('.') + 1)) })),
    );
    return { name, resources };
  });
}

const count = (shapes: readonly StackShape[]) => ({
  resources: shapes.reduce((n, s) => n + s.resources.length, 0),
  edges: shapes.reduce((n, s) => n + s.resources.reduce((m, r) => m + r.dependsOn.length, 0), 0),
});

const round = (ms: number) => Math.round(ms);
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

export async function benchPlanSynth(scratch: string, runs = 7): Promise<Record<string, unknown>> {
  ensureBuild();
  const version = run([BIN, '--version']).stdout;
  if (!version.includes('compiled dist/')) throw new Error(`bin/ucrollout does not run dist/:\n${version}`);

  const inventory = await writeEstate(join(scratch, 'estate'));
  const estateJson = join(scratch, 'estate', 'estate.json');
  const out = join(scratch, 'estate-out');
  const bareOut = join(scratch, 'bare-out');
  const constructsOut = join(scratch, 'constructs-out');
  const planArgs = [BIN, 'plan', '--inventory', inventory, '--out', out];

  // Warm the file cache (and tsx's transform cache) once, then take the shape of what ours wrote.
  run(planArgs);
  run(planArgs, { UCROLLOUT_FROM_SOURCE: '1' });
  const shapes = stackShapes(out);
  const shapeFile = join(scratch, 'shape.json');
  writeFileSync(shapeFile, JSON.stringify(shapes));
  const bareArgs = [join(ROOT, 'bench', 'bare-stacks.js'), shapeFile, bareOut];
  run(bareArgs);
  const bareShapes = stackShapes(bareOut);
  const constructsArgs = [join(ROOT, 'bench', 'constructs-estate.js'), estateJson, constructsOut];
  let constructsError: string | undefined;
  try {
    run(constructsArgs);
  } catch (e) {
    constructsError = (e as Error).message.split('\n').slice(0, 3).join(' ');
  }

  const samples = { ours: [] as number[], bare: [] as number[], fromSource: [] as number[], constructs: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a noisy moment of the shared machine hits every series alike.
    rmSync(out, { recursive: true, force: true });
    samples.ours.push(run(planArgs).ms);
    rmSync(bareOut, { recursive: true, force: true });
    samples.bare.push(run(bareArgs).ms);
    rmSync(out, { recursive: true, force: true });
    samples.fromSource.push(run(planArgs, { UCROLLOUT_FROM_SOURCE: '1' }).ms);
    if (!constructsError) {
      rmSync(constructsOut, { recursive: true, force: true });
      samples.constructs.push(run(constructsArgs).ms);
    }
  }
  const ours = median(samples.ours);
  const bare = median(samples.bare);
  const fromSource = median(samples.fromSource);
  const constructs = constructsError ? undefined : median(samples.constructs);
  const constructsShapes = constructsError ? undefined : stackShapes(constructsOut);
  return {
    estate: `${ESTATE_CLUSTERS} clusters × (1+6 CUCM, 1+2 IM&P) = 30 nodes, 8 purposes each`,
    steps: Object.fromEntries(shapes.map((s) => [s.name, JSON.parse(readFileSync(join(out, 'stacks', s.name, 'plan.json'), 'utf8')).steps.length])),
    stacks: { ours: count(shapes), baseline: count(bareShapes), ...(constructsShapes ? { constructs: count(constructsShapes) } : {}) },
    runs,
    planMedianMs: round(ours),
    bareCdktfJsMedianMs: round(bare),
    ratio: ratio(ours, bare),
    planFromSourceMedianMs: round(fromSource),
    ratioFromSource: ratio(fromSource, bare),
    ...(constructs !== undefined
      ? { constructsSynthMedianMs: round(constructs), ratioConstructs: ratio(constructs, bare) }
      : { constructsSynth: `not measured: ${constructsError}` }),
    samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(round)])),
    measured: '`node bin/ucrollout plan` (compiled dist/) vs `node bench/bare-stacks.js` (plain JS, bare cdktf, same resources and depends_on); whole processes',
    target: 'median < 1500 ms and ratio ≤ 1.1 (issue: within 1.1× of the plain-JavaScript cdktf baseline)',
    met: ours < 1500 && ours / bare <= 1.1,
  };
}
