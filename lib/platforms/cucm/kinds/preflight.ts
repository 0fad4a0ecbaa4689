/**
 * preflight: the services the change relies on run (`utils service list`) and the cluster
 * security mode is the one the plan assumed (DOMAIN.md §3 preflight). A check: always runs.
 */
import { StepContext } from '../../../executor/context';
import type { PreflightStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { StepOutcome } from '../../../executor/outcome';

export async function run(ctx: StepContext<PreflightStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const cli = await ctx.cli(step.node);
  const required = step.requireServices;
  const notes: string[] = [];
  if (required.length > 0) {
    const { services } = await cli.serviceList();
    const bad = required.map((s) => ({ s, status: services.get(s) })).filter((x) => x.status !== 'STARTED');
    if (bad.length > 0) {
      const what = bad.map((b) => `${b.s} is ${b.status ? `[${b.status}]` : 'not listed'}`).join(', ');
      throw new StepFailure(`${step.node}: ${what}: start ${bad.length > 1 ? 'them' : 'it'} ('utils service start <name>') and apply again`);
    }
    notes.push(`${required.length} service(s) running`);
  }
  if (step.expectSecurityMode) {
    const mode = await cli.securityMode();
    if (mode !== step.expectSecurityMode) {
      throw new StepFailure(
        `${step.node}: the cluster security mode is ${mode}, the plan assumes ${step.expectSecurityMode}: fix securityMode in the declarations and re-plan (mixed mode adds the CTL update)`,
      );
    }
    notes.push(`security mode ${mode}`);
  }
  return { changed: false, summary: `checked ${step.node}: ${notes.join(', ') || 'nothing to check'}` };
}
