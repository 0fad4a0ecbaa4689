/**
 * The impure shell around the pure CUCM planner: reads the declared certificate files, lints
 * them (errors refuse the plan, warnings go to PLAN.md), and plans one cluster.
 */
import { lintIssuersOfPlan } from '../../issuers/lint';
import { isAbsolute, join, relative, sep } from 'node:path';
import { CertificateFacts, Declarations, throwIfProblems } from '../../model';
import { readCertificateFacts } from '../../pki/facts';
import { PrepareOptions, PreparedPlan } from '../platform';
import { lintDeclarations } from './lint';
import { planCluster } from './plan';
import { ClusterPlan } from './types';

export function prepareClusterPlan(decls: Declarations, clusterName: string, opts: PrepareOptions): PreparedPlan<ClusterPlan> {
  const abs = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const cache = new Map<string, CertificateFacts>();
  const facts = (p: string) => {
    let f = cache.get(p);
    if (!f) cache.set(p, (f = readCertificateFacts(abs(p), p)));
    return f;
  };
  const mine: Declarations = {
    ...decls,
    clusters: decls.clusters.filter((c) => c.name === clusterName),
    certificates: decls.certificates.filter((c) => c.cluster === clusterName),
    trustEntries: decls.trustEntries.filter((t) => t.cluster === clusterName),
  };
  const findings = opts.lint === false ? [] : [...lintDeclarations(mine, { baseDir: opts.baseDir, now: opts.now }), ...lintIssuersOfPlan(decls, clusterName, { baseDir: opts.baseDir, now: opts.now })];
  throwIfProblems(findings.filter((f) => f.severity === 'error').map((f) => `lint ${f.code}: ${f.message}`));
  const plan = planCluster(decls, clusterName, {
    facts,
    fileRef: (p) => relative(opts.planDir, abs(p)).split(sep).join('/'),
    warnings: findings.filter((f) => f.severity === 'warning').map((f) => ({ severity: f.severity, code: f.code, message: f.message })),
  });
  return { plan, files: [] };
}
