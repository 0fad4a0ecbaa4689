/**
 * upload-trust: one CA certificate into a trust store on the (IM&P database) publisher,
 * which distributes it cluster-wide (DOMAIN.md §3 install 1). Done when the store holds it.
 */
import { shortFingerprint } from '../../drivers/pem';
import { StepContext } from '../context';
import { StepFailure } from '../errors';
import { trustStoreHolds, uploadTrust } from '../node-certificates';
import { ALREADY_DONE, StepOutcome } from '../outcome';
import { readStepCertificate } from '../plan-file';

export async function run(ctx: StepContext): Promise<StepOutcome> {
  const { step } = ctx;
  if (!step.certificate || !step.store) throw new StepFailure(`Step ${step.id} has no certificate or store: the plan is malformed, re-run 'ucrollout plan'`);
  const pem = readStepCertificate(ctx.loaded, step.certificate);
  if (await trustStoreHolds(ctx, step.node, step.store, pem)) return ALREADY_DONE;

  ctx.log(`uploading ${step.certificate.subject} to ${step.store} on ${step.node}`);
  await uploadTrust(ctx, step.node, step.store, pem);
  if (!(await trustStoreHolds(ctx, step.node, step.store, pem))) {
    throw new StepFailure(
      `${step.node}: the upload to ${step.store} reported success but the store does not hold ${shortFingerprint(step.certificate.sha256)}… (a node keeps a trust certificate of the same CN with a later start date, DOMAIN.md §5): compare with 'show cert list trust' on the node, remove the conflicting one and apply again`,
    );
  }
  return { changed: true, summary: `uploaded ${step.certificate.subject} to ${step.store} on ${step.node}` };
}
