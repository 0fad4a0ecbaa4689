/**
 * Issued certificates (issue 9): the CSR is generated on the node (multi-server: on the publisher,
 * with the catalog's SANs and the declared extra names), the declared issuer signs it at apply
 * time, and the returned chain is what the identity upload installs. The leaf's fingerprint is
 * unknown when planning, so the steps of an issued certificate are keyed on its request (the
 * declaration, the issuer and the renewal generation): a re-apply requests nothing new, a raised
 * generation makes a fresh CSR and a new certificate.
 */
import { createHash } from 'node:crypto';
import { getPurpose } from '../../catalog';
import type { IssuerDecl } from '../../issuers/types';
import { CertificateDecl, IssuedCertificateDecl, isIssuedCertificate } from '../../model';
import { StepCertificate } from '../../plan/types';
import { IssuedLeafRef, PlanIssuedCertificate } from './types';
import type { PlanContext } from './plan-context';
import { NodeCsrRequest, nodeCsrRequest, restApiProblem } from './csr-request';

/** Everything the steps of one issued certificate need, decided once per plan: what the node is asked for, and who signs it. */
export interface IssuedRequest extends NodeCsrRequest {
  readonly cert: IssuedCertificateDecl;
  readonly issuer: IssuerDecl;
  readonly generation: number;
  readonly files: IssuedLeafRef;
  /** Fingerprint of the request: what re-runs the certificate's steps when it changes. */
  readonly fingerprint: string;
}

const requests = new WeakMap<PlanContext, Map<CertificateDecl, IssuedRequest>>();

/** The request of an issued certificate (cached per planning run). */
export function issuedRequest(ctx: PlanContext, cert: IssuedCertificateDecl): IssuedRequest {
  let byCert = requests.get(ctx);
  if (!byCert) requests.set(ctx, (byCert = new Map()));
  let r = byCert.get(cert);
  if (!r) byCert.set(cert, (r = buildRequest(ctx, cert)));
  return r;
}

/** The request fingerprint of a declared certificate, or undefined for a signed file. */
export function requestFingerprint(ctx: PlanContext, cert: CertificateDecl): string | undefined {
  return isIssuedCertificate(cert) ? issuedRequest(ctx, cert).fingerprint : undefined;
}

function buildRequest(ctx: PlanContext, cert: IssuedCertificateDecl): IssuedRequest {
  const purpose = getPurpose(cert.purpose);
  const issuer = (ctx.decls.issuers ?? []).find((i) => i.name === cert.issuer);
  if (!issuer) throw new Error(`Issuer '${cert.issuer}' is not declared: declare it under issuers`);
  const multi = cert.distribution === 'multi-server';
  const request = nodeCsrRequest(ctx.cluster, cert);
  const { csrNode } = request;
  const problem = restApiProblem(request);
  if (problem) {
    throw new Error(
      `The ${purpose.name} certificate of cluster '${ctx.cluster.name}' is issued by '${issuer.name}', but ${problem}. Generate the CSR in Cisco Unified OS Administration (Generate CSR) and declare the signed file as certificate instead`,
    );
  }
  const generation = cert.renewalGeneration ?? 0;
  const stem = `issued/${purpose.name}${multi ? '' : `-${ctx.short(csrNode)}`}-g${generation}`;
  const files: IssuedLeafRef = { chainFile: `${stem}.pem`, csrFile: `${stem}.csr` };
  const material = {
    cluster: ctx.cluster.name,
    purpose: purpose.name,
    distribution: cert.distribution,
    csrNode: csrNode.fqdn,
    commonName: request.commonName,
    altNames: request.altNames,
    key: request.key,
    issuer,
    renewalGeneration: generation,
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(material)).digest('hex');
  return { ...request, cert, issuer, generation, files, fingerprint };
}

/**
 * The generate-csr and sign steps of an issued certificate, after the preflights and before
 * the change window (a CSR and a signature touch no service). Returns the sign step's id, the
 * one the identity upload waits for.
 */
export function addIssuance(ctx: PlanContext, cert: IssuedCertificateDecl): { signId: string; request: IssuedRequest } {
  const r = issuedRequest(ctx, cert);
  const purpose = getPurpose(cert.purpose);
  const multi = cert.distribution === 'multi-server';
  const node = r.csrNode;
  const signId = `${purpose.name}/sign/${ctx.short(node)}`;
  if (ctx.graph.has(signId)) return { signId, request: r };
  const covered = ctx.covered(cert).map((n) => n.fqdn);
  const fingerprints = [r.fingerprint];
  const generate = ctx.add({
    id: `${purpose.name}/csr/${ctx.short(node)}`,
    kind: 'generate-csr',
    node: node.fqdn,
    purpose: purpose.name,
    unit: purpose.name,
    distribution: cert.distribution,
    api: r.api,
    commonName: r.commonName,
    altNames: r.altNames,
    ...(multi ? { distributeTo: covered } : {}),
    ...r.key,
    csrFile: r.files.csrFile,
    renewalGeneration: r.generation,
    description: `Generate a ${multi ? 'multi-server ' : ''}${purpose.name} CSR on ${node.fqdn} (CN ${r.commonName}; SAN ${r.altNames.join(', ')}; ${r.key.keyType} ${r.key.keyLength}); the node keeps the key, the CSR is saved as ${r.files.csrFile}`,
    command:
      r.api === 'cli'
        ? `set csr gen ${purpose.name}; show csr own ${purpose.name}`
        : `POST /platformcom/api/v1/certmgr/config/csr {"service":"${purpose.name}","distribution":"${multi ? 'multi-server' : 'this-server'}","commonName":"${r.commonName}",…}`,
    reason: multi
      ? 'DOMAIN.md §2, §3 CSR: a multi-server CSR is generated on the publisher and the node keeps the key (CUCM and IM&P have no private-key import)'
      : 'DOMAIN.md §3 CSR: the CSR is generated on the node, which keeps the key (CUCM and IM&P have no private-key import)',
    fingerprints,
  });
  ctx.afterPreflight(generate);
  const ca = ctx.ca(cert.ca);
  const sign = ctx.add({
    id: `${purpose.name}/sign/${ctx.short(node)}`,
    kind: 'sign',
    node: node.fqdn,
    purpose: purpose.name,
    issuer: r.issuer.name,
    issuerKind: r.issuer.kind,
    commonName: r.commonName,
    altNames: r.altNames,
    csrFile: r.files.csrFile,
    chainFile: r.files.chainFile,
    caChain: [ca.root, ...ca.intermediates].map((p) => ctx.ref(p)),
    renewalGeneration: r.generation,
    description: `Have issuer ${r.issuer.name} (${r.issuer.kind}${r.issuer.kind === 'lab' ? ', rehearsals only' : ''}) sign the ${purpose.name} CSR of ${node.fqdn} for ${r.altNames.join(', ')}; the chain is saved as ${r.files.chainFile}`,
    command: `ucrollout step run ${purpose.name}/sign/${ctx.short(node)} (issuer ${r.issuer.name}, ${r.issuer.kind})`,
    reason: "DOMAIN.md §3 CSR, §5: the CA signs the node's current CSR with exactly its names; a certificate from a replaced CSR is refused",
    fingerprints: [...fingerprints, ...[ca.root, ...ca.intermediates].map((p) => ctx.ref(p).sha256)],
  });
  ctx.graph.depend(sign, generate);
  return { signId: sign, request: r };
}

/** The issuers the plan's sign steps use, as declared (no secrets in a declaration: variable names and files). */
export function planIssuers(ctx: PlanContext): IssuerDecl[] {
  const names = new Set(ctx.certificates().filter(isIssuedCertificate).map((c) => c.issuer));
  return (ctx.decls.issuers ?? []).filter((i) => names.has(i.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The leaf as the identity upload and the verify steps see it: a declared file, or the chain a sign step writes. */
export interface LeafPlan {
  /** How descriptions name it: the leaf's subject, or what is requested from whom. */
  readonly label: string;
  /** The upload's leaf field: `certificate` (a file) or `issued` (the sign step's chain). */
  readonly upload: { readonly certificate: StepCertificate; readonly issued?: undefined } | { readonly issued: IssuedLeafRef; readonly certificate?: undefined };
  /** The fingerprint a verify step expects first; none for an issued leaf (read from `leafFrom` at run time). */
  readonly expectLeaf: readonly string[];
  readonly leafFrom?: { readonly chainFile: string };
  /** The step the upload waits for: the sign step of an issued certificate. */
  readonly after?: string;
}

/** The leaf of a declared certificate; for an issued one, its generate-csr and sign steps are added (once). */
export function leafPlan(ctx: PlanContext, cert: CertificateDecl): LeafPlan {
  if (!isIssuedCertificate(cert)) {
    const ref = ctx.ref(cert.certificate!);
    return { label: ref.subject, upload: { certificate: ref }, expectLeaf: [ref.sha256] };
  }
  const { signId, request } = addIssuance(ctx, cert);
  return {
    label: `CN=${request.commonName}, issued by ${request.issuer.name} from a CSR made on ${request.csrNode.fqdn}`,
    upload: { issued: request.files },
    expectLeaf: [],
    leafFrom: { chainFile: request.files.chainFile },
    after: signId,
  };
}

/** The sign steps of a group's issued certificates (the checks before its upload gate them too). */
export function signStepsOf(ctx: PlanContext, g: { readonly certificates: readonly CertificateDecl[] }): { id: string }[] {
  return g.certificates.filter(isIssuedCertificate).map((c) => ({ id: addIssuance(ctx, c).signId }));
}

/** plan.json's `certificates` entry of an issued certificate: what is requested from whom. */
export function issuedPlanCertificate(ctx: PlanContext, cert: IssuedCertificateDecl): PlanIssuedCertificate {
  const r = issuedRequest(ctx, cert);
  return {
    purpose: cert.purpose,
    distribution: cert.distribution,
    ca: cert.ca,
    covers: ctx.covered(cert).map((n) => n.fqdn),
    issued: {
      issuer: r.issuer.name,
      issuerKind: r.issuer.kind,
      rehearsalOnly: r.issuer.kind === 'lab',
      csrNode: r.csrNode.fqdn,
      commonName: r.commonName,
      altNames: r.altNames,
      renewalGeneration: r.generation,
      csrFile: r.files.csrFile,
      chainFile: r.files.chainFile,
      request: r.fingerprint,
    },
  };
}

/** plan.json's `issuers` and `issuerBaseDir`, only in a plan with issued certificates. */
export function issuedPlanFields(ctx: PlanContext): { issuers?: IssuerDecl[]; issuerBaseDir?: string } {
  const issuers = planIssuers(ctx);
  if (issuers.length === 0) return {};
  return { issuers, issuerBaseDir: ctx.opts.fileRef('.') || '.' };
}
