/**
 * The one reader and writer of plan.json, for every platform: the executor, the renderer,
 * the rehearsal and the tests read plans through here.
 */
import { PLAN_FORMAT_VERSION, PlanEnvelope } from './types';

/** plan.json text: key order as built, two-space indent, one trailing newline. */
export function renderPlanJson(plan: PlanEnvelope): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

/**
 * Reads plan.json text: JSON, format version 2, a platform among `platforms`, a cluster with
 * nodes and a list of steps. Throws PlanFormatError saying what to do.
 */
export function parsePlanJson(text: string, label: string, platforms: readonly string[]): PlanEnvelope {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PlanFormatError(`${label} is not JSON (${(e as Error).message}): pass the plan.json that 'ucrollout plan' wrote`);
  }
  const plan = data as Partial<PlanEnvelope> | null;
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) {
    throw new PlanFormatError(`${label} is not a uc-cert-rollout plan: pass the plan.json that 'ucrollout plan' wrote`);
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    const seen = (plan as { formatVersion?: unknown }).formatVersion;
    throw new PlanFormatError(
      `${label} is a plan of format ${JSON.stringify(seen ?? 'none')}, this ucrollout reads format ${PLAN_FORMAT_VERSION}: re-run 'ucrollout plan' (or cdktf synth) with this version`,
    );
  }
  if (typeof plan.platform !== 'string' || !platforms.includes(plan.platform)) {
    throw new PlanFormatError(
      `${label} is a plan for platform ${JSON.stringify(plan.platform)}, which this ucrollout cannot run (it knows ${platforms.join(', ')}): upgrade ucrollout or re-plan`,
    );
  }
  if (!Array.isArray(plan.steps) || !plan.cluster || typeof plan.cluster.name !== 'string' || !Array.isArray(plan.cluster.nodes)) {
    throw new PlanFormatError(`${label} has no cluster, nodes or steps: it is damaged; re-run 'ucrollout plan'`);
  }
  return plan as PlanEnvelope;
}

export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFormatError';
  }
}
