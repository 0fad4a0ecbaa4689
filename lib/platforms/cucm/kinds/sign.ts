/**
 * sign: the declared issuer (lib/issuers) signs the CSR the node generated, and the chain it
 * returns (public, leaf first) is written next to plan.json, its leaf's fingerprint in the
 * journal. Before it asks, the CSR must still be the node's (a certificate from a replaced CSR is
 * refused on upload, DOMAIN.md §5); what comes back must be for the CSR's key and names
 * (lib/issuers/check.ts) and chain to the declared CA, whose chain the trust store gets.
 *
 * Done when the chain file exists, is for the current CSR's key and has not expired: a re-apply
 * never asks for a second certificate. An AD CS request waiting for a CA manager ends the step as
 * a manual step does (exit 3), naming the request id; the next run asks for that same request.
 * Secrets stay in their variables: the plan names them, the issuers redact them from messages.
 */
import { StepContext } from '../../../executor/context';
import { StepFailure } from '../../../executor/errors';
import { fp } from '../../../executor/node-certificates';
import { StepOutcome } from '../../../executor/outcome';
import { AwaitingSignature, signRequest } from '../../../executor/sign-request';
import { describeCertificate } from '../../../pki/certificate';
import type { SignStep } from '../types';
import { ChainFile, CsrFile, nodeHoldsKey, readChainFile, readCsrFile, sameNames, writePublicFile } from '../../../executor/issued-files';

export { AwaitingSignature };

export async function run(ctx: StepContext<SignStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const csr = readCsrFile(ctx.loaded, step.csrFile);
  if (!csr) throw new StepFailure(`${step.csrFile} does not exist: the generate-csr step of ${step.node} writes it; apply again (it runs first)`);
  if (!sameNames(csr.dnsNames, step.altNames)) {
    throw new StepFailure(`${step.csrFile} holds SANs ${csr.dnsNames.join(', ')}, the plan ${step.altNames.join(', ')}: the CSR is not this plan's; delete it and apply again (a fresh CSR is generated)`);
  }
  const now = new Date(ctx.now());
  const existing = readChainFile(ctx.loaded, step.chainFile);
  if (existing && usable(existing, csr, now)) {
    return { changed: false, summary: `already done: ${step.chainFile} holds the leaf ${fp(existing.leaf.sha256)} for the CSR's key, valid to ${existing.leaf.notAfter.toISOString()}` };
  }

  // The CSR must still be the node's: signing a replaced one gives a certificate the node refuses.
  const holds = await nodeHoldsKey(ctx, step.node, step.purpose, csr);
  if (!holds) {
    throw new StepFailure(
      `${step.node} no longer holds the key of ${step.csrFile}: a newer ${step.purpose} CSR replaced it (DOMAIN.md §5: a certificate signed from a stale CSR is refused); nothing was sent to issuer ${step.issuer}. ` +
        `Generate a fresh CSR: ucrollout step run ${step.id.replace('/sign/', '/csr/')} --plan ${ctx.loaded.path}, then apply again`,
    );
  }

  const plan = ctx.plan;
  const { decl, pems, chain } = await signRequest(ctx, {
    issuers: plan.issuers,
    issuerBaseDir: plan.issuerBaseDir,
    issuer: step.issuer,
    // One id per request: signing again continues a pending AD CS request instead of filing another.
    requestId: `${plan.cluster.name}/${step.id}#g${step.renewalGeneration}`,
    csrPem: csr.pem,
    commonName: csr.commonName ?? step.commonName,
    dnsNames: csr.dnsNames,
    purpose: step.purpose,
    // The platforms the certificate goes to: a tomcat leaf for CUCM and IM&P nodes meets both rows.
    platforms: [...new Set(plan.cluster.nodes.filter((n) => csr.dnsNames.includes(n.fqdn.toLowerCase()) || n.fqdn === step.node).map((n) => n.platform))],
    caChain: step.caChain,
    subject: `${step.node} ${step.purpose}`,
    stepId: step.id,
  });
  writePublicFile(ctx.loaded, step.chainFile, pems.map((p) => p.trimEnd() + '\n').join(''));
  const leaf = chain[0];
  return {
    changed: true,
    summary: `issuer ${step.issuer} (${decl.kind}) signed ${describeCertificate(leaf)} for ${step.altNames.join(', ')}: leaf SHA-256 ${leaf.sha256}, valid to ${leaf.notAfter.toISOString()}; saved ${step.chainFile}`,
  };
}

/** A chain already written serves while it is for the CSR's key, with its names, and not expired. */
function usable(chain: ChainFile, csr: CsrFile, now: Date): boolean {
  return chain.spki === csr.spki && sameNames(chain.leaf.dnsNames, csr.dnsNames) && chain.leaf.notAfter.getTime() > now.getTime();
}
