/**
 * verify: the node presents the new chain on the service port, with its FQDN as server name
 * (DOMAIN.md §3 install 5); or, for a purpose without a TLS port, holds the new identity.
 * A read-only check: always runs.
 */
import { NodeUnreachableError } from '../../drivers/errors';
import { ProbeResult } from '../../drivers/tls-probe';
import type { VerifyStep } from '../../plan/types';
import { StepContext } from '../context';
import { StepFailure } from '../errors';
import { fp, identityFingerprint } from '../node-certificates';
import { StepOutcome } from '../outcome';
import { planPath } from '../plan-file';
import { readBounded } from '../../pki/bounded-read';
import { sha256Fingerprint } from '../../pki/fingerprint';
import { certificatePems } from '../../pki/pem';

const ATTEMPTS = 3;
const PAUSE_MS = 500;

export async function run(ctx: StepContext<VerifyStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const expect = [...expectedLeaf(ctx, step), ...(step.expectChain ?? [])];
  if (expect.length === 0) throw new StepFailure(`Step ${step.id} has no expectChain: the plan is malformed, re-run 'ucrollout plan'`);

  if (!step.port) {
    const held = await identityFingerprint(ctx, step.node, step.purpose);
    if (held !== expect[0]) {
      throw new StepFailure(`${step.node}: the ${step.purpose} identity is ${fp(held)}, expected ${fp(expect[0])}: the upload did not reach this node; re-run its upload step`);
    }
    return { changed: false, summary: `${step.node} holds the new ${step.purpose} certificate ${fp(expect[0])}` };
  }

  const port = step.port;
  const result = await probeWithRetry(ctx, step.node, port);
  const chain = result.chain.map((c) => c.sha256);
  const where = `${step.node}:${port.port} (${port.name})`;
  if (chain[0] !== expect[0]) {
    throw new StepFailure(
      `${where} presents the ${step.purpose} leaf ${fp(chain[0])} (${result.chain[0]?.subject ?? '?'}), expected ${fp(expect[0])}: the service serving it was not restarted since the upload, or the upload missed this node`,
    );
  }
  const mismatch = expect.findIndex((e, i) => chain[i] !== e);
  if (mismatch >= 0) {
    throw new StepFailure(
      `${where} presents the new leaf but chain certificate ${mismatch + 1} is ${fp(chain[mismatch])}, expected ${fp(expect[mismatch])}: upload the leaf again with its intermediates`,
    );
  }
  if (!result.leafMatchesFqdn) {
    throw new StepFailure(`${where} presents the planned leaf but it does not name ${step.node} in its SANs or CN: clients will reject it; re-issue the certificate`);
  }
  return { changed: false, summary: `${where} presents the new chain (${chain.length} certificate(s), leaf ${fp(expect[0])})` };
}

async function probeWithRetry(ctx: StepContext<VerifyStep>, node: string, port: NonNullable<VerifyStep['port']>): Promise<ProbeResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.probe(node, port, port.keyType);
    } catch (e) {
      if (!(e instanceof NodeUnreachableError) || attempt >= ATTEMPTS) throw e;
      await ctx.sleep(PAUSE_MS);
    }
  }
}

/**
 * An issued certificate's leaf, read when the step runs from the chain its sign step wrote
 * (`leafFrom`); none for a planned leaf (already first in expectChain).
 */
function expectedLeaf(ctx: StepContext<VerifyStep>, step: VerifyStep): string[] {
  if (!step.leafFrom) return [];
  const chain = planPath(ctx.loaded, step.leafFrom.chainFile);
  let pem: string | undefined;
  try {
    pem = certificatePems(readBounded(chain))[0];
  } catch (e) {
    throw new StepFailure(`Cannot read ${step.leafFrom.chainFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the sign step writes it; apply again (it runs first)`);
  }
  if (!pem) throw new StepFailure(`${step.leafFrom.chainFile} holds no certificate: delete it and apply again (the sign step runs again)`);
  return [sha256Fingerprint(pem)];
}
