/**
 * restart-service: make a service read its new certificate (DOMAIN.md §3 install 4, §5).
 * Cisco Tomcat over the CLI (the SOAP API runs inside it), every other service over SOAP.
 * Skipped when the service evidently restarted since the change (restart-evidence.ts).
 */
import { TOMCAT_SERVICE } from '../../../drivers/soap-driver';
import { StepContext } from '../../../executor/context';
import type { RestartServiceStep, UploadIdentityStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { fp } from '../../../executor/node-certificates';
import { ALREADY_DONE, StepOutcome } from '../../../executor/outcome';
import { PortEvidence, changeTime, identityUploadsFor, portEvidence, presentedLeaves } from './restart-evidence';

/** After the restart, a port may take a moment to listen again: a few bounded retries. */
const PROBE_ATTEMPTS = 5;
const PROBE_PAUSE_MS = 400;

export async function run(ctx: StepContext<RestartServiceStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const service = step.service;
  const uploads = identityUploadsFor(ctx, step);
  const evidence = portEvidence(ctx, step, uploads);

  if (await alreadyRestarted(ctx, service, uploads, evidence)) return ALREADY_DONE;

  ctx.log(`restarting ${service} on ${step.node}`);
  if (service === TOMCAT_SERVICE) {
    const cli = await ctx.cli(step.node);
    try {
      await cli.restartService(service);
    } catch (e) {
      ctx.dropCli(step.node);
      throw e;
    }
  } else {
    await ctx.soap(step.node).restart(service, ctx.timeouts.restartMs);
  }

  if (evidence.length === 0) return { changed: true, summary: `restarted ${service} on ${step.node}` };
  const leaves = await probeUntilPresented(ctx, step.node, evidence);
  const wrong = evidence.filter((e, i) => leaves[i] !== e.expect);
  if (wrong.length > 0) {
    const what = wrong.map((e) => `${e.port.name} (${e.port.port}) presents ${fp(leaves[evidence.indexOf(e)])} instead of the new ${e.purpose} ${fp(e.expect)}`);
    throw new StepFailure(`${step.node}: ${service} restarted but ${what.join('; ')}: check the identity with 'show cert own' on the node and apply again`);
  }
  return { changed: true, summary: `restarted ${service} on ${step.node}; ${evidence.map((e) => e.port.name).join(', ')} present the new certificate` };
}

async function alreadyRestarted(ctx: StepContext<RestartServiceStep>, service: string, uploads: readonly UploadIdentityStep[], evidence: readonly PortEvidence[]): Promise<boolean> {
  const { step } = ctx;
  if (evidence.length > 0) {
    const leaves = await presentedLeaves(ctx, step.node, evidence);
    return evidence.every((e, i) => leaves[i] === e.expect);
  }
  const changedAt = changeTime(ctx, step, uploads);
  if (changedAt === undefined) return false;
  try {
    const status = await ctx.soap(step.node).status(service);
    const started = status?.startTime ? Date.parse(status.startTime) : NaN;
    return /^started$/i.test(status?.status ?? '') && Number.isFinite(started) && started > changedAt;
  } catch (e) {
    ctx.log(`cannot read the start time of ${service} on ${step.node} (${(e as Error).message}); restarting`);
    return false;
  }
}

async function probeUntilPresented(ctx: StepContext<RestartServiceStep>, node: string, evidence: readonly PortEvidence[]): Promise<(string | undefined)[]> {
  let leaves: (string | undefined)[] = [];
  for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
    leaves = await presentedLeaves(ctx, node, evidence);
    if (evidence.every((e, i) => leaves[i] === e.expect) || leaves.every((l) => l !== undefined)) break;
    await ctx.sleep(PROBE_PAUSE_MS);
  }
  return leaves;
}
