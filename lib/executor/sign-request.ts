/**
 * One CSR signed by a declared issuer (lib/issuers), for every platform's sign step: find the
 * issuer in the plan's `issuers`, ask it (one request id per request, so a pending AD CS request
 * is asked for again rather than filed twice), check what came back against the CSR's key and
 * names (lib/issuers/check.ts) and against the declared CA the node trusts. The caller writes
 * the chain and says where. Secrets stay in their variables: the issuers redact them.
 */
import { join } from 'node:path';
import { createIssuer, isIssuerError } from '../issuers';
import { checkIssuedChain, readSignRequest } from '../issuers/check';
import type { IssuerDecl } from '../issuers/types';
import { CertPlatform, findPurpose } from '../catalog';
import { CertificateView, describeCertificate, parseCertificate } from '../pki/certificate';
import { lintUsage } from '../pki/lint/usage';
import { walkChain } from '../pki/chain';
import { readCertificates } from '../pki/input';
import type { StepCertificate } from '../plan/types';
import { StepContext } from './context';
import { AwaitingConfirmation, StepFailure } from './errors';
import { planPath, readStepCertificate } from './plan-file';
import { stateDir } from './state-files';

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

/** What a sign step asks of its issuer. */
export interface SignRequestInput {
  /** The plan's `issuers` and the folder their paths start from. */
  readonly issuers: readonly IssuerDecl[] | undefined;
  readonly issuerBaseDir: string | undefined;
  /** The declared issuer's name. */
  readonly issuer: string;
  /** Stable per request: the cluster, the step and what makes the CSR new. */
  readonly requestId: string;
  readonly csrPem: string;
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  /** Catalog purpose (the lab CA's key usage follows it); undefined: a server certificate. */
  readonly purpose?: string;
  /** The platforms of the nodes the certificate is for: the leaf's usage is checked against the purpose's row of each. */
  readonly platforms?: readonly CertPlatform[];
  /** The declared CA, root first, then each intermediate: the leaf must chain to it. */
  readonly caChain: readonly StepCertificate[];
  /** Who the certificate is for, in messages ("cms1.example.com webadmin"). */
  readonly subject: string;
  /** The step id, in messages. */
  readonly stepId: string;
}

export interface SignedChain {
  readonly decl: IssuerDecl;
  /** Leaf first, then its issuers, as the issuer returned them (checked). */
  readonly pems: readonly string[];
  readonly chain: readonly CertificateView[];
}

export async function signRequest(ctx: StepContext, req: SignRequestInput): Promise<SignedChain> {
  const decl = (req.issuers ?? []).find((d) => d.name === req.issuer);
  if (!decl) throw new StepFailure(`${ctx.loaded.path} declares no issuer '${req.issuer}' (its 'issuers' list): re-run 'ucrollout plan'`);
  const issuerCtx = {
    baseDir: planPath(ctx.loaded, req.issuerBaseDir ?? '.'),
    // Beside the stack state, never in it: ACME account keys (0600), pending AD CS request ids.
    stateDir: join(stateDir(ctx.loaded), 'issuers'),
    env: ctx.env,
    log: ctx.log,
    now: () => new Date(ctx.now()),
  };
  ctx.log(`asking issuer ${decl.name} (${decl.kind}${decl.kind === 'lab' ? ', rehearsals only' : ''}) to sign the CSR of ${req.subject} for ${req.dnsNames.join(', ')}`);
  let pems: readonly string[];
  try {
    const result = await createIssuer(decl).sign(
      { id: req.requestId, csrPem: req.csrPem, commonName: req.commonName, dnsNames: req.dnsNames, ...(req.purpose !== undefined ? { purpose: req.purpose } : {}) },
      issuerCtx,
    );
    if (result.status === 'pending') {
      throw new AwaitingSignature(`sign step '${req.stepId}' is waiting: ${result.message}. When it is issued, apply again (the same request is asked for, no new one is filed)`, result.requestId);
    }
    // Every issuer checks its answer; checked once more here, whichever issuer it was: the leaf
    // is for the CSR's key and names, not expired, and its chain links.
    pems = checkIssuedChain(decl.name, await readSignRequest(decl.name, { id: req.requestId, csrPem: req.csrPem, commonName: req.commonName, dnsNames: req.dnsNames }), result.chainPem, new Date(ctx.now()), ctx.log);
  } catch (e) {
    if (isIssuerError(e)) throw new StepFailure(`${req.subject}: ${e.message}`);
    throw e;
  }
  const chain = pems.map((pem, i) => parseCertificate(readCertificates(Buffer.from(pem, 'latin1'), `certificate ${i + 1} from issuer ${req.issuer}`)[0], `certificate ${i + 1} from issuer ${req.issuer}`));
  checkDeclaredCa(ctx, req, chain);
  checkIssuedUsage(chain[0], req, ctx.log);
  return { decl, pems, chain };
}

/**
 * The leaf's key usage and EKU against the purpose's rows of the key-usage table, as lint judges a
 * declared certificate (DOMAIN.md §2): a missing EKU or digitalSignature refuses it (the service
 * would fail its TLS handshakes), other bits are logged. A CA template decides these, not the CSR.
 */
export function checkIssuedUsage(leaf: CertificateView, req: Pick<SignRequestInput, 'purpose' | 'platforms' | 'issuer' | 'subject'>, log: (line: string) => void): void {
  const purpose = req.purpose !== undefined ? findPurpose(req.purpose) : undefined;
  if (!purpose) return;
  const platforms = req.platforms && req.platforms.length > 0 ? req.platforms : [undefined];
  // One finding per message: a bit both platforms' rows lack is said once.
  const unique = [...new Map(platforms.flatMap((platform) => lintUsage(leaf, purpose, platform)).map((f) => [f.message, f])).values()];
  for (const f of unique.filter((x) => x.severity === 'warning')) log(`warning ${f.code}: ${f.message}`);
  const errors = unique.filter((x) => x.severity === 'error');
  if (errors.length > 0) {
    throw new StepFailure(`issuer ${req.issuer} signed ${describeCertificate(leaf)} for ${req.subject}, unfit for ${purpose.name}: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ')}; nothing was installed`);
  }
}

/** The leaf chains to the declared CA (root, intermediates): the node trusts that chain and refuses any other. */
function checkDeclaredCa(ctx: StepContext, req: SignRequestInput, chain: readonly CertificateView[]): void {
  const declared = req.caChain.map((c) => {
    const pem = readStepCertificate(ctx.loaded, c);
    return parseCertificate(readCertificates(Buffer.from(pem, 'latin1'), c.file)[0], c.file);
  });
  const root = declared[0];
  const walk = walkChain(chain[0], declared.slice(1), root);
  if (walk.end !== 'anchor') {
    const last = walk.path[walk.path.length - 1];
    throw new StepFailure(
      `issuer ${req.issuer} signed ${describeCertificate(chain[0])}, but ${describeCertificate(last)} does not chain to the declared certificate authority (root ${describeCertificate(root)}): ` +
        `the node would refuse it (CA Certificate is Not Available in the Trust-Store). Declare the issuer's own root and intermediates as the certificate's ca; nothing was installed`,
    );
  }
}
