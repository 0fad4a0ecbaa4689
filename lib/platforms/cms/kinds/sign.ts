/**
 * sign (Meeting Server): the declared issuer signs the CSR `pki csr` made on the server (the
 * download-file step fetched it next to plan.json), through the one issuer implementation every
 * platform uses (lib/executor/sign-request.ts). What comes back must be for the CSR's key and
 * names and chain to the declared CA; the leaf and the declared CA's chain (issuing CA first,
 * root last) are written to the declared `certificate` path, where phase 2 (plan again) reads it, as it reads a certificate a person saved.
 *
 * Done when that file exists, holds a leaf for the CSR's key with its names, not expired: a
 * re-apply never asks for a second certificate. An AD CS request waiting for a CA manager ends
 * the step as a manual step does (exit 3); the next run asks for that same request.
 */
import { posix } from 'node:path';
import { StepContext } from '../../../executor/context';
import { StepFailure } from '../../../executor/errors';
import { fp } from '../../../executor/node-certificates';
import { StepOutcome } from '../../../executor/outcome';
import { readStepCertificate } from '../../../executor/plan-file';
import { signRequest } from '../../../executor/sign-request';
import { describeCertificate } from '../../../pki/certificate';
import { readChainFile, readCsrFile, sameNames, writePublicFile } from '../../../executor/issued-files';
import type { CmsSignStep } from '../types';

export async function run(ctx: StepContext<CmsSignStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const plan = ctx.cmsPlan;
  const csr = readCsrFile(ctx.loaded, step.csrFile);
  if (!csr) throw new StepFailure(`${step.csrFile} does not exist: the download-csr step of ${step.node} writes it; apply again (it runs first)`);
  if (!sameNames(csr.dnsNames, step.altNames)) {
    throw new StepFailure(`${step.csrFile} holds SANs ${csr.dnsNames.join(', ') || '(none)'}, the plan ${step.altNames.join(', ')}: the CSR is not this plan's; delete it and apply again (it is fetched again)`);
  }
  const now = new Date(ctx.now());
  let existing;
  try {
    existing = readChainFile(ctx.loaded, step.chainFile);
  } catch {
    existing = undefined; // not a certificate: signed again and replaced
  }
  if (existing && existing.spki === csr.spki && sameNames(existing.leaf.dnsNames, csr.dnsNames) && existing.leaf.notAfter.getTime() > now.getTime()) {
    return { changed: false, summary: `already done: ${step.chainFile} holds the leaf ${fp(existing.leaf.sha256)} for the key of ${step.csrFile}, valid to ${existing.leaf.notAfter.toISOString()}` };
  }
  if (existing) ctx.log(`${step.chainFile} holds ${describeCertificate(existing.leaf)}, not a certificate for the key of ${step.csrFile}: asking issuer ${step.issuer} and replacing it`);

  const { decl, pems, chain } = await signRequest(ctx, {
    issuers: plan.issuers,
    issuerBaseDir: plan.issuerBaseDir,
    issuer: step.issuer,
    // One id per CSR (its basename changes with the names and the renewal label): signing again
    // continues a pending AD CS request instead of filing another.
    requestId: `${plan.cluster.name}/${step.id}#${posix.basename(step.csrFile, '.csr')}`,
    csrPem: csr.pem,
    commonName: csr.commonName ?? step.commonName,
    dnsNames: csr.dnsNames,
    caChain: step.caChain,
    subject: `${step.node} ${step.purpose}`,
    stepId: step.id,
  });
  // The leaf, then the declared CA it was checked to chain to, issuing CA first and root last:
  // the order the CMS lint wants of a certificate file with its chain (and the bundle the plan
  // builds from that CA), whatever part of its chain the issuer returned.
  const ca = step.caChain.map((c) => readStepCertificate(ctx.loaded, c).trimEnd() + '\n');
  const file = [pems[0].trimEnd() + '\n', ...ca.slice(1).reverse(), ca[0]].join('');
  writePublicFile(ctx.loaded, step.chainFile, file);
  const leaf = chain[0];
  return {
    changed: true,
    summary: `issuer ${step.issuer} (${decl.kind}) signed ${describeCertificate(leaf)} for ${step.altNames.join(', ')}: leaf SHA-256 ${leaf.sha256}, valid to ${leaf.notAfter.toISOString()}; saved ${step.chainFile}; plan again for the upload and assignment`,
  };
}
