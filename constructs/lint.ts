import { Declarations } from '../lib/model';
import { lintDeclarations } from '../lib/pki';
import { PlanFinding } from '../lib/plan/types';

/** The PKI lint, as the planner consumes it: errors refuse the plan, warnings go to PLAN.md. */
export function lintForPlan(decls: Declarations, baseDir: string): PlanFinding[] {
  return lintDeclarations(decls, { baseDir });
}
