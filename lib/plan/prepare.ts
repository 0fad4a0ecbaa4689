/**
 * The impure shell around the pure planner: reads the declared certificate files, lints
 * them, refuses a plan with lint errors, and plans one cluster. Shared by RolloutStack
 * (cdktf synth) and `ucrollout plan`.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { CertificateFacts, Declarations, throwIfProblems } from '../model';
import { readCertificateFacts } from '../pki/facts';
import { planCluster } from './cluster-plan';
import { ClusterPlan, PlanFinding } from './types';

export interface PrepareOptions {
  /** Folder relative declared paths start from. */
  readonly baseDir: string;
  /** Folder plan.json is written to: file references in the plan are relative to it. */
  readonly planDir: string;
  /** Lint of the declared certificates; errors refuse the plan, warnings go to PLAN.md. */
  readonly lint?: (decls: Declarations, baseDir: string) => readonly PlanFinding[];
}

export function prepareClusterPlan(decls: Declarations, clusterName: string, opts: PrepareOptions): ClusterPlan {
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
  const findings = opts.lint ? opts.lint(mine, opts.baseDir) : [];
  throwIfProblems(findings.filter((f) => f.severity === 'error').map((f) => `lint ${f.code}: ${f.message}`));
  return planCluster(decls, clusterName, {
    facts,
    fileRef: (p) => relative(opts.planDir, abs(p)).split(sep).join('/'),
    warnings: findings.filter((f) => f.severity === 'warning').map((f) => ({ severity: f.severity, code: f.code, message: f.message })),
  });
}
