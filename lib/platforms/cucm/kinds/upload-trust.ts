/**
 * upload-trust: one CA certificate into a trust store on the (IM&P database) publisher,
 * which distributes it cluster-wide (DOMAIN.md §3 install 1). Done when the store holds it.
 */
import { shortFingerprint } from '../../../pki/fingerprint';
import { StepContext } from '../../../executor/context';
import type { UploadTrustStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { trustStoreHolds, uploadTrust } from '../../../executor/node-certificates';
import { ALREADY_DONE, StepOutcome } from '../../../executor/outcome';
import { readStepCertificate } from '../../../executor/plan-file';

export async function run(ctx: StepContext<UploadTrustStep>): Promise<StepOutcome> {
  const { step } = ctx;
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
