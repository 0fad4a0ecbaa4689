import { ClusterPlan } from './types';

/** plan.json text: stable key order (as built), two-space indent, one trailing newline. */
export function renderPlanJson(plan: ClusterPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

/** Reads plan.json text, checking the format version. */
export function parsePlanJson(text: string, label = 'plan.json'): ClusterPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${label} is not JSON: ${(e as Error).message}`);
  }
  const plan = data as ClusterPlan;
  if (!plan || plan.formatVersion !== 1 || !Array.isArray(plan.steps)) {
    throw new Error(`${label} is not a uc-cert-rollout plan of format version 1: re-create it with 'ucrollout plan' or 'cdktf synth'`);
  }
  return plan;
}
