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
import { signServerCsrs } from './cms-lab-pki';
import { LabCertificates, issueLabCertificates } from './lab-pki';
import { prepareWorkDir } from './work-dir';
import { ApplyResult, TerraformEvent, checkTerraform, terraformApply, terraformInit } from './terraform';

export interface RehearsalOptions {
  readonly inventory: string;
  /** Everything generated goes here; emptied first. */
  readonly workDir: string;
  /** How long each twin restart takes. */
  readonly restartMillis?: number;
  /** First loopback address of the twin (tests running side by side use distinct ones). */
  readonly addressBase?: string;
  readonly log?: (line: string) => void;
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
  readonly lab: LabCertificates;
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
  apply(cluster: string, onEvent?: (e: TerraformEvent) => void): Promise<ApplyResult>;
  stop(): Promise<void>;
}

export async function prepareRehearsal(opts: RehearsalOptions): Promise<RehearsalBench> {
  const log = opts.log ?? (() => undefined);
  checkTerraform();
  // Absolute: Terraform runs each step from the stack's folder.
  const workDir = resolve(opts.workDir);
  prepareWorkDir(workDir);
  log(`1/5 lab CA signs the declared certificates from CSRs (NOT FOR PRODUCTION) → ${opts.workDir}`);
  const lab = await issueLabCertificates(opts.inventory, workDir);
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
    keyDirs: [lab.keyDir],
    baseDir: lab.baseDir,
    env: { ...process.env, ...credentials },
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
      const { declarations, baseDir } = loadInventory(lab.inventory);
      synthDeclarations(declarations, { outdir, baseDir });
    },
    plan: (cluster) => onPlatform<ClusterPlan>(cluster, 'cucm'),
    cmsPlan: (cluster) => onPlatform<CmsClusterPlan>(cluster, 'cms'),
    rolloutPlan: planOf,
    signServerCsrs: (cluster) => signServerCsrs(bench.cmsPlan(cluster), stackDir(cluster), loadLabCa(join(lab.baseDir, 'ca'))),
    async apply(cluster, onEvent) {
      if (!initialized.has(cluster)) {
        await terraformInit(stackDir(cluster));
        initialized.add(cluster);
      }
      return terraformApply(stackDir(cluster), rehearsalEnv(readyFile, credentials), onEvent);
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
  const bench = await prepareRehearsal(opts);
  try {
    let steps = 0;
    let ran = 0;
    const failed: ApplyResult['failed'] = [];
    const checks: NodeCheck[] = [];
    for (const cluster of bench.clusters) {
      let plan = bench.rolloutPlan(cluster);
      const applyOnce = async (what: string, toRun: number): Promise<boolean> => {
        const of = toRun === plan.steps.length ? `${toRun} steps` : `${toRun} of its ${plan.steps.length} steps to run`;
        log(`4/5 terraform init && terraform apply (${cluster}${what}: ${of}; manual steps confirmed for the rehearsal)`);
        const ids = new Map(plan.steps.map((s) => [stepResourceName(s.id), s.id]));
        let done = 0;
        const result = await bench.apply(cluster, (e) => {
          if (e.type === 'done' && e.resource === RECONCILE_RESOURCE) log('    ✓ reconcile: every step finished, every verify step holds');
          else if (e.type === 'done') log(`    [${++done}/${toRun}] ✓ ${ids.get(e.resource) ?? e.resource}`);
          if (e.type === 'failed') log(`    ✗ ${ids.get(e.resource) ?? e.resource}: ${e.message}`);
        });
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
        await applyOnce(', phase 2 of 2', toRun);
      }
      log(`5/5 what each node of ${cluster} serves now`);
      checks.push(...(await checkNodes(plan, bench.twin, log)));
    }
    return { clusters: [...bench.clusters], steps, ran, failed, seconds: (Date.now() - started) / 1000, checks };
  } finally {
    await bench.stop();
  }
}

/** Over a TLS connection of our own to each verified port: what the node presents, against the plan. */
export async function checkNodes(plan: RolloutPlan, twin: RunningTwin, log: (line: string) => void): Promise<NodeCheck[]> {
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
      matchesPlan: leaf.sha256 === step.expectChain[0],
    };
    checks.push(check);
    log(`    ${check.matchesPlan ? '✓' : '✗'} ${step.node} ${check.port} (${step.purpose}): ${check.subject}, issued by ${check.issuer}, SHA-256 ${check.sha256.slice(0, 16)}…`);
  }
  return checks;
}

/** Credentials for the twin and the drivers: the declared variables if set, else throw-away values. */
function labCredentials(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of new Set(names)) out[name] = process.env[name] ?? (/user/i.test(name) ? 'rehearsal' : randomBytes(12).toString('base64url'));
  return out;
}
