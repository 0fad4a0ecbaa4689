/**
 * What a node is asked to generate for a certificate (DOMAIN.md §2, §6): on which node
 * (multi-server: the purpose's publisher; single-server: the certificate's node), over which
 * interface, with which CN, SANs, key and usage. One rule for the plan's generate-csr step
 * (issued-steps.ts) and `ucrollout csr --on-node`, so a CSR made outside a plan is the one the
 * plan would have asked the node for.
 */
import { CertPlatform, KEY_USAGE_TABLE, PurposeInfo, compareRelease, getPurpose, keyUsageForKeyType, multiServerCoverage, uploadNode } from '../../catalog';
import { CertificateDecl, ClusterDecl, Distribution, NodeApi, NodeDecl, findNode, nodePlatform } from '../../model';
import { csrContent } from '../../pki/csr-content';
import { CsrKeyRequest } from './types';

/** The certificate REST API (and with it a CSR with other names than the node's own) exists from release 14. */
export const REST_API_RELEASE = '14';
const RSA_KEY_LENGTH = 2048;
const EC_KEY_LENGTH = 256;

/** The parts of a certificate declaration the request depends on. */
export type CsrRequestDecl = Pick<CertificateDecl, 'purpose' | 'distribution' | 'node' | 'commonName' | 'extraNames'>;

export interface NodeCsrRequest {
  /** The certificate unit: the purpose. */
  readonly unit: string;
  readonly distribution: Distribution;
  /** Where the CSR is generated and the key stays: the upload node (multi-server) or the certificate's node. */
  readonly csrNode: NodeDecl;
  readonly api: NodeApi;
  readonly commonName: string;
  /** The CN first, then every covered node and the declared extra names: what the CA must sign, exactly. */
  readonly altNames: readonly string[];
  readonly key: CsrKeyRequest;
}

/** The request for a declared (or a would-be declared) certificate; throws PkiInputError for a node or purpose that does not fit. */
export function nodeCsrRequest(cluster: ClusterDecl, cert: CsrRequestDecl): NodeCsrRequest {
  const content = csrContent({
    cluster,
    purpose: cert.purpose,
    distribution: cert.distribution,
    node: cert.node,
    commonName: cert.commonName,
    otherDomains: cert.extraNames,
  });
  const purpose = getPurpose(cert.purpose);
  const multi = cert.distribution === 'multi-server';
  // csrContent has checked the publisher and the node exist.
  const csrNode = multi ? uploadNode(cluster, purpose)! : findNode(cluster, cert.node!)!;
  const covered = multi ? multiServerCoverage(cluster, purpose) : [csrNode];
  const platforms = [...new Set(covered.map(nodePlatform))].filter((p) => purpose.platforms.includes(p));
  const usage = requestedUsage(purpose, platforms.length > 0 ? platforms : [nodePlatform(csrNode)]);
  const key: CsrKeyRequest = {
    keyType: purpose.keyType,
    keyLength: purpose.keyType === 'EC' ? EC_KEY_LENGTH : RSA_KEY_LENGTH,
    hash: 'SHA-256',
    keyUsage: usage.keyUsage,
    extendedKeyUsage: usage.eku,
  };
  // The admin CLI's `set csr gen <unit>` makes a CSR for this server only (CN and SAN its FQDN):
  // a multi-server CSR, or one with other names, is the REST API's.
  const ownNameOnly = !multi && cert.extraNames === undefined && content.commonName === csrNode.fqdn.toLowerCase();
  const api: NodeApi = csrNode.api === 'rest' || !ownNameOnly ? 'rest' : 'cli';
  return { unit: purpose.name, distribution: cert.distribution, csrNode, api, commonName: content.commonName, altNames: content.sans, key };
}

/**
 * Why the node cannot serve the request, or undefined: it needs the REST API and the node's
 * release predates it (the CSR is then generated in Cisco Unified OS Administration).
 */
export function restApiProblem(r: NodeCsrRequest): string | undefined {
  if (r.api !== 'rest' || compareRelease(r.csrNode.version, REST_API_RELEASE) >= 0) return undefined;
  const what = r.distribution === 'multi-server' ? 'multi-server CSR' : 'CSR with other names';
  return `${r.csrNode.fqdn} runs ${r.csrNode.version}: a ${what} is generated over the certificate REST API (release ${REST_API_RELEASE} and later)`;
}

/** The key usage a CSR of the purpose asks for: the union of the seed table's rows of every platform it covers (DOMAIN.md §2). */
export function requestedUsage(purpose: PurposeInfo, platforms: readonly CertPlatform[]): { keyUsage: string[]; eku: string[] } {
  const order = ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyCertSign', 'keyAgreement'];
  const bits = new Set<string>();
  const ekus = new Set<string>();
  for (const p of platforms) {
    const row = KEY_USAGE_TABLE[`${p}:${purpose.family}`];
    if (!row) continue;
    for (const b of keyUsageForKeyType(row, purpose.keyType)) bits.add(b);
    for (const e of row.eku) ekus.add(e);
  }
  return { keyUsage: order.filter((b) => bits.has(b)), eku: [...ekus].sort() };
}
