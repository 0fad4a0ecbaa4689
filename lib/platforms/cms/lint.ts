/**
 * Lint of Cisco Meeting Server certificates (DOMAIN.md §4): the names each service's
 * certificate must carry, and the format of CMS bundles (entity first, intermediates, root
 * last, PEM only, exactly one newline at the end). Chain, dates, signature hash and key
 * match reuse the certificate lint of lib/pki. Findings are structurally PlanFindings.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CmsExpectedNames, cmsExpectedNames } from '../../catalog';
import { CmsCertificateDecl, CmsClusterDecl, Declarations, cmsAwaitsSignature, findCmsServer } from '../../model';
import { CertificateView, describeCertificate, parseCertificate, signedBy } from '../../pki/certificate';
import { isSelfSigned } from '../../pki/chain';
import { PkiInputError } from '../../pki/errors';
import { readCertificates, readPrivateKey } from '../../pki/input';
import { lintChain, lintDeclaredCa } from '../../pki/lint/chain';
import { LintCode, LintFinding, finding } from '../../pki/lint/finding';
import { lintSignatureHash } from '../../pki/lint/key';
import { lintKeyMatch } from '../../pki/lint/match';
import { lintValidity } from '../../pki/lint/validity';
import { PemLabel, isPem, pemBlocks } from '../../pki/pem';
import { readBounded } from '../../pki/bounded-read';

type Entry = readonly ['error' | 'warning', string];

/** Every CMS code, its severity and what it means. */
export const CMS_LINT_CODES = {
  // names (DOMAIN.md §4 CSR table)
  CMS_CN_NOT_IN_SAN: ['error', 'the certificate has SANs but its common name is not among them (a SAN list must also contain the CN)'],
  CMS_CN_UNEXPECTED: ['warning', 'the common name is not the one the CSR table gives (server FQDN, or cluster FQDN when clustered)'],
  CMS_WEBBRIDGE_SAN_JOIN_URL: ['error', 'a webbridge / webbridge3 certificate does not name the join URL in its SANs'],
  CMS_WEBBRIDGE_SAN_XMPP_DOMAIN: ['error', 'a webbridge certificate does not name an XMPP domain in its SANs'],
  CMS_XMPP_SAN_DOMAIN: ['error', 'an xmpp certificate does not name an XMPP domain in its SANs (XMPP clients reject it)'],
  CMS_CLUSTER_SAN_PEER: ['error', 'a clustered callbridge / turn / xmpp certificate does not name a peer server in its SANs'],
  // bundles (DOMAIN.md §4 Bundles)
  CMS_BUNDLE_NOT_PEM: ['error', 'the bundle is not only PEM CERTIFICATE blocks (DER, PKCS#7, a key, or text around the blocks)'],
  CMS_BUNDLE_TRAILING_NEWLINE: ['error', 'the bundle does not end with exactly one newline after the last block'],
  CMS_BUNDLE_CRLF: ['warning', 'the bundle has CRLF line ends (the MMP is Linux: use LF)'],
  CMS_BUNDLE_ORDER: ['error', 'a certificate of the bundle is not followed by its issuer (entity first, then intermediates, root last)'],
  CMS_BUNDLE_ROOT_NOT_LAST: ['error', 'the last certificate of the bundle is not a self-signed root'],
  CMS_BUNDLE_ENTITY: ['error', 'a CA bundle holds an entity certificate, or a full chain does not start with the entity'],
  CMS_BUNDLE_CA_MISMATCH: ['error', 'the bundle ends at a root other than the declared CA root'],
} as const satisfies Record<string, Entry>;

export type CmsLintCode = keyof typeof CMS_LINT_CODES;

export function cmsFinding(code: CmsLintCode, message: string, where: { certificate?: string; node?: string } = {}): LintFinding {
  return { severity: CMS_LINT_CODES[code][0], code, message, ...where };
}

/** The names a leaf shows, lower case. */
export interface CmsLeafNames {
  readonly commonName?: string;
  readonly dnsNames: readonly string[];
}

export interface CmsNamesContext {
  readonly service: string;
  readonly scope: 'per-server' | 'clustered';
  /** How messages name the certificate (its file). */
  readonly label: string;
}

/** A DNS name of the SAN list covers the name: equal, or a wildcard for its first label. */
export function sanCovers(sans: readonly string[], name: string): boolean {
  const want = name.toLowerCase();
  return sans.some((s) => {
    const san = s.toLowerCase();
    if (san === want) return true;
    return san.startsWith('*.') && want.includes('.') && want.slice(want.indexOf('.') + 1) === san.slice(2);
  });
}

/** The CMS SAN rules: CN in the SANs, webbridge join URL and XMPP domains, clustered peers. */
export function lintCmsNames(leaf: CmsLeafNames, want: CmsExpectedNames, ctx: CmsNamesContext): LintFinding[] {
  const out: LintFinding[] = [];
  const at = { certificate: ctx.label };
  const sans = leaf.dnsNames;
  const what = `${ctx.label} (${ctx.scope} ${ctx.service})`;
  const cn = leaf.commonName ?? '';
  if (cn.toLowerCase() !== want.commonName.toLowerCase()) {
    out.push(cmsFinding('CMS_CN_UNEXPECTED', `${what}: common name '${cn}' is not '${want.commonName}' (${ctx.scope === 'clustered' ? 'the cluster FQDN' : 'the server FQDN'}): re-issue it from the CSR the plan gives`, at));
  }
  if (sans.length > 0 && cn && !sanCovers(sans, cn)) {
    out.push(cmsFinding('CMS_CN_NOT_IN_SAN', `${what}: its SANs (${sans.join(', ')}) do not contain its common name '${cn}': when SANs are given they must contain the CN; re-issue it with the CN in the SAN list`, at));
  }
  const missing = (name: string) => !sanCovers(sans, name);
  if (want.required.joinUrl && missing(want.required.joinUrl)) {
    out.push(cmsFinding('CMS_WEBBRIDGE_SAN_JOIN_URL', `${what}: its SANs do not name the join URL '${want.required.joinUrl}': browsers joining there reject it; re-issue it with subjectAltName:${want.subjectAltNames.join(',')}`, at));
  }
  for (const domain of want.required.xmppDomains.filter(missing)) {
    const code = ctx.service === 'xmpp' ? 'CMS_XMPP_SAN_DOMAIN' : 'CMS_WEBBRIDGE_SAN_XMPP_DOMAIN';
    out.push(cmsFinding(code, `${what}: its SANs do not name the XMPP domain '${domain}': XMPP clients reject it; re-issue it with subjectAltName:${want.subjectAltNames.join(',')}`, at));
  }
  for (const peer of want.required.peers.filter(missing)) {
    out.push(cmsFinding('CMS_CLUSTER_SAN_PEER', `${what}: its SANs do not name the peer '${peer}', which serves it too: re-issue it with subjectAltName:${want.subjectAltNames.join(',')}`, { ...at, node: peer }));
  }
  return out;
}

export interface CmsBundleOptions {
  /** `ca-bundle`: intermediates then root; `full-chain`: the entity first, then the same. */
  readonly kind: 'ca-bundle' | 'full-chain';
  /** How messages name the bundle (its file). */
  readonly label: string;
  /** The declared root the bundle must end at. */
  readonly root?: CertificateView;
  /** full-chain: the entity it must start with (SHA-256 of the DER). */
  readonly entitySha256?: string;
}

/** The format DOMAIN.md §4 gives CMS bundles: PEM blocks, entity first, root last, one newline at the end. */
export function lintCmsBundle(data: Buffer, opts: CmsBundleOptions): LintFinding[] {
  const at = { certificate: opts.label };
  const label = opts.label;
  if (!isPem(data)) return [cmsFinding('CMS_BUNDLE_NOT_PEM', `${label}: is not PEM (DER or binary PKCS#7): write the certificates as PEM blocks, entity first, root last`, at)];
  let blocks;
  try {
    blocks = pemBlocks(data, label);
  } catch (e) {
    if (!(e instanceof PkiInputError)) throw e;
    return [cmsFinding('CMS_BUNDLE_NOT_PEM', `${e.message}`, at)];
  }
  const out: LintFinding[] = [];
  const text = data.toString('latin1');
  const others = [...new Set(blocks.filter((b) => b.label !== PemLabel.CERTIFICATE).map((b) => b.label))];
  if (others.length > 0) out.push(cmsFinding('CMS_BUNDLE_NOT_PEM', `${label}: holds ${others.join(', ')} block(s): a CMS bundle holds only CERTIFICATE blocks (never a key)`, at));
  const outside = text.replace(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g, '');
  if (outside.trim().length > 0) out.push(cmsFinding('CMS_BUNDLE_NOT_PEM', `${label}: has text outside the PEM blocks (e.g. openssl's subject= lines): keep only the blocks`, at));
  // Text after the last block is CMS_BUNDLE_NOT_PEM already; only white space is judged here.
  const ending = /-----END [A-Z0-9 ]+-----(\s*)$/.exec(text)?.[1];
  if (ending !== undefined && ending !== '\n' && ending !== '\r\n') {
    const found = ending === '' ? 'no newline' : JSON.stringify(ending);
    out.push(cmsFinding('CMS_BUNDLE_TRAILING_NEWLINE', `${label}: ends with ${found} after the last block: end it with exactly one newline`, at));
  }
  if (text.includes('\r\n')) out.push(cmsFinding('CMS_BUNDLE_CRLF', `${label}: has CRLF line ends: convert it to LF (dos2unix)`, at));

  const certs = blocks.filter((b) => b.label === PemLabel.CERTIFICATE).map((b, i) => tryParse(b.der, `${label}#${i + 1}`));
  if (certs.some((c) => !c) || certs.length === 0) {
    out.push(cmsFinding('CMS_BUNDLE_NOT_PEM', `${label}: ${certs.length === 0 ? 'holds no certificate' : 'a CERTIFICATE block is not a readable certificate'}: export the bundle again`, at));
    return out;
  }
  const list = certs as CertificateView[];
  const isCa = (c: CertificateView) => !!c.basicConstraints?.ca || isSelfSigned(c);
  if (opts.kind === 'ca-bundle') {
    for (const c of list.filter((x) => !isCa(x))) {
      out.push(cmsFinding('CMS_BUNDLE_ENTITY', `${c.label}: ${describeCertificate(c)} is an entity certificate in a CA bundle: the CA bundle holds the intermediates and the root only`, at));
    }
  } else if (isCa(list[0]) || (opts.entitySha256 && list[0].sha256 !== opts.entitySha256)) {
    out.push(cmsFinding('CMS_BUNDLE_ENTITY', `${label}: starts with ${describeCertificate(list[0])}, not the entity certificate${opts.entitySha256 ? ` (SHA-256 ${opts.entitySha256.slice(0, 16)}…)` : ''}: put the entity first`, at));
  }
  for (let i = 0; i + 1 < list.length; i++) {
    const [child, next] = [list[i], list[i + 1]];
    if (isSelfSigned(child) || child.issuer !== next.subject || !signedBy(child, next)) {
      out.push(cmsFinding('CMS_BUNDLE_ORDER', `${label}: certificate ${i + 1} ${describeCertificate(child)} is followed by ${describeCertificate(next)}, which did not issue it: order the bundle entity first, each certificate followed by its issuer, root last`, at));
      break;
    }
  }
  const last = list[list.length - 1];
  if (!isSelfSigned(last)) {
    out.push(cmsFinding('CMS_BUNDLE_ROOT_NOT_LAST', `${label}: ends with ${describeCertificate(last)}, not a self-signed root: add the root last`, at));
  } else if (opts.root && last.sha256 !== opts.root.sha256) {
    out.push(cmsFinding('CMS_BUNDLE_CA_MISMATCH', `${label}: ends at the root ${describeCertificate(last)}, not the declared root ${describeCertificate(opts.root)}: build it from the declared CA`, at));
  }
  return out;
}

export interface LintCmsOptions {
  /** Folder the declarations' relative file paths start from. */
  readonly baseDir: string;
  /** @default - the current time */
  readonly now?: Date;
  /** @default 30 */
  readonly renewalWindowDays?: number;
}

/**
 * Every declared CMS certificate that exists: its names against the CSR table, its chain to the
 * declared CA, dates, signature hash, key match (when the key file is readable: the plan never
 * needs it), and the format of a supplied bundle or full-chain certificate file. A server-made
 * certificate not signed yet is skipped (phase 1 of its plan).
 */
export function lintCmsDeclarations(decls: Declarations, opts: LintCmsOptions): LintFinding[] {
  const now = opts.now ?? new Date();
  const out: LintFinding[] = [];
  for (const cert of decls.cmsCertificates ?? []) {
    const cluster = (decls.cmsClusters ?? []).find((c) => c.name === cert.cluster);
    const ca = decls.certificateAuthorities.find((c) => c.name === cert.ca);
    if (!cluster || !ca) continue; // the planner's validation names these
    out.push(...lintOne(cert, cluster, ca, opts.baseDir, now, opts.renewalWindowDays));
  }
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.code}|${f.certificate ?? ''}|${f.node ?? ''}|${f.message}`;
    return !seen.has(key) && seen.add(key);
  });
}

function lintOne(
  cert: CmsCertificateDecl,
  cluster: CmsClusterDecl,
  ca: Declarations['certificateAuthorities'][number],
  baseDir: string,
  now: Date,
  renewalWindowDays?: number,
): LintFinding[] {
  const out: LintFinding[] = [];
  const path = (p: string) => resolve(baseDir, p);
  if (cmsAwaitsSignature(cert, (p) => existsSync(path(p)))) return out;
  const read = (p: string, code: LintCode): { data: Buffer; certs: CertificateView[] } | undefined => {
    try {
      const data = readBounded(path(p));
      const ders = readCertificates(data, p);
      return { data, certs: ders.map((der, i) => parseCertificate(der, ders.length === 1 ? p : `${p}#${i + 1}`)) };
    } catch (e) {
      const message = e instanceof PkiInputError ? e.message : `${p}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path, relative to ${baseDir}`;
      out.push(finding(code, message, { certificate: p }));
      return undefined;
    }
  };
  const leafFile = read(cert.certificate, 'CERT_UNREADABLE');
  const root = read(ca.root, 'ROOT_UNREADABLE')?.certs[0];
  const intermediates = ca.intermediates.map((p) => read(p, 'CHAIN_UNREADABLE')?.certs);
  if (root) out.push(...lintDeclaredCa(root, 'root', ca.name));
  for (const c of intermediates.flatMap((x) => x ?? [])) out.push(...lintDeclaredCa(c, 'intermediate', ca.name));
  if (!leafFile) return out;
  const leafs = leafFile.certs;
  const leaf = leafs[0];
  const server = cert.server ? findCmsServer(cluster, cert.server) : undefined;
  try {
    const want = cmsExpectedNames(cluster, cert.service, cert.scope, server);
    out.push(...lintCmsNames(leaf, want, { service: cert.service, scope: cert.scope, label: cert.certificate }));
  } catch {
    // names the cluster cannot give are the planner's refusal, not a lint finding
  }
  out.push(...lintValidity(leaf, now, renewalWindowDays), ...lintSignatureHash(leaf));
  if (root && intermediates.every((c) => c)) {
    out.push(
      ...lintChain({ leaf, chain: intermediates.flatMap((c) => c!), order: 'root-first', chainLabel: `intermediates of certificate authority '${ca.name}'`, extra: leafs.slice(1), root, now, renewalWindowDays }),
    );
  }
  if (leafs.length > 1) {
    out.push(...lintCmsBundle(leafFile.data, { kind: 'full-chain', label: cert.certificate, root, entitySha256: leaf.sha256 }));
  }
  if (cert.bundle) {
    try {
      out.push(...lintCmsBundle(readBounded(path(cert.bundle)), { kind: 'ca-bundle', label: cert.bundle, root }));
    } catch (e) {
      out.push(finding('CHAIN_UNREADABLE', `${cert.bundle}: cannot read the bundle (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path, relative to ${baseDir}`, { certificate: cert.bundle }));
    }
  }
  if (cert.key && existsSync(path(cert.key))) {
    try {
      out.push(...lintKeyMatch(leaf, readPrivateKey(readBounded(path(cert.key)), cert.key), cert.key));
    } catch (e) {
      if (!(e instanceof PkiInputError)) throw e;
      out.push(finding('KEY_UNREADABLE', e.message, { certificate: cert.certificate }));
    }
  }
  return out;
}

function tryParse(der: Buffer, label: string): CertificateView | undefined {
  try {
    return parseCertificate(der, label);
  } catch {
    return undefined;
  }
}
