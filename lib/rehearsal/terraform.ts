/**
 * Runs Terraform on a synthesized stack and reports, step by step, what it did. Used by
 * `npm start` and the end-to-end tests; Terraform itself stays the executor of record.
 */
import { spawn, spawnSync } from 'node:child_process';
import { RECONCILE_RESOURCE } from '../terraform/stack-json';

export interface TerraformEvent {
  readonly type: 'start' | 'done' | 'failed' | 'destroyed';
  /** The Terraform resource name (plan step id with `/` → `__`). */
  readonly resource: string;
  readonly message?: string;
}

export interface ApplyResult {
  readonly exitCode: number;
  /** Plan steps run (resources created), in completion order; the reconcile resource is not one. */
  readonly created: string[];
  /** The stack's reconcile resource ran and passed: every step finished, every verify step holds. */
  readonly reconciled: boolean;
  readonly failed: { resource: string; message: string }[];
  /** Terraform's closing line: `Apply complete! …` or `No changes. …`. */
  readonly summary: string;
  readonly output: string;
}

const MIN_VERSION = [1, 4];

/** Terraform's version, or a clear error when it is missing or too old. */
export function checkTerraform(): string {
  const r = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: terraformEnv() });
  if (r.error || r.status !== 0) {
    throw new Error('Terraform ≥ 1.4 must be on PATH (https://developer.hashicorp.com/terraform/install); it runs the plan steps. None was found.');
  }
  const version = String(JSON.parse(r.stdout).terraform_version);
  const [major, minor] = version.split('.').map(Number);
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new Error(`Terraform ${version} is too old: the stacks use terraform_data, which needs Terraform ≥ 1.4`);
  }
  return version;
}

function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // No CLI config needed (no provider download); this also silences the missing ~/.terraformrc warning.
  return { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', ...process.env, ...extra };
}

export async function terraformInit(dir: string, timeoutMs = 120_000): Promise<void> {
  const r = await run(dir, ['init', '-input=false', '-no-color'], {}, timeoutMs, () => undefined);
  if (r.code !== 0) throw new Error(`terraform init failed in ${dir}:\n${r.output.slice(-2000)}`);
}

export async function terraformApply(
  dir: string,
  env: NodeJS.ProcessEnv,
  onEvent: (e: TerraformEvent) => void = () => undefined,
  opts: {
    timeoutMs?: number;
    parallelism?: number;
    extraArgs?: readonly string[];
    /** Terraform in a process group of its own (its pid is the group's), e.g. to kill the whole apply in a test. */
    ownProcessGroup?: boolean;
    onSpawn?: (pid: number) => void;
  } = {},
): Promise<ApplyResult> {
  const created: string[] = [];
  let reconciled = false;
  const failed: { resource: string; message: string }[] = [];
  let pendingError: string[] | undefined;
  // What each step printed last: the step runner's own words are the useful part of a failure.
  const lastOutput = new Map<string, string>();
  const onLine = (line: string) => {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^\w+\.([\w-]+) \(local-exec\): (.+)$/))) lastOutput.set(m[1], m[2].trim());
    else if ((m = line.match(/^\w+\.([\w-]+): Creating\.\.\./))) onEvent({ type: 'start', resource: m[1] });
    else if ((m = line.match(/^\w+\.([\w-]+): Creation complete/))) {
      if (m[1] === RECONCILE_RESOURCE) reconciled = true;
      else created.push(m[1]);
      onEvent({ type: 'done', resource: m[1] });
    } else if ((m = line.match(/^\w+\.([\w-]+): Destruction complete/))) onEvent({ type: 'destroyed', resource: m[1] });
    else if (/^Error: /.test(line.replace(/^[│╷╵]\s*/, ''))) pendingError = [line.replace(/^[│╷╵]\s*/, '')];
    else if (pendingError) {
      const text = line.replace(/^[│╷╵]\s?/, '');
      if ((m = text.match(/with \w+\.([\w-]+),/))) {
        const message = lastOutput.get(m[1]) ?? pendingError.join(' ').trim();
        failed.push({ resource: m[1], message });
        onEvent({ type: 'failed', resource: m[1], message });
        pendingError = undefined;
      } else if (text.trim()) pendingError.push(text.trim());
    }
  };
  const args = ['apply', '-auto-approve', '-input=false', '-no-color', `-parallelism=${opts.parallelism ?? 10}`, ...(opts.extraArgs ?? [])];
  const r = await run(dir, args, env, opts.timeoutMs ?? 600_000, onLine, opts);
  const summary = r.output.split('\n').find((l) => /^(Apply complete!|No changes\.)/.test(l)) ?? '';
  return { exitCode: r.code, created, reconciled, failed, summary, output: r.output };
}

function run(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onLine: (line: string) => void,
  group: { ownProcessGroup?: boolean; onSpawn?: (pid: number) => void } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd: dir, env: terraformEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: group.ownProcessGroup === true });
    if (child.pid !== undefined) group.onSpawn?.(child.pid);
    let output = '';
    let partial = '';
    const feed = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      // What it was doing when it stopped answering: the last lines name the step still running.
      reject(new Error(`terraform ${args[0]} did not finish within ${timeoutMs / 1000} s in ${dir}; its last output:\n${output.split('\n').slice(-40).join('\n')}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial) onLine(partial);
      resolve({ code: code ?? 1, output });
    });
  });
}
