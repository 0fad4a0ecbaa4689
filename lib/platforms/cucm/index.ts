/** The CUCM / IM and Presence platform plug-in (DOMAIN.md §2, §3, §5). */
import { Platform } from '../platform';
import { lintDeclarations } from './lint';
import { prepareClusterPlan } from './prepare';
import { renderReview } from './review';
import { ClusterPlan } from './types';
import { validateDeclarations } from './validate';

export const cucmPlatform: Platform<ClusterPlan> = {
  name: 'cucm',
  title: 'CUCM / IM and Presence',
  clusterNames: (decls) => decls.clusters.map((c) => c.name),
  validate: (decls) => validateDeclarations(decls),
  lint: (decls, opts) => lintDeclarations(decls, opts),
  prepare: prepareClusterPlan,
  renderReview,
};

export * from './types';
export { planCluster } from './plan';
export type { PlanOptions, DraftStep } from './plan-context';
export { prepareClusterPlan } from './prepare';
export { renderReview, reviewWarnings } from './review';
export { validateDeclarations } from './validate';
export { lintDeclarations } from './lint';
