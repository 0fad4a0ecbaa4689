import { Declarations } from '../lib/model';
import { PlanFinding } from '../lib/plan/types';

/** The PKI lint, as the planner consumes it. TEMPORARY: wired to lib/pki lintDeclarations once it lands. */
export function lintForPlan(_decls: Declarations, _baseDir: string): PlanFinding[] {
  return [];
}
