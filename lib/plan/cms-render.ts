import { CmsClusterPlan, isCmsPlan } from './cms-types';

/** plan.json text of a CMS plan: stable key order (as built), two-space indent, one trailing newline. */
export function renderCmsPlanJson(plan: CmsClusterPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

/** Reads a CMS plan.json, checking the format version and platform. */
export function parseCmsPlanJson(text: string, label = 'plan.json'): CmsClusterPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${label} is not JSON: ${(e as Error).message}`);
  }
  if (!isCmsPlan(data) || data.formatVersion !== 1 || !Array.isArray(data.steps)) {
    throw new Error(`${label} is not a Meeting Server plan of format version 1: re-create it with 'ucrollout plan' or 'cdktf synth'`);
  }
  return data;
}
