/**
 * upload-identity: the signed leaf as the purpose's identity. Multi-server: once on the
 * publisher, which distributes it to every node of its SAN list; done only when each of
 * those nodes holds it (DOMAIN.md §3 install 3).
 */
import { StepContext } from '../../../executor/context';
import type { UploadIdentityStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { fp, identityFingerprint, uploadIdentity } from '../../../executor/node-certificates';
import { ALREADY_DONE, StepOutcome } from '../../../executor/outcome';
import { identityTargets, readStepCertificate } from '../../../executor/plan-file';
import { readChainFile } from '../../../executor/issued-files';

export async function run(ctx: StepContext<UploadIdentityStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const { leaf, sha256: want } = leafOf(ctx, step);
  const targets = identityTargets(step.node, step.distributeTo);
  const chain = step.chain.map((c) => readStepCertificate(ctx.loaded, c));

  const before = await holders(ctx, targets, step.purpose);
  const missing = targets.filter((n) => before.get(n) !== want);
  if (missing.length === 0) return ALREADY_DONE;

  ctx.log(`uploading ${step.purpose} identity ${fp(want)} on ${step.node}${targets.length > 1 ? ` for ${targets.join(', ')}` : ''}`);
  const report = await uploadIdentity(ctx, step.node, step.purpose, leaf, chain);
  const failedReports = report.distribution.filter((d) => !d.ok);

  const after = await holders(ctx, targets, step.purpose);
  const stillMissing = targets.filter((n) => after.get(n) !== want);
  if (stillMissing.length > 0) {
    const reported = new Map(report.distribution.map((d) => [d.node, d]));
    const why = stillMissing.map((n) => {
      const r = reported.get(n);
      const said = r ? (r.ok ? 'reported success' : `failed: ${r.detail ?? 'no reason'}`) : 'not in the distribution report';
      return `${n} (${said}; holds ${fp(after.get(n))})`;
    });
    throw new StepFailure(
      `${step.node}: the ${step.purpose} certificate ${fp(want)} did not reach ${why.join(', ')}: fix the node(s), then apply again (the upload is repeated on ${step.node})`,
    );
  }
  const note = failedReports.length > 0 ? ` (node reported ${failedReports.map((d) => `${d.node}: ${d.detail}`).join('; ')}, but every target holds it)` : '';
  return { changed: true, summary: `installed ${step.purpose} ${fp(want)} on ${targets.join(', ')}${note}` };
}

/** Identity fingerprint on each node, read in parallel (one session per node). */
async function holders(ctx: StepContext, nodes: readonly string[], unit: string): Promise<Map<string, string | undefined>> {
  const values = await Promise.all(nodes.map((n) => identityFingerprint(ctx, n, unit)));
  return new Map(nodes.map((n, i) => [n, values[i]]));
}

/** The leaf to upload: the declared file, or the chain the sign step wrote (its fingerprint known only now). */
function leafOf(ctx: StepContext<UploadIdentityStep>, step: UploadIdentityStep): { leaf: string; sha256: string } {
  if (step.issued === undefined) return { leaf: readStepCertificate(ctx.loaded, step.certificate), sha256: step.certificate.sha256 };
  const chain = readChainFile(ctx.loaded, step.issued.chainFile);
  if (!chain) throw new StepFailure(`${step.issued.chainFile} does not exist: the sign step writes it; apply again (it runs first)`);
  return { leaf: chain.pems[0], sha256: chain.leaf.sha256 };
}
