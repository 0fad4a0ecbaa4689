/**
 * Issue 4's target: the executor's overhead per step that is already done
 * (Terraform → `ucrollout step run` → twin, nothing to do), median ≤ 0.3 s, next to the
 * same Terraform stack whose steps run `true`.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepResourceName } from '../lib/plan';
import { prepareRehearsal, rehearsalEnv } from '../lib/rehearsal/rehearse';
import { terraformApply, terraformInit } from '../lib/rehearsal/terraform';
import { ensureBuild } from './plan-synth';

const { distState } = require('../scripts/build-stamp.cjs') as { distState(root: string): string };
import { ROOT, median } from './util';

export async function benchExecutor(scratch: string): Promise<Record<string, unknown>> {
  ensureBuild(); // Terraform's step runs go through bin/ucrollout: time the compiled CLI
  const bench = await prepareRehearsal({ inventory: join(ROOT, 'examples', 'lab.yaml'), workDir: join(scratch, 'lab'), restartMillis: 50, addressBase: '127.0.60.2' });
  try {
    const dir = bench.stackDir('lab');
    const first = await bench.apply('lab');
    if (first.exitCode !== 0) throw new Error(`the first apply failed: ${JSON.stringify(first.failed)}`);
    const plan = bench.plan('lab');
    const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', ...rehearsalEnv(bench.readyFile, bench.credentials) };

    // 1. Each already-done step on its own, as Terraform's local-exec runs it.
    const perStep: number[] = [];
    const byKind: Record<string, number[]> = {};
    const resources = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).resource.terraform_data;
    for (const step of plan.steps) {
      const argv = localExecArgv(resources[stepResourceName(step.id)].provisioner[0]['local-exec']);
      // Asynchronous: the twin runs in this process and must keep answering.
      const { ms, status, stderr } = await timeProcess(argv, dir, env);
      if (status !== 0) throw new Error(`${step.id} is not done after the apply: ${stderr}`);
      perStep.push(ms);
      (byKind[step.kind] ??= []).push(ms);
    }

    // 2. Terraform re-running every step (-replace), against the same stack running `true`.
    const replaceAll = plan.steps.map((s) => `-replace=terraform_data.${stepResourceName(s.id)}`);
    const timeApply = async (stackDir: string) => {
      const start = Date.now();
      const r = await terraformApply(stackDir, rehearsalEnv(bench.readyFile, bench.credentials), undefined, { extraArgs: replaceAll });
      if (r.exitCode !== 0) throw new Error(`apply -replace failed in ${stackDir}: ${JSON.stringify(r.failed)}`);
      return Date.now() - start;
    };
    const trueDir = join(scratch, 'true-stack');
    cpSync(dir, trueDir, { recursive: true, filter: (p) => !p.includes('.terraform') && !p.endsWith('.tfstate') });
    const tf = JSON.parse(readFileSync(join(trueDir, 'cdk.tf.json'), 'utf8'));
    for (const r of Object.values<any>(tf.resource.terraform_data)) r.provisioner[0]['local-exec'] = { command: 'true' };
    writeFileSync(join(trueDir, 'cdk.tf.json'), JSON.stringify(tf));
    await terraformInit(trueDir);
    await terraformApply(trueDir, {});
    const ours: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 3; i++) {
      ours.push(await timeApply(dir));
      bare.push(await timeApply(trueDir));
    }
    rmSync(trueDir, { recursive: true, force: true });
    const m = median(perStep);
    return {
      // A source saved during the bench makes bin/ucrollout fall back to tsx for the later step runs.
      cli: distState(ROOT) === 'current' ? 'compiled dist/ throughout' : 'dist/ went stale during the bench: later step runs used tsx',
      stack: `lab: ${plan.steps.length} steps, every one already done`,
      stepRunMedianMs: Math.round(m),
      stepRunP90Ms: Math.round([...perStep].sort((a, b) => a - b)[Math.floor(perStep.length * 0.9)]),
      stepRunMedianMsByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, Math.round(median(v))])),
      applyReplaceAllMedianMs: Math.round(median(ours)),
      sameStackRunningTrueMedianMs: Math.round(median(bare)),
      target: 'median step run ≤ 300 ms',
      met: m <= 300,
    };
  } finally {
    await bench.stop();
  }
}

/** What Terraform runs for a local-exec: `interpreter` + `command`, or `/bin/sh -c command`. */
function localExecArgv(exec: { command: string; interpreter?: string[] }): string[] {
  return exec.interpreter ? [...exec.interpreter, exec.command] : ['/bin/sh', '-c', exec.command];
}

function timeProcess(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; status: number; stderr: string }> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, status: code ?? 1, stderr });
    });
  });
}
