/**
 * plan.json as the executor reads it: the plan (CUCM / IM&P, or Meeting Server with
 * `platform: "cms"`), the folder its relative paths start from, and lookups of steps, nodes
 * and the certificate files the steps reference.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { certificatePems, sha256OfPem, shortFingerprint } from '../drivers/pem';
import type { CmsClusterPlan, CmsPlanNode, RolloutPlan } from '../plan/cms-types';
import type { ClusterPlan, PlanNode, PlanStep, StepCertificate } from '../plan/types';
import { PlanFileError, StepFailure } from './errors';

export interface LoadedPlan {
  /** Absolute path of plan.json. */
  readonly path: string;
  /** Its folder: every relative path in the plan starts here. */
  readonly dir: string;
  readonly plan: RolloutPlan;
}

/** A Meeting Server plan (`platform: "cms"`). */
export function isCmsLoaded(loaded: LoadedPlan): loaded is LoadedPlan & { readonly plan: CmsClusterPlan } {
  return (loaded.plan as { platform?: unknown }).platform === 'cms';
}

export function loadPlanFile(file: string): LoadedPlan {
  const path = resolve(file);
  let plan: RolloutPlan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as RolloutPlan;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? `not valid JSON: ${(e as Error).message}`;
    throw new PlanFileError(`Cannot read plan '${file}' (${why}): pass the plan.json that 'ucrollout plan' wrote`);
  }
  if (plan?.formatVersion !== 1 || !Array.isArray(plan.steps) || !plan.cluster || !Array.isArray(plan.cluster.nodes)) {
    throw new PlanFileError(`'${file}' is not a plan of format 1: re-run 'ucrollout plan' with this version of ucrollout`);
  }
  const platform = (plan as { platform?: unknown }).platform;
  if (platform !== undefined && platform !== 'cms') {
    throw new StepFailure(`'${file}' is a plan for platform ${JSON.stringify(platform)}, which this ucrollout cannot run: upgrade ucrollout or re-plan`);
  }
  return { path, dir: dirname(path), plan };
}

/** The steps of either plan (a CMS step has the same fields as a CUCM one). */
export function planSteps(loaded: LoadedPlan): readonly PlanStep[] {
  return loaded.plan.steps as readonly PlanStep[];
}

/**
 * The step with this id. `hint` ends the message when there is none: by default a plan that
 * Terraform runs from is stale; `ucrollout confirm` says a mistyped id instead.
 */
export function findStep(loaded: LoadedPlan, id: string, hint = "the plan changed since Terraform was synthesized? Re-run 'ucrollout plan' and synth"): PlanStep {
  const steps = planSteps(loaded);
  const step = steps.find((s) => s.id === id);
  if (step) return step;
  const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : id;
  const tail = id.split('/').pop() ?? id;
  const byParent = steps.filter((s) => s.id.startsWith(parent));
  const near = (byParent.length > 0 ? byParent : steps.filter((s) => s.id.includes(tail))).slice(0, 5).map((s) => s.id);
  throw new StepFailure(
    `No step '${id}' in ${loaded.path}${near.length ? `; similar: ${near.join(', ')}` : ''}: ${hint}`,
  );
}

/** A node of either plan: what the drivers need to reach it and pin it. */
export function findAnyPlanNode(loaded: LoadedPlan, fqdn: string): PlanNode | CmsPlanNode {
  const want = fqdn.toLowerCase();
  const nodes: readonly (PlanNode | CmsPlanNode)[] = loaded.plan.cluster.nodes;
  const node = nodes.find((n) => n.fqdn.toLowerCase() === want);
  if (!node) throw new StepFailure(`Node ${fqdn} is not a node of cluster '${loaded.plan.cluster.name}' in ${loaded.path}: the plan is inconsistent, re-run 'ucrollout plan'`);
  return node;
}

/** A CUCM / IM&P node (role, api); a Meeting Server plan has none. */
export function findPlanNode(loaded: LoadedPlan, fqdn: string): PlanNode {
  const node = findAnyPlanNode(loaded, fqdn);
  if (node.platform === 'cms') throw new StepFailure(`Node ${fqdn} is a Meeting Server in ${loaded.path}: this step kind is for CUCM and IM&P nodes; re-run 'ucrollout plan'`);
  return node;
}

/** The CUCM / IM&P plan; a step of a CUCM kind in a Meeting Server plan is refused. */
export function cucmPlan(loaded: LoadedPlan): ClusterPlan {
  if (isCmsLoaded(loaded)) throw new StepFailure(`${loaded.path} is a Meeting Server plan: this step kind is for CUCM and IM&P clusters; re-run 'ucrollout plan'`);
  return loaded.plan as ClusterPlan;
}

/** A path of the plan, made absolute. */
export function planPath(loaded: LoadedPlan, ref: string): string {
  return isAbsolute(ref) ? ref : join(loaded.dir, ref);
}

/**
 * The PEM of a certificate the step references. Refuses a file whose fingerprint is not
 * the one planned: the plan was reviewed with that certificate.
 */
export function readStepCertificate(loaded: LoadedPlan, cert: StepCertificate): string {
  let data: Buffer;
  try {
    data = readFileSync(planPath(loaded, cert.file));
  } catch (e) {
    throw new StepFailure(`Cannot read certificate file '${cert.file}' (${(e as NodeJS.ErrnoException).code}) referenced by the plan: restore it, or re-plan`);
  }
  const pem = certificatePems(data)[0];
  const sha = pem ? sha256OfPem(pem) : '';
  if (sha !== cert.sha256) {
    throw new StepFailure(
      `Certificate file '${cert.file}' changed since the plan was made (fingerprint ${shortFingerprint(sha) || 'none'}…, planned ${shortFingerprint(cert.sha256)}…): re-run 'ucrollout plan', review, and apply the new plan`,
    );
  }
  return pem;
}

/** The nodes an identity upload must reach: multi-server its SAN list, single-server its node. */
export function identityTargets(node: string, distributeTo?: readonly string[]): string[] {
  const list = distributeTo && distributeTo.length > 0 ? distributeTo : [node];
  return [...new Set(list.map((n) => n.toLowerCase()))];
}
