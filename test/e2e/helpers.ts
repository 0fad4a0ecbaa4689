/**
 * Shared by the end-to-end tests that apply the lab stack on the digital twin: the leaf a
 * node presents over a TLS connection of the test's own, and the plan's dependency graph.
 */
import { connect } from 'node:tls';
import { ClusterPlan, VerifyStep, stepResourceName } from '../../lib/platforms';
import { RehearsalBench, rehearsalEnv } from '../../lib/rehearsal/rehearse';
import { ApplyResult, terraformApply, terraformInit } from '../../lib/rehearsal/terraform';

export interface ServedLeaf {
  readonly id: string;
  readonly served: string;
  readonly expected: string;
}

/** SHA-256 (lowercase hex) of the leaf a node presents, over a TLS connection of the test's own. */
export function presentedLeaf(host: string, port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: 5000 }, () => {
      const leaf = socket.getPeerCertificate();
      socket.end();
      resolve(leaf.fingerprint256.replace(/:/g, '').toLowerCase());
    });
    socket.on('timeout', () => socket.destroy(new Error(`TLS to ${host}:${port} timed out`)));
    socket.on('error', reject);
  });
}

/** For every verify step with a TLS port: what the node presents there now, against the plan's leaf. */
export async function servedVersusPlan(bench: RehearsalBench, plan: ClusterPlan): Promise<ServedLeaf[]> {
  const out: ServedLeaf[] = [];
  for (const step of plan.steps.filter((s): s is VerifyStep => s.kind === 'verify' && !!s.port)) {
    const node = bench.twin.ready.nodes[step.node];
    out.push({ id: step.id, served: await presentedLeaf(node.address, node.ports[step.port!.name], step.node), expected: step.expectChain![0] });
  }
  return out;
}

/** Ids of the steps that depend on `id`, directly or through other steps (not `id` itself). */
export function dependentsOf(plan: ClusterPlan, id: string): Set<string> {
  const found = new Set<string>();
  let frontier = [id];
  while (frontier.length > 0) {
    const next = plan.steps.filter((s) => !found.has(s.id) && s.dependsOn.some((d) => frontier.includes(d))).map((s) => s.id);
    next.forEach((n) => found.add(n));
    frontier = next;
  }
  return found;
}

/** Terraform resource names of step ids. */
export function resources(ids: Iterable<string>): Set<string> {
  return new Set([...ids].map(stepResourceName));
}

/** Resource name → step id, to make failure messages of the tests readable. */
export function stepIdsByResource(plan: ClusterPlan): Map<string, string> {
  return new Map(plan.steps.map((s) => [stepResourceName(s.id), s.id]));
}

/** `terraform init` of the bench's stack (no provider download: terraform_data is built in). */
export function initStack(bench: RehearsalBench, cluster = 'lab'): Promise<void> {
  return terraformInit(bench.stackDir(cluster));
}

/**
 * `terraform apply` of the bench's stack with the rehearsal's environment plus `extraEnv`,
 * bounded by `timeoutMs` (the stack must have been initialised).
 */
export function applyStack(bench: RehearsalBench, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 150_000, cluster = 'lab'): Promise<ApplyResult> {
  return terraformApply(bench.stackDir(cluster), { ...rehearsalEnv(bench.readyFile, bench.credentials), ...extraEnv }, undefined, { timeoutMs });
}

/** What the twin's nodes hold now: per node and service the last start, per node and unit the identity. */
export interface TwinSnapshot {
  readonly startedAt: ReadonlyMap<string, string | undefined>;
  readonly identity: ReadonlyMap<string, string>;
}

export function twinSnapshot(bench: RehearsalBench): TwinSnapshot {
  const startedAt = new Map<string, string | undefined>();
  const identity = new Map<string, string>();
  for (const [fqdn, node] of Object.entries(bench.twin.world.state.nodes)) {
    for (const [service, record] of Object.entries(node.services)) startedAt.set(`${fqdn} ${service}`, record.startedAt);
    for (const [unit, record] of Object.entries(node.identities)) identity.set(`${fqdn} ${unit}`, record.sha256);
  }
  return { startedAt, identity };
}
