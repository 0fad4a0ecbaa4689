/**
 * The platform registry: every platform plug-in, the unions of their plans and steps, and
 * the entry points that work for any of them (plan every declared cluster, read a plan,
 * render its review). Callers never branch on a platform themselves.
 */
import { DeclarationError, Declarations } from '../model';
import { LintFinding } from '../pki/lint/finding';
import { parsePlanJson } from '../plan/format';
import { cmsPlatform } from './cms';
import { CmsClusterPlan } from './cms/types';
import { cucmPlatform } from './cucm';
import { ClusterPlan } from './cucm/types';
import { LintOptions, Platform, PrepareOptions, PreparedPlan } from './platform';

/** Every platform, in the order their stacks are planned. */
export const PLATFORMS: readonly Platform[] = [cucmPlatform as unknown as Platform, cmsPlatform as unknown as Platform];

/** A plan of any platform. */
export type RolloutPlan = ClusterPlan | CmsClusterPlan;
/** A step of any platform's plan: a union keyed on `kind`. */
export type PlanStep = RolloutPlan['steps'][number];
export type StepKind = PlanStep['kind'];
/** A node of any platform's plan. */
export type AnyPlanNode = RolloutPlan['cluster']['nodes'][number];

export function platformNamed(name: string): Platform {
  const p = PLATFORMS.find((x) => x.name === name);
  if (!p) throw new Error(`Unknown platform '${name}': this ucrollout knows ${PLATFORMS.map((x) => x.name).join(', ')}`);
  return p;
}

export function platformOf(plan: RolloutPlan): Platform<RolloutPlan> {
  return platformNamed(plan.platform) as unknown as Platform<RolloutPlan>;
}

/** Every declared cluster with its platform; cluster names are unique across platforms (one stack each). */
export function declaredClusters(decls: Declarations): { readonly name: string; readonly platform: Platform }[] {
  const all = PLATFORMS.flatMap((platform) => platform.clusterNames(decls).map((name) => ({ name, platform })));
  const names = all.map((c) => c.name);
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (twice.length > 0) {
    throw new DeclarationError(twice.map((n) => `Cluster '${n}' is declared twice (every cluster, CUCM or Meeting Server, is its own stack): give each cluster a unique name`));
  }
  // A platform's planner checks its declarations; one with no cluster is checked here, so a
  // certificate for an undeclared cluster is refused rather than silently left out.
  for (const platform of PLATFORMS) if (!all.some((c) => c.platform === platform)) platform.validate(decls);
  return all;
}

/** Plans one declared cluster, whatever its platform. */
export function prepareRolloutPlan(decls: Declarations, cluster: string, opts: PrepareOptions): PreparedPlan<RolloutPlan> {
  const found = declaredClusters(decls).find((c) => c.name === cluster);
  if (!found) throw new DeclarationError([`Cluster '${cluster}' is not declared: declare it or fix the name`]);
  return found.platform.prepare(decls, cluster, opts) as PreparedPlan<RolloutPlan>;
}

/** Lint of every platform's declared certificates, in platform order. */
export function lintAll(decls: Declarations, opts: LintOptions): LintFinding[] {
  // A CA shared by two platforms' certificates is reported once.
  const seen = new Set<string>();
  return PLATFORMS.flatMap((p) => p.lint(decls, opts)).filter((f) => {
    const key = `${f.code}|${f.certificate ?? ''}|${f.message}`;
    return !seen.has(key) && seen.add(key);
  });
}

/** PLAN.md of a plan of any platform. */
export function renderRolloutReview(plan: RolloutPlan): string {
  return platformOf(plan).renderReview(plan);
}

/** Reads plan.json text of any known platform (the one reader). */
export function readRolloutPlan(text: string, label = 'plan.json'): RolloutPlan {
  return parsePlanJson(text, label, PLATFORMS.map((p) => p.name)) as RolloutPlan;
}

export type { Platform, PrepareOptions, PreparedPlan, PlanFile, LintOptions } from './platform';
export * from './cucm';
export * from './cms';
export * from '../plan';
