/**
 * Lint of every declared certificate against its declared CA (root and intermediates) and
 * its cluster (multi-server: the catalog's coverage; single-server: the node), and of every
 * trust entry's dates. Files are read once per call; findings come in declaration order.
 */
import { resolve } from 'node:path';
import { CertPlatform, findPurpose, multiServerCommonName, multiServerCoverage, purposeNames, selectNodes, uploadNode } from '../../catalog';
import { CertificateDecl, Declarations, findNode, nodePlatform } from '../../model';
import { CertificateView } from '../../pki/certificate';
import { readCsr } from '../../pki/input';
import { PkiInputError } from '../../pki/errors';
import { LintCode, LintFinding, finding } from '../../pki/lint/finding';
import { lintParsed, readViews } from '../../pki/lint/lint-certificate';
import { lintValidity } from '../../pki/lint/validity';
import { lintDeclaredCa } from '../../pki/lint/chain';
import { readBounded } from '../../pki/bounded-read';
import { callManagerWithTvs } from './validate';

export interface LintDeclarationsOptions {
  /** Folder the declarations' relative file paths start from (the inventory file's folder). */
  readonly baseDir: string;
  /** @default - the current time */
  readonly now?: Date;
  /** @default 30 */
  readonly renewalWindowDays?: number;
}

export function lintDeclarations(decls: Declarations, opts: LintDeclarationsOptions): LintFinding[] {
  const now = opts.now ?? new Date();
  const files = new FileCache(opts.baseDir);
  const out: LintFinding[] = [];
  for (const decl of decls.certificates) out.push(...lintDeclared(decl, decls, files, now, opts.renewalWindowDays));
  for (const p of callManagerWithTvs(decls)) out.push(finding('CALLMANAGER_WITH_TVS', p.message, { certificate: p.certificate }));
  for (const ca of decls.certificateAuthorities.filter((c) => decls.certificates.some((d) => d.ca === c.name))) {
    const certs: [string, 'root' | 'intermediate'][] = [[ca.root, 'root'], ...ca.intermediates.map((i): [string, 'intermediate'] => [i, 'intermediate'])];
    for (const [path, role] of certs) for (const cert of files.certificates(path, role === 'root' ? 'ROOT_UNREADABLE' : 'CHAIN_UNREADABLE', out) ?? []) out.push(...lintDeclaredCa(cert, role, ca.name));
  }
  for (const entry of decls.trustEntries) {
    const certs = files.certificates(entry.certificate, 'CERT_UNREADABLE', out);
    for (const cert of certs ?? []) out.push(...lintValidity(cert, now, opts.renewalWindowDays));
  }
  return dedupe(out);
}

function lintDeclared(decl: CertificateDecl, decls: Declarations, files: FileCache, now: Date, renewalWindowDays?: number): LintFinding[] {
  // An issued certificate has no leaf yet: its CA is linted below, its request by the sign step's checks.
  const label = decl.certificate ?? `${decl.purpose} (issued by ${decl.issuer})`;
  const at = { certificate: label };
  const out: LintFinding[] = [];
  const cluster = decls.clusters.find((c) => c.name === decl.cluster);
  const purpose = findPurpose(decl.purpose);
  const ca = decls.certificateAuthorities.find((c) => c.name === decl.ca);
  if (!cluster) {
    out.push(finding('CLUSTER_UNKNOWN', `${label}: cluster '${decl.cluster}' is not declared: use one of ${decls.clusters.map((c) => c.name).join(', ') || '(none declared)'}`, at));
  }
  if (!purpose) out.push(finding('PURPOSE_UNKNOWN', `${label}: unknown purpose '${decl.purpose}': use one of ${purposeNames().join(', ')}`, at));
  if (!ca) {
    out.push(finding('CA_UNKNOWN', `${label}: certificate authority '${decl.ca}' is not declared: declare it under certificateAuthorities, or use one of ${decls.certificateAuthorities.map((c) => c.name).join(', ') || '(none declared)'}`, at));
  }
  if (!cluster || !purpose || !ca) return out;

  let nodes: string[] = [];
  let commonName: string | undefined;
  let platform: CertPlatform | undefined;
  if (decl.distribution === 'multi-server') {
    if (purpose.multiServer) {
      nodes = multiServerCoverage(cluster, purpose).map((n) => n.fqdn);
      commonName = decl.commonName ?? multiServerCommonName(cluster, purpose);
      const pub = uploadNode(cluster, purpose);
      platform = pub && nodePlatform(pub);
    }
  } else {
    const node = decl.node ? findNode(cluster, decl.node) : undefined;
    const allowed = selectNodes(cluster, purpose.covers, []);
    if (!node || !allowed.includes(node)) {
      const why = !decl.node ? 'names no node' : !node ? `names node '${decl.node}', which is not in cluster ${cluster.name}` : `is for node ${node.fqdn}, which ${purpose.name} is not for`;
      out.push(finding('NODE_UNKNOWN', `${label}: single-server ${purpose.name} certificate ${why}: set node to one of ${allowed.map((n) => n.fqdn).join(', ') || '(no node of this cluster)'}`, at));
    } else {
      nodes = [node.fqdn];
      commonName = decl.commonName ?? node.fqdn;
      platform = nodePlatform(node);
    }
  }

  if (decl.certificate === undefined) return out;
  const leafCerts = files.certificates(decl.certificate, 'CERT_UNREADABLE', out);
  if (!leafCerts) return out;
  const root = files.certificates(ca.root, 'ROOT_UNREADABLE', out)?.[0];
  const intermediates = ca.intermediates.map((path) => files.certificates(path, 'CHAIN_UNREADABLE', out));
  const chain = intermediates.every((c) => c !== undefined) ? intermediates.flatMap((c) => c as CertificateView[]) : undefined;
  const csr = decl.csr ? files.csr(decl.csr, label, out) : undefined;
  out.push(
    ...lintParsed({
      leaf: leafCerts[0],
      extra: leafCerts.slice(1),
      chain: chain ?? [],
      chainChecks: root !== undefined && chain !== undefined,
      chainLabel: `intermediates of certificate authority '${ca.name}'`,
      order: 'root-first',
      root,
      purpose,
      nodes,
      distribution: decl.distribution,
      commonName,
      platform,
      csr: csr && { request: csr, label: decl.csr as string },
      now,
      renewalWindowDays,
    }),
  );
  return out;
}

/** Each declared file read and parsed once per lint run; a failure is reported where it is met, once. */
class FileCache {
  private readonly read = new Map<string, Buffer | Error>();
  constructor(private readonly baseDir: string) {}

  certificates(path: string, code: LintCode, out: LintFinding[]): CertificateView[] | undefined {
    const data = this.load(path, code, out);
    return data && readViews(data, path, code, out);
  }

  csr(path: string, certificate: string, out: LintFinding[]) {
    const data = this.load(path, 'CSR_UNREADABLE', out);
    if (!data) return undefined;
    try {
      return readCsr(data, path);
    } catch (e) {
      if (!(e instanceof PkiInputError)) throw e;
      out.push(finding('CSR_UNREADABLE', e.message, { certificate }));
      return undefined;
    }
  }

  private load(path: string, code: LintCode, out: LintFinding[]): Buffer | undefined {
    let data = this.read.get(path);
    if (data === undefined) {
      try {
        data = readBounded(resolve(this.baseDir, path));
      } catch (e) {
        data = new Error(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path, relative to ${this.baseDir}`);
      }
      this.read.set(path, data);
    }
    if (data instanceof Error) {
      out.push(finding(code, data.message, { certificate: path }));
      return undefined;
    }
    return data;
  }
}

function dedupe(findings: LintFinding[]): LintFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.certificate ?? ''}|${f.node ?? ''}|${f.message}`;
    return !seen.has(key) && seen.add(key);
  });
}
