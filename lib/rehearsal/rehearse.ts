/**
 * A rehearsal: the declared change, with lab certificates, applied through Terraform to a
 * digital twin of the cluster, then checked over TLS. `npm start` runs it on the lab example.
 * The plan and the Terraform JSON are exactly what a real run uses; only the resolve map
 * (the twin's ready file) points the drivers at loopback.
 *
 * A Meeting Server cluster whose keys are made on the servers (`pki csr`) is applied in the two
 * phases of docs/cms.md: phase 1 makes and fetches the CSRs, the lab CA signs them, then the
 * re-planned stack (phase 2) carries out the change.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeChain } from '../drivers/tls-probe';
import { stepResourceName } from '../plan';
import { ClusterPlan, CmsClusterPlan, RolloutPlan, readRolloutPlan } from '../platforms';
import { loadLabCa } from '../pki';
import { RunningTwin, startTwin } from '../simulator';
import { RECONCILE_RESOURCE, synthDeclarations } from '../terraform';
import { loadInventory } from '../inventory';
import type { Declarations } from '../model';
import { signServerCsrs } from './cms-lab-pki';
import { LabCertificates, issueLabCertificates } from './lab-pki';
import { issuedLabDeclarations } from './issued-lab';
import { sha256Fingerprint } from '../pki/fingerprint';
import { prepareWorkDir } from './work-dir';
import { ApplyResult, TerraformEvent, checkTerraform, terraformApply, terraformInit } from './terraform';
import { ApplyClock, WindowMeasure, estimateRehearsalWindow, measureWindow, windowLine } from './window';

export interface RehearsalOptions {
  readonly inventory: string;
  /** Everything generated goes here; emptied first. */
  readonly workDir: string;
  /** How long each twin restart takes. */
  readonly restartMillis?: number;
  /**
   * Run the twin on the timing model × this scale (> 0, ≤ 1) instead of `restartMillis`; each
   * apply then runs with -parallelism = the schedule's peak and prints estimate against measured (window.ts).
   */
  readonly timeScale?: number;
  /** Executor overhead per step run the scaled estimate adds (window.ts). @default DEFAULT_STEP_OVERHEAD_SECONDS */
  readonly stepOverheadSeconds?: number;
  /** First loopback address of the twin (tests running side by side use distinct ones). */
  readonly addressBase?: string;
  readonly log?: (line: string) => void;
  /** What the twin's nodes do, a line each (`<fqdn>: restart Cisco Tomcat`), as they do it. @default - not kept */
  readonly twinLog?: (line: string) => void;
  /**
   * Where the leaves come from. `on-node` (what `npm start` and `ucrollout rehearse` run): every
   * CUCM / IM&P certificate is issued, the CSR generated on the twin's node, signed by its declared
   * issuer (or the lab issuer, ./issued-lab.ts), no leaf key outside the nodes. `key-folder`: the lab
   * CA signs CSRs made here and the twin is told where the keys are (test benches only: not how a
   * node behaves).
   * @default 'key-folder' for prepareRehearsal, 'on-node' for rehearse
   */
  readonly certificates?: 'on-node' | 'key-folder';
  /** On-node: `lab` has the lab issuer sign every certificate, also those declared with an issuer this rehearsal cannot reach. */
  readonly issuer?: 'lab';
  /** More environment for the applies (an issuer's secrets, read by the variable names it declares). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface NodeCheck {
  readonly node: string;
  readonly port: string;
  readonly subject: string;
  readonly issuer: string;
  readonly sha256: string;
  readonly matchesPlan: boolean;
}

export interface RehearsalSummary {
  readonly clusters: string[];
  readonly steps: number;
  readonly ran: number;
  readonly failed: { resource: string; message: string }[];
  readonly seconds: number;
  readonly checks: NodeCheck[];
  /** With a time scale: each apply's estimated against measured makespan. */
  readonly windows?: WindowMeasure[];
}

/** The environment `terraform apply` needs to rehearse on the twin. */
export function rehearsalEnv(readyFile: string, credentials: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...credentials,
    UCROLLOUT_RESOLVE: readyFile,
    // A rehearsal confirms the manual steps itself (they are printed) and does not wait for the ISA clean-up.
    UCROLLOUT_CONFIRM_ALL: '1',
    UCROLLOUT_MAX_WAIT_SECONDS: '0',
  };
}

/** A prepared rehearsal: lab certificates, credentials, a running twin and synthesized stacks. */
export interface RehearsalBench {
  readonly workDir: string;
  /** The certificates and declarations the stacks are planned from (replaced by `redeclare`). */
  lab: LabCertificates;
  readonly credentials: Record<string, string>;
  readonly twin: RunningTwin;
  readonly readyFile: string;
  /** Folder of a cluster's stack: cdk.tf.json, plan.json, PLAN.md, terraform.tfstate. */
  stackDir(cluster: string): string;
  /** Every cluster (stack) name: CUCM clusters, then Meeting Server clusters. */
  readonly clusters: readonly string[];
  /** Re-plans and re-synthesizes every stack from the (possibly changed) declarations. */
  synth(): Promise<void>;
  plan(cluster: string): ClusterPlan;
  /** The plan of a Meeting Server cluster's stack. */
  cmsPlan(cluster: string): CmsClusterPlan;
  /** Either plan of a stack. */
  rolloutPlan(cluster: string): RolloutPlan;
  /**
   * Between the phases of a Meeting Server plan: the lab CA signs the CSRs the first apply
   * fetched and saves each certificate where the plan wants it. Returns the files written.
   */
  signServerCsrs(cluster: string): Promise<string[]>;
  apply(cluster: string, onEvent?: (e: TerraformEvent) => void, opts?: { parallelism?: number }): Promise<ApplyResult>;
  /** On-node rehearsals: change the declarations (e.g. raise a renewalGeneration); `synth()` then plans them. */
  redeclare(change: (d: Declarations) => Declarations): void;
  stop(): Promise<void>;
}

export async function prepareRehearsal(opts: RehearsalOptions): Promise<RehearsalBench> {
  const log = opts.log ?? (() => undefined);
  checkTerraform();
  // Absolute: Terraform runs each step from the stack's folder.
  const workDir = resolve(opts.workDir);
  prepareWorkDir(workDir);
  const onNode = opts.certificates === 'on-node';
  log(
    onNode
      ? `1/5 certificates issued on the real path: CSRs generated on the twin's nodes, signed by ${opts.issuer === 'lab' ? 'the lab issuer' : 'the declared issuers (the lab issuer for certificates declared as files)'} (lab: NOT FOR PRODUCTION) → ${opts.workDir}`
      : `1/5 lab CA signs the declared certificates from CSRs (NOT FOR PRODUCTION) → ${opts.workDir}`,
  );
  let lab = onNode ? await issuedLabDeclarations(opts.inventory, workDir, { issuer: opts.issuer }) : await issueLabCertificates(opts.inventory, workDir);
  const cmsClusters = lab.declarations.cmsClusters ?? [];
  const credentials = labCredentials([...lab.declarations.clusters, ...cmsClusters].flatMap((c) => [c.credentials.usernameEnv, c.credentials.passwordEnv]));
  const nodeCount = lab.declarations.clusters.flatMap((c) => c.nodes).length + cmsClusters.flatMap((c) => c.servers).length;
  log(`2/5 digital twin: ${nodeCount} nodes on loopback`);
  const twin = await startTwin({
    declarations: lab.declarations,
    stateDir: join(workDir, 'twin'),
    portMode: 'dynamic',
    addressBase: opts.addressBase,
    restartMillis: opts.restartMillis ?? 500,
    timeScale: opts.timeScale,
    // Key-folder benches only: a node holds the keys of its own CSRs, nothing else.
    ...(onNode ? {} : { keyDirs: [lab.keyDir] }),
    baseDir: lab.baseDir,
    env: { ...process.env, ...credentials },
    ...(opts.twinLog ? { log: opts.twinLog } : {}),
  });
  const outdir = join(workDir, 'cdktf.out');
  const readyFile = join(workDir, 'twin', 'ready.json');
  const stackDir = (cluster: string) => join(outdir, 'stacks', cluster);
  const initialized = new Set<string>();
  const planOf = (cluster: string): RolloutPlan => {
    const file = join(stackDir(cluster), 'plan.json');
    return readRolloutPlan(readFileSync(file, 'utf8'), file);
  };
  const onPlatform = <P extends RolloutPlan>(cluster: string, platform: P['platform']): P => {
    const plan = planOf(cluster);
    if (plan.platform !== platform) throw new Error(`Stack '${cluster}' holds a ${plan.platform} plan, not ${platform}`);
    return plan as P;
  };
  const bench: RehearsalBench = {
    workDir,
    lab,
    credentials,
    twin,
    readyFile,
    stackDir,
    clusters: [...lab.declarations.clusters.map((c) => c.name), ...cmsClusters.map((c) => c.name)],
    async synth() {
      const { declarations, baseDir } = onNode ? lab : loadInventory(lab.inventory);
      synthDeclarations(declarations, { outdir, baseDir });
    },
    redeclare(change) {
      if (!onNode) throw new Error('redeclare: a key-folder rehearsal plans its rewritten inventory; change that file instead');
      lab = { ...lab, declarations: change(lab.declarations) };
      bench.lab = lab;
    },
    plan: (cluster) => onPlatform<ClusterPlan>(cluster, 'cucm'),
    cmsPlan: (cluster) => onPlatform<CmsClusterPlan>(cluster, 'cms'),
    rolloutPlan: planOf,
    signServerCsrs: (cluster) => signServerCsrs(bench.cmsPlan(cluster), stackDir(cluster), loadLabCa(join(workDir, 'ca'))),
    async apply(cluster, onEvent, applyOpts) {
      if (!initialized.has(cluster)) {
        await terraformInit(stackDir(cluster));
        initialized.add(cluster);
      }
      return terraformApply(stackDir(cluster), { ...opts.env, ...rehearsalEnv(readyFile, credentials) }, onEvent, { parallelism: applyOpts?.parallelism });
    },
    stop: () => twin.stop(),
  };
  try {
    log('3/5 plan and synthesize (one Terraform stack per cluster)');
    await bench.synth();
  } catch (e) {
    await twin.stop();
    throw e;
  }
  return bench;
}

export async function rehearse(opts: RehearsalOptions): Promise<RehearsalSummary> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const bench = await prepareRehearsal({ ...opts, certificates: opts.certificates ?? 'on-node' });
  try {
    let steps = 0;
    let ran = 0;
    const failed: ApplyResult['failed'] = [];
    const checks: NodeCheck[] = [];
    const windows: WindowMeasure[] = [];
    for (const cluster of bench.clusters) {
      let plan = bench.rolloutPlan(cluster);
      const applyOnce = async (what: string, toRun: number, runIds?: ReadonlySet<string>): Promise<boolean> => {
        const of = toRun === plan.steps.length ? `${toRun} steps` : `${toRun} of its ${plan.steps.length} steps to run`;
        log(`4/5 terraform init && terraform apply (${cluster}${what}: ${of}; manual steps confirmed for the rehearsal)`);
        const ids = new Map(plan.steps.map((s) => [stepResourceName(s.id), s.id]));
        let done = 0;
        const timing = bench.twin.world.timing;
        const estimate = timing ? estimateRehearsalWindow(plan, timing, opts.stepOverheadSeconds, runIds) : undefined;
        const clock = new ApplyClock();
        const result = await bench.apply(cluster, (e) => {
          clock.onEvent(e);
          if (e.type === 'done' && e.resource === RECONCILE_RESOURCE) log('    ✓ reconcile: every step finished, every verify step holds');
          else if (e.type === 'done') log(`    [${++done}/${toRun}] ✓ ${ids.get(e.resource) ?? e.resource}`);
          if (e.type === 'failed') log(`    ✗ ${ids.get(e.resource) ?? e.resource}: ${e.message}`);
        }, { parallelism: estimate?.parallelism });
        if (estimate) {
          const measured = measureWindow(cluster, estimate, clock.seconds);
          windows.push(measured);
          log(`    ${windowLine(measured)}`);
          log(`      (the scaled estimate assumed: ${estimate.assumed})`);
        }
        ran += result.created.length;
        failed.push(...result.failed);
        if (result.exitCode !== 0 && result.failed.length === 0) failed.push({ resource: cluster, message: result.output.slice(-1500) });
        return result.exitCode === 0;
      };
      const awaiting = plan.platform === 'cms' && plan.certificates.some((c) => c.awaitingSignature);
      const ok = await applyOnce(awaiting ? ', phase 1 of 2: keys and CSRs made on the servers' : '', plan.steps.length);
      steps += plan.steps.length;
      if (ok && awaiting) {
        const signed = await bench.signServerCsrs(cluster);
        log(`    lab CA signed ${signed.length} CSR(s) made on the servers: ${signed.join(', ')}`);
        await bench.synth();
        const before = new Set(plan.steps.map((s) => `${s.id} ${s.trigger}`));
        plan = bench.rolloutPlan(cluster);
        // Steps of phase 1 with the same id and trigger are not run again: count each version once.
        const toRun = plan.steps.filter((s) => !before.has(`${s.id} ${s.trigger}`)).length;
        steps += toRun;
        await applyOnce(', phase 2 of 2', toRun, new Set(plan.steps.filter((s) => !before.has(`${s.id} ${s.trigger}`)).map((s) => s.id)));
      }
      log(`5/5 what each node of ${cluster} serves now`);
      checks.push(...(await checkNodes(plan, bench.twin, log, bench.stackDir(cluster))));
    }
    return { clusters: [...bench.clusters], steps, ran, failed, seconds: (Date.now() - started) / 1000, checks, ...(windows.length > 0 ? { windows } : {}) };
  } finally {
    await bench.stop();
  }
}

/** Over a TLS connection of our own to each verified port: what the node presents, against the plan. */
export async function checkNodes(plan: RolloutPlan, twin: RunningTwin, log: (line: string) => void, planDir?: string): Promise<NodeCheck[]> {
  const checks: NodeCheck[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'verify' || !step.port) continue;
    const node = twin.ready.nodes[step.node];
    const result = await probeChain({
      endpoint: { fqdn: step.node, host: node.address, port: node.ports[step.port.name] },
      handshake: step.port.handshake,
      keyType: step.port.keyType,
    });
    const leaf = result.chain[0];
    const check = {
      node: step.node,
      port: `${step.port.name} ${step.port.port}`,
      subject: leaf.subject,
      issuer: leaf.issuer,
      sha256: leaf.sha256,
      matchesPlan: leaf.sha256 === (step.leafFrom ? issuedLeaf(planDir, step.leafFrom.chainFile) : step.expectChain[0]),
    };
    checks.push(check);
    log(`    ${check.matchesPlan ? '✓' : '✗'} ${step.node} ${check.port} (${step.purpose}): ${check.subject}, issued by ${check.issuer}, SHA-256 ${check.sha256.slice(0, 16)}…`);
  }
  return checks;
}

/** The leaf an issued certificate's sign step wrote (verify steps with `leafFrom`), or undefined. */
function issuedLeaf(planDir: string | undefined, chainFile: string): string | undefined {
  if (!planDir) return undefined;
  try {
    return sha256Fingerprint(readFileSync(join(planDir, chainFile), 'latin1'));
  } catch {
    return undefined;
  }
}

/** Credentials for the twin and the drivers: the declared variables if set, else throw-away values. */
function labCredentials(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of new Set(names)) out[name] = process.env[name] ?? (/user/i.test(name) ? 'rehearsal' : randomBytes(12).toString('base64url'));
  return out;
}
