/**
 * What a CSR for a purpose and distribution must hold, decided as the platform does when
 * an admin clicks Generate CSR (DOMAIN.md §2): common name, SAN list, key and usage.
 * Pure and synchronous; csr.ts turns it into a signed PKCS#10 request.
 */
import {
  CertPlatform,
  PurposeInfo,
  findPurpose,
  multiServerCommonName,
  multiServerCoverage,
  nodesWithoutCallManager,
  purposeNames,
  selectNodes,
  uploadNode,
} from '../catalog';
import { ClusterDecl, Distribution, checkFqdn, findNode, nodePlatform, shortName } from '../model';
import { PkiInputError } from './errors';
import { EcCurve, HashName, KeySpec, KeyType, RsaKeySize, checkKeySpec } from './keys';
import { PurposeUsage, purposeUsage } from './purpose-usage';

/** Subject fields besides the common name, which the purpose and distribution decide. */
export interface CsrSubject {
  readonly O?: string;
  readonly OU?: string;
  readonly L?: string;
  readonly ST?: string;
  /** Two-letter ISO 3166 country code. */
  readonly C?: string;
}

export interface CsrOptions {
  readonly cluster: ClusterDecl;
  /** Purpose name from the catalog, e.g. `tomcat`, `CallManager-ECDSA`. */
  readonly purpose: string;
  readonly distribution: Distribution;
  /** Single-server only: FQDN of the node the certificate is for. */
  readonly node?: string;
  /** @default - EC for -ECDSA purposes, RSA otherwise */
  readonly keyType?: KeyType;
  /** @default 2048 */
  readonly keySize?: RsaKeySize;
  /** @default 'P-256' */
  readonly curve?: EcCurve;
  /** @default 'SHA-256' */
  readonly hash?: HashName;
  readonly subject?: CsrSubject;
  /** Extra SAN DNS names the admin adds ("other domains", the vendor's .txt import). */
  readonly otherDomains?: readonly string[];
  /** cup-xmpp-s2s only: hosted domains whose `*.domain` goes into the SANs for group chat over federation. */
  readonly wildcardDomains?: readonly string[];
  /**
   * The common name, when the declaration overrides the platform's.
   * @default - multi-server: by the publisher's release (`<host>-ms.<domain>` from 11.5, `<publisher FQDN>-ms` on 10.5); single-server: the node FQDN
   */
  readonly commonName?: string;
}

export interface CsrContent {
  /** File base name: `<cluster>-<purpose>-ms` or `<cluster>-<purpose>-<node short name>`. */
  readonly name: string;
  readonly purpose: PurposeInfo;
  readonly platform: CertPlatform;
  readonly commonName: string;
  /** Subject attributes in DER order (C first, CN last). */
  readonly subject: readonly (readonly [string, string])[];
  /** SAN DNS names: the CN first, then the covered nodes in rollout order, other domains, wildcards. */
  readonly sans: readonly string[];
  readonly key: KeySpec;
  readonly usage: PurposeUsage;
}

const SUBJECT_ORDER = ['C', 'ST', 'L', 'O', 'OU'] as const;

export function csrContent(opts: CsrOptions): CsrContent {
  const { cluster } = opts;
  const purpose = findPurpose(opts.purpose);
  if (!purpose) throw new PkiInputError(`Unknown certificate purpose '${opts.purpose}': use one of ${purposeNames().join(', ')}`);
  const keyType = opts.keyType ?? purpose.keyType;
  if (keyType !== purpose.keyType) {
    const ecTwin = findPurpose(`${purpose.name}-ECDSA`);
    const fix = purpose.keyType === 'EC' ? 'use EC' : ecTwin ? `use RSA, or the purpose ${ecTwin.name} for an EC key` : 'use RSA';
    throw new PkiInputError(`purpose ${purpose.name} needs an ${purpose.keyType} key, got keyType '${keyType}': ${fix}`);
  }
  const key: KeySpec = { keyType, keySize: opts.keySize, curve: opts.curve, hash: opts.hash };
  checkKeySpec(key);

  let commonName: string;
  let covered: string[];
  let platform: CertPlatform;
  let name: string;
  if (opts.distribution === 'multi-server') {
    if (!purpose.multiServer) {
      throw new PkiInputError(`purpose ${purpose.name} has no multi-server (SAN) certificate: use distribution 'single-server' with the node`);
    }
    if (purpose.family === 'CallManager' && cluster.callManagerIncludeInactiveNodes === undefined) {
      const inactive = nodesWithoutCallManager(cluster);
      if (inactive.length > 0) {
        throw new PkiInputError(
          `cluster ${cluster.name}: ${inactive.map((n) => n.fqdn).join(', ')} ${inactive.length === 1 ? 'does' : 'do'} not run Cisco CallManager: set callManagerIncludeInactiveNodes to true (keep) or false (drop) before generating the CallManager CSR`,
        );
      }
    }
    const pub = uploadNode(cluster, purpose);
    if (!pub) throw new PkiInputError(`cluster ${cluster.name} has no publisher for purpose ${purpose.name}: declare the publisher`);
    commonName = opts.commonName !== undefined ? checkedCommonName(opts.commonName) : multiServerCommonName(cluster, purpose);
    covered = multiServerCoverage(cluster, purpose).map((n) => n.fqdn.toLowerCase());
    platform = nodePlatform(pub);
    name = `${cluster.name}-${purpose.name}-ms`;
  } else if (opts.distribution === 'single-server') {
    const allowed = selectNodes(cluster, purpose.covers, []);
    const choices = allowed.map((n) => n.fqdn).join(', ') || 'no node of this cluster';
    if (!opts.node) throw new PkiInputError(`a single-server ${purpose.name} CSR is for one node: give the node's FQDN (${choices})`);
    const node = findNode(cluster, opts.node);
    if (!node) {
      throw new PkiInputError(`node '${opts.node}' is not in cluster ${cluster.name}: use one of ${cluster.nodes.map((n) => n.fqdn).join(', ')}`);
    }
    if (!allowed.includes(node)) {
      throw new PkiInputError(`purpose ${purpose.name} is not for node ${node.fqdn} (${node.role}): use one of ${choices}`);
    }
    commonName = opts.commonName !== undefined ? checkedCommonName(opts.commonName) : node.fqdn.toLowerCase();
    covered = [node.fqdn.toLowerCase()];
    platform = nodePlatform(node);
    name = `${cluster.name}-${purpose.name}-${shortName(cluster, node)}`;
  } else {
    throw new PkiInputError(`distribution must be 'multi-server' or 'single-server', got ${JSON.stringify(opts.distribution)}`);
  }

  const others = (opts.otherDomains ?? []).map((d, i) => checkedDomain(`otherDomains[${i}]`, d));
  const wildcards = (opts.wildcardDomains ?? []).map((d, i) => `*.${checkedDomain(`wildcardDomains[${i}]`, d.replace(/^\*\./, ''))}`);
  if (wildcards.length > 0 && purpose.family !== 'cup-xmpp-s2s') {
    throw new PkiInputError(`wildcard SANs are only for cup-xmpp-s2s (group chat over XMPP federation), not ${purpose.name}: CUCM refuses wildcards in other certificates`);
  }
  const sans = [...new Set([commonName, ...covered, ...others, ...wildcards])];

  const subject = csrSubject(opts.subject, commonName);
  return { name, purpose, platform, commonName, subject, sans, key, usage: purposeUsage(purpose, keyType, platform) };
}

/** Subject attributes in DER order (C first, CN last), each value checked; empty fields left out. */
export function csrSubject(fields: CsrSubject | undefined, commonName: string): [string, string][] {
  const subject: [string, string][] = [];
  for (const field of SUBJECT_ORDER) {
    const value = fields?.[field];
    if (value === undefined || value === '') continue;
    subject.push([field, checkedSubjectValue(field, value)]);
  }
  subject.push(['CN', commonName]);
  return subject;
}

/** A declared CN: a DNS-like name (the platform's own are `<host>-ms.<domain>` or `<fqdn>-ms`). */
function checkedCommonName(value: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value) || value.length > 64) {
    throw new PkiInputError(`commonName must be a host name such as 'cs-ccm-pub-ms.example.com' (at most 64 characters), got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

function checkedDomain(prop: string, value: string): string {
  const problem = checkFqdn(prop, value);
  if (problem) throw new PkiInputError(problem);
  return value.toLowerCase();
}

function checkedSubjectValue(field: string, value: string): string {
  if (field === 'C' && !/^[A-Z]{2}$/.test(value)) {
    throw new PkiInputError(`subject C must be a two-letter ISO country code in capitals such as 'US', got ${JSON.stringify(value)}`);
  }
  if (value.length > 64 || /[\r\n\0]/.test(value)) {
    throw new PkiInputError(`subject ${field} must be one line of at most 64 characters, got ${JSON.stringify(value)}`);
  }
  return value;
}
