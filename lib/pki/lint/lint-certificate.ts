/**
 * Lint of one signed certificate before the plan is accepted: names, key, usage, dates,
 * chain, and that key and CSR belong to it. Synchronous and pure apart from the clock.
 */
import { KeyObject } from 'node:crypto';
import { CertPlatform, PurposeInfo, findPurpose, purposeNames } from '../../catalog';
import { Distribution } from '../../model';
import { CertificateView, parseCertificate } from '../certificate';
import { PkiInputError } from '../errors';
import { readCertificates, readCsr, readPrivateKey } from '../input';
import type { X509 } from '../x509';
import { lintChain } from './chain';
import { LintCode, LintFinding, finding } from './finding';
import { lintKey } from './key';
import { csrSans, lintCsrMatch, lintKeyMatch } from './match';
import { lintNames } from './names';
import { lintUsage } from './usage';
import { lintValidity } from './validity';

export interface LintCertificateInput {
  /** The signed certificate, PEM or DER; further PEM blocks after it are taken as its chain. */
  readonly leaf: Buffer;
  /** Intermediates (the root may be included): PEM blocks, DER, or PKCS#7. */
  readonly chain?: Buffer;
  /** @default 'issuer-first' (the issuing CA first, as TLS sends it and a CMS bundle holds it) */
  readonly chainOrder?: 'issuer-first' | 'root-first';
  /** The root the chain must end at. @default - a self-signed certificate of the chain */
  readonly root?: Buffer;
  /** Purpose from the catalog, e.g. `tomcat`. */
  readonly purpose: string;
  /** FQDNs the SAN list must hold. @default - no coverage check */
  readonly nodes?: readonly string[];
  /** @default - multi-server when the purpose has it */
  readonly distribution?: Distribution;
  /** The common name the CSR had (`<publisher>-ms`, or the node FQDN). @default - not checked */
  readonly commonName?: string;
  /** Which row of the key-usage table applies (tomcat differs). @default - the purpose's first platform */
  readonly platform?: CertPlatform;
  /** The private key, to check it belongs to the certificate. */
  readonly key?: Buffer;
  /** The CSR it was signed from, to check the public key and SANs match. */
  readonly csr?: Buffer;
  /** @default - the current time */
  readonly now?: Date;
  /** @default 30 */
  readonly renewalWindowDays?: number;
  /** How messages name the certificate (its file path). @default 'certificate' */
  readonly label?: string;
  readonly chainLabel?: string;
  readonly rootLabel?: string;
  readonly keyLabel?: string;
  readonly csrLabel?: string;
}

export function lintCertificate(input: LintCertificateInput): LintFinding[] {
  const label = input.label ?? 'certificate';
  const purpose = findPurpose(input.purpose);
  if (!purpose) {
    return [finding('PURPOSE_UNKNOWN', `${label}: unknown purpose '${input.purpose}': use one of ${purposeNames().join(', ')}`, { certificate: label })];
  }
  const findings: LintFinding[] = [];
  const leafCerts = readViews(input.leaf, label, 'CERT_UNREADABLE', findings);
  if (!leafCerts) return findings;
  const chainLabel = input.chainLabel ?? 'chain';
  const chain = input.chain ? readViews(input.chain, chainLabel, 'CHAIN_UNREADABLE', findings) : [];
  const rootLabel = input.rootLabel ?? 'root';
  const root = input.root ? readViews(input.root, rootLabel, 'ROOT_UNREADABLE', findings)?.[0] : undefined;
  const key = input.key ? readOne(() => readPrivateKey(input.key as Buffer, input.keyLabel ?? 'key'), 'KEY_UNREADABLE', label, findings) : undefined;
  const csr = input.csr ? readOne(() => readCsr(input.csr as Buffer, input.csrLabel ?? 'CSR'), 'CSR_UNREADABLE', label, findings) : undefined;
  findings.push(
    ...lintParsed({
      leaf: leafCerts[0],
      extra: leafCerts.slice(1),
      chain: chain ?? [],
      chainChecks: chain !== undefined && !(input.root && !root),
      chainLabel,
      order: input.chainOrder ?? 'issuer-first',
      root,
      purpose,
      nodes: input.nodes,
      distribution: input.distribution,
      commonName: input.commonName,
      platform: input.platform,
      key: key && { object: key, label: input.keyLabel ?? 'key' },
      csr: csr && { request: csr, label: input.csrLabel ?? 'CSR' },
      now: input.now ?? new Date(),
      renewalWindowDays: input.renewalWindowDays,
    }),
  );
  return findings;
}

/** Everything lint needs, already parsed: shared by lintCertificate and lintDeclarations. */
export interface ParsedLintInput {
  readonly leaf: CertificateView;
  readonly extra: readonly CertificateView[];
  readonly chain: readonly CertificateView[];
  /** False when the chain or root could not be read: the chain checks would only repeat that. */
  readonly chainChecks: boolean;
  readonly chainLabel: string;
  readonly order: 'issuer-first' | 'root-first';
  readonly root?: CertificateView;
  readonly purpose: PurposeInfo;
  readonly nodes?: readonly string[];
  readonly distribution?: Distribution;
  readonly commonName?: string;
  readonly platform?: CertPlatform;
  readonly key?: { readonly object: KeyObject; readonly label: string };
  readonly csr?: { readonly request: X509.Pkcs10CertificateRequest; readonly label: string };
  readonly now: Date;
  readonly renewalWindowDays?: number;
}

export function lintParsed(p: ParsedLintInput): LintFinding[] {
  const { leaf, purpose } = p;
  const out: LintFinding[] = [];
  const distribution = p.distribution ?? (purpose.multiServer ? 'multi-server' : 'single-server');
  if (distribution === 'multi-server' && !purpose.multiServer) {
    out.push(finding('DISTRIBUTION_UNSUPPORTED', `${leaf.label}: purpose ${purpose.name} has no multi-server (SAN) certificate: declare it single-server, one certificate per node`, { certificate: leaf.label }));
  }
  out.push(
    ...lintNames(leaf, {
      purpose,
      nodes: p.nodes,
      multiServer: distribution === 'multi-server',
      commonName: p.commonName,
      csrSans: p.csr ? csrSans(p.csr.request) : undefined,
      csrLabel: p.csr?.label,
    }),
    ...lintKey(leaf, purpose),
    ...lintUsage(leaf, purpose, p.platform),
    ...lintValidity(leaf, p.now, p.renewalWindowDays),
  );
  if (p.chainChecks) {
    out.push(
      ...lintChain({
        leaf,
        chain: p.chain,
        order: p.order,
        chainLabel: p.chainLabel,
        extra: p.extra,
        root: p.root,
        now: p.now,
        renewalWindowDays: p.renewalWindowDays,
      }),
    );
  }
  if (p.key) out.push(...lintKeyMatch(leaf, p.key.object, p.key.label));
  if (p.csr) out.push(...lintCsrMatch(leaf, p.csr.request, p.csr.label));
  return out;
}

/** Parsed certificates of a file, labelled `file` or `file#n`; on failure a finding and undefined. */
export function readViews(data: Buffer, label: string, code: LintCode, findings: LintFinding[]): CertificateView[] | undefined {
  return readOne(
    () => {
      const ders = readCertificates(data, label);
      return ders.map((der, i) => parseCertificate(der, ders.length === 1 ? label : `${label}#${i + 1}`));
    },
    code,
    label,
    findings,
  );
}

function readOne<T>(read: () => T, code: LintCode, certificate: string, findings: LintFinding[]): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof PkiInputError)) throw e;
    findings.push(finding(code, e.message, { certificate }));
    return undefined;
  }
}
