/**
 * plan.json as the executor reads it (through the one reader, lib/platforms readRolloutPlan):
 * the plan of any platform, the folder its relative paths start from, and lookups of steps,
 * nodes and the certificate files the steps reference.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { sha256Fingerprint as sha256OfPem, shortFingerprint } from '../pki/fingerprint';
import { certificatePems } from '../pki/pem';
import { AnyPlanNode, PlanStep, RolloutPlan, readRolloutPlan } from '../platforms';
import type { PlanNode } from '../platforms/cucm/types';
import { PlanFormatError } from '../plan/format';
import type { StepCertificate } from '../plan/types';
import { PlanFileError, StepFailure } from './errors';
import { readBounded, MAX_PLAN_FILE_BYTES } from '../pki/bounded-read';

export interface LoadedPlan {
  /** Absolute path of plan.json. */
  readonly path: string;
  /** Its folder: every relative path in the plan starts here. */
  readonly dir: string;
  readonly plan: RolloutPlan;
}

export function loadPlanFile(file: string): LoadedPlan {
  const path = resolve(file);
  let text: string;
  try {
    text = readBounded(path, MAX_PLAN_FILE_BYTES).toString('utf8');
  } catch (e) {
    throw new PlanFileError(`Cannot read plan '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass the plan.json that 'ucrollout plan' wrote`);
  }
  try {
    return { path, dir: dirname(path), plan: readRolloutPlan(text, `'${file}'`) };
  } catch (e) {
    if (e instanceof PlanFormatError) throw new PlanFileError(e.message);
    throw e;
  }
}

/**
 * The step with this id. `hint` ends the message when there is none: by default a plan that
 * Terraform runs from is stale; `ucrollout confirm` says a mistyped id instead.
 */
export function findStep(loaded: LoadedPlan, id: string, hint = "the plan changed since Terraform was synthesized? Re-run 'ucrollout plan' and synth"): PlanStep {
  const steps: readonly PlanStep[] = loaded.plan.steps;
  const step = steps.find((s) => s.id === id);
  if (step) return step;
  const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : id;
  const tail = id.split('/').pop() ?? id;
  const byParent = steps.filter((s) => s.id.startsWith(parent));
  const near = (byParent.length > 0 ? byParent : steps.filter((s) => s.id.includes(tail))).slice(0, 5).map((s) => s.id);
  throw new StepFailure(`No step '${id}' in ${loaded.path}${near.length ? `; similar: ${near.join(', ')}` : ''}: ${hint}`);
}

/** A node of the plan: what the drivers need to reach it and pin it. */
export function findAnyPlanNode(loaded: LoadedPlan, fqdn: string): AnyPlanNode {
  const want = fqdn.toLowerCase();
  const nodes: readonly AnyPlanNode[] = loaded.plan.cluster.nodes;
  const node = nodes.find((n) => n.fqdn.toLowerCase() === want);
  if (!node) throw new StepFailure(`Node ${fqdn} is not a node of cluster '${loaded.plan.cluster.name}' in ${loaded.path}: the plan is inconsistent, re-run 'ucrollout plan'`);
  return node;
}

/** A CUCM / IM&P node (role, api); a Meeting Server has none. */
export function findPlanNode(loaded: LoadedPlan, fqdn: string): PlanNode {
  const node = findAnyPlanNode(loaded, fqdn);
  if (node.platform === 'cms') throw new StepFailure(`Node ${fqdn} is a Meeting Server in ${loaded.path}: this step kind is for CUCM and IM&P nodes; re-run 'ucrollout plan'`);
  return node;
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
    data = readBounded(planPath(loaded, cert.file));
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
