/** The Cisco Meeting Server platform plug-in (DOMAIN.md §4). */
import { Platform } from '../platform';
import { lintCmsDeclarations } from './lint';
import { prepareCmsClusterPlan } from './prepare';
import { renderCmsReview } from './review';
import { CmsClusterPlan } from './types';
import { validateCmsDeclarations } from './validate';

export const cmsPlatform: Platform<CmsClusterPlan> = {
  name: 'cms',
  title: 'Meeting Server',
  clusterNames: (decls) => (decls.cmsClusters ?? []).map((c) => c.name),
  validate: validateCmsDeclarations,
  lint: (decls, opts) => lintCmsDeclarations(decls, opts),
  prepare: prepareCmsClusterPlan,
  renderReview: renderCmsReview,
};

export * from './types';
export * from './material';
export { planCmsCluster, CMS_CSR_DIR } from './plan';
export { prepareCmsClusterPlan, CMS_FILES_DIR } from './prepare';
export { renderCmsReview, cmsReviewWarnings } from './review';
export { validateCmsDeclarations } from './validate';
export * from './lint';
export { CONNECTED_PRIMARY, DATABASE_OUTAGE, PRIMARY_LINE } from './database-plan';
