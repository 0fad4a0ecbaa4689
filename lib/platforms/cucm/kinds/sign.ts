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
import { join } from 'node:path';
import { createIssuer, isIssuerError } from '../../../issuers';
import { StepContext } from '../../../executor/context';
import { AwaitingConfirmation, StepFailure } from '../../../executor/errors';
import { fp } from '../../../executor/node-certificates';
import { StepOutcome } from '../../../executor/outcome';
import { planPath, readStepCertificate } from '../../../executor/plan-file';
import { stateDir } from '../../../executor/state-files';
import { CertificateView, describeCertificate, parseCertificate } from '../../../pki/certificate';
import { walkChain } from '../../../pki/chain';
import { readCertificates } from '../../../pki/input';
import type { SignStep } from '../types';
import { ChainFile, CsrFile, nodeHoldsKey, readChainFile, readCsrFile, sameNames, writePublicFile } from './issued-files';

/** A CA manager must approve the request first (AD CS "pending"): the apply ends as at an unconfirmed manual step. */
export class AwaitingSignature extends AwaitingConfirmation {
  constructor(
    message: string,
    /** The CA's request id to approve. */
    readonly requestId: string,
  ) {
    super(message);
    this.name = 'AwaitingSignature';
  }
}

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
  const decl = (plan.issuers ?? []).find((d) => d.name === step.issuer);
  if (!decl) throw new StepFailure(`${ctx.loaded.path} declares no issuer '${step.issuer}' (its 'issuers' list): re-run 'ucrollout plan'`);
  const issuerCtx = {
    baseDir: planPath(ctx.loaded, plan.issuerBaseDir ?? '.'),
    // Beside the stack state, never in it: ACME account keys (0600), pending AD CS request ids.
    stateDir: join(stateDir(ctx.loaded), 'issuers'),
    env: ctx.env,
    log: ctx.log,
    now: () => new Date(ctx.now()),
  };
  ctx.log(`asking issuer ${decl.name} (${decl.kind}${decl.kind === 'lab' ? ', rehearsals only' : ''}) to sign the ${step.purpose} CSR of ${step.node} for ${step.altNames.join(', ')}`);
  let result;
  try {
    result = await createIssuer(decl).sign(
      {
        // One id per request: signing again continues a pending AD CS request instead of filing another.
        id: `${plan.cluster.name}/${step.id}#g${step.renewalGeneration}`,
        csrPem: csr.pem,
        commonName: csr.commonName ?? step.commonName,
        dnsNames: csr.dnsNames,
        purpose: step.purpose,
      },
      issuerCtx,
    );
  } catch (e) {
    if (isIssuerError(e)) throw new StepFailure(`${step.node} ${step.purpose}: ${e.message}`);
    throw e;
  }
  if (result.status === 'pending') {
    throw new AwaitingSignature(`sign step '${step.id}' is waiting: ${result.message}. When it is issued, apply again (the same request is asked for, no new one is filed)`, result.requestId);
  }

  const chain = result.chainPem.map((pem, i) => parseCertificate(readCertificates(Buffer.from(pem, 'latin1'), `certificate ${i + 1} from issuer ${step.issuer}`)[0], `certificate ${i + 1} from issuer ${step.issuer}`));
  checkDeclaredCa(ctx, step, chain);
  writePublicFile(ctx.loaded, step.chainFile, result.chainPem.map((p) => p.trimEnd() + '\n').join(''));
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

/** The leaf chains to the declared CA (root, intermediates): the trust store gets that chain, the node refuses any other. */
function checkDeclaredCa(ctx: StepContext<SignStep>, step: SignStep, chain: readonly CertificateView[]): void {
  const declared = step.caChain.map((c) => {
    const pem = readStepCertificate(ctx.loaded, c);
    return parseCertificate(readCertificates(Buffer.from(pem, 'latin1'), c.file)[0], c.file);
  });
  const root = declared[0];
  const walk = walkChain(chain[0], declared.slice(1), root);
  if (walk.end !== 'anchor') {
    const last = walk.path[walk.path.length - 1];
    throw new StepFailure(
      `issuer ${step.issuer} signed ${describeCertificate(chain[0])}, but ${describeCertificate(last)} does not chain to the declared certificate authority (root ${describeCertificate(root)}): ` +
        `the node would refuse it (CA Certificate is Not Available in the Trust-Store). Declare the issuer's own root and intermediates as the certificate's ca; nothing was installed`,
    );
  }
}
