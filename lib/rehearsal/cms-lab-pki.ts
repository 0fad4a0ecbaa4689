/**
 * A rehearsal's Meeting Server certificates, signed by the lab CA (NOT FOR PRODUCTION).
 *
 * Source `ca`: the key and CSR are made here by the CSR rules of DOMAIN.md §4
 * (`cmsExpectedNames`: the CN, and the SAN list with the CN first), the lab CA signs the CSR,
 * the key is written with mode 0600 and only its path goes into the inventory.
 * Source `server-csr`: the key is made on the server by the plan's `pki csr` step, so signing
 * is the second of the two phases of docs/cms.md: after the first apply fetched the CSRs to
 * `cms-csr/` beside plan.json, `signServerCsrs` has the lab CA sign each one and saves the
 * certificate where the plan wants it; the next plan is phase 2.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { cmsExpectedNames } from '../catalog';
import { CmsCertificateDecl, CmsClusterDecl, Declarations, findCmsServer } from '../model';
import type { CmsClusterPlan, DownloadFileStep } from '../platforms/cms/types';
import { LabCa, generateKeyPair, privateKeyPem, signCsr, signingAlgorithm, writeSecretFile } from '../pki';
import { PemLabel, toPem } from '../pki/pem';
import { x509 } from '../pki/x509';

const EKU_SERVER_CLIENT = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'];

/** File stem of a declared CMS certificate: `cms-<cluster>-<service>-<server short name | clustered>`. */
export function cmsLabStem(decl: CmsCertificateDecl): string {
  const where = decl.scope === 'clustered' ? 'clustered' : (decl.server ?? 'server').split('.')[0];
  return `cms-${decl.cluster}-${decl.service}-${where}`;
}

/** A key made here and its CSR, named as `pki csr` on the server would name them. */
export async function cmsLabCsr(cluster: CmsClusterDecl, decl: CmsCertificateDecl): Promise<{ csrPem: string; keyPem: string }> {
  const server = decl.server ? findCmsServer(cluster, decl.server) : undefined;
  const names = cmsExpectedNames(cluster, decl.service, decl.scope, server);
  const spec = { keyType: 'RSA' as const, keySize: 2048 as const };
  const keys = await generateKeyPair(spec);
  const subject = decl.subject ?? {};
  const fields: [string, string | undefined][] = [
    ['CN', names.commonName],
    ['OU', subject.organizationalUnit],
    ['O', subject.organization],
    ['ST', subject.state],
    ['C', subject.country],
  ];
  const name = fields.filter(([, v]) => v).map(([k, v]): Record<string, string[]> => ({ [k]: [v!] }));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: signingAlgorithm(spec),
    extensions: [
      ...(names.subjectAltNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(names.subjectAltNames.map((value) => ({ type: 'dns' as const, value })))] : []),
      new x509.ExtendedKeyUsageExtension(EKU_SERVER_CLIENT),
    ],
  });
  return { csrPem: toPem(csr.rawData, PemLabel.CERTIFICATE_REQUEST), keyPem: await privateKeyPem(keys.privateKey) };
}

/** The lab CA signs a CSR of a Meeting Server service (server and client authentication, the CSR's names). */
export async function signCmsCsr(ca: LabCa, csrPem: string, label: string): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const purpose = csr.publicKey.algorithm.name === 'ECDSA' ? 'tomcat-ECDSA' : 'tomcat';
  return signCsr(ca, csrPem, { purpose, csrLabel: label });
}

export interface CmsLabInventory {
  /** cmsCertificates entries of the rewritten inventory (paths relative to the work folder). */
  readonly cmsCertificates: Record<string, unknown>[];
  /** cmsClusters of the rewritten inventory: file paths made absolute. */
  readonly cmsClusters: Record<string, unknown>[];
}

/**
 * Signs every `ca` certificate the inventory declares for Meeting Servers and rewrites the
 * declarations to the lab CA; `server-csr` certificates keep their source and get a path under
 * `certs/` that `signServerCsrs` fills after the first apply.
 */
export async function issueCmsLabCertificates(
  declarations: Declarations,
  raw: Record<string, any>,
  ca: LabCa,
  workDir: string,
  keyDir: string,
  sourceDir: string,
  /**
   * The real certificate path (on-node): a server-csr certificate declared with an issuer keeps
   * it, with the CA this returns (its own, or the lab's with the lab issuer). @default - none: the lab CA signs every one
   */
  issued?: (decl: CmsCertificateDecl) => { readonly issuer: string; readonly ca: string } | undefined,
): Promise<CmsLabInventory> {
  const absolute = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? join(sourceDir, p) : p);
  const cmsClusters = ((raw.cmsClusters ?? []) as Record<string, any>[]).map((c) => ({
    ...c,
    ...(c.knownHostsFile ? { knownHostsFile: absolute(c.knownHostsFile) } : {}),
    ...(c.credentials?.file ? { credentials: { ...c.credentials, file: absolute(c.credentials.file) } } : {}),
  }));
  const cmsCertificates: Record<string, unknown>[] = [];
  for (const decl of declarations.cmsCertificates ?? []) {
    const cluster = (declarations.cmsClusters ?? []).find((c) => c.name === decl.cluster)!;
    const stem = cmsLabStem(decl);
    const entry: Record<string, unknown> = {
      cluster: decl.cluster,
      service: decl.service,
      scope: decl.scope,
      ...(decl.server ? { server: decl.server } : {}),
      source: decl.source,
      certificate: `certs/${stem}.pem`,
      ca: 'lab',
      ...(decl.basename ? { basename: decl.basename } : {}),
      ...(decl.renewal ? { renewal: decl.renewal } : {}),
      ...(decl.subject ? { subject: decl.subject } : {}),
      ...(decl.source === 'server-csr' && decl.issuer !== undefined ? issued?.(decl) ?? {} : {}),
    };
    if (decl.source === 'ca') {
      const { csrPem, keyPem } = await cmsLabCsr(cluster, decl);
      writeSecretFile(join(keyDir, `${stem}.key`), keyPem);
      writeFileSync(join(workDir, 'csr', `${stem}.csr`), csrPem);
      writeFileSync(join(workDir, 'certs', `${stem}.pem`), await signCmsCsr(ca, csrPem, `csr/${stem}.csr`));
      entry.key = `keys/${stem}.key`;
    }
    cmsCertificates.push(entry);
  }
  return { cmsCertificates, cmsClusters };
}

/**
 * Phase 2 of a plan with server-made keys: for each certificate still awaiting its signature,
 * the lab CA signs the CSR the first apply fetched and the certificate is saved at the path the
 * plan names (not those an issuer's sign step signed). Returns the files written (relative to
 * plan.json); a CSR not fetched yet is an error.
 */
export async function signServerCsrs(plan: CmsClusterPlan, planDir: string, ca: LabCa): Promise<string[]> {
  const written: string[] = [];
  // A certificate with an issuer was signed by its sign step in phase 1: the lab CA leaves it be.
  for (const cert of plan.certificates.filter((c) => c.awaitingSignature && !c.issuer)) {
    const csrName = `${cert.basename}.csr`;
    const download = plan.steps.find((s): s is DownloadFileStep => s.kind === 'download-file' && s.files.some((f) => f.name === csrName));
    const csrRef = download?.files.find((f) => f.name === csrName)?.file;
    if (!csrRef) throw new Error(`plan of ${plan.cluster.name}: no step fetches ${csrName}`);
    const csrFile = join(planDir, csrRef);
    if (!existsSync(csrFile)) throw new Error(`${csrRef} was not fetched: apply phase 1 of ${plan.cluster.name} first (step ${download!.id})`);
    const pem = await signCmsCsr(ca, readFileSync(csrFile, 'latin1'), csrRef);
    const target = join(planDir, cert.certificate.file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, pem);
    written.push(cert.certificate.file);
  }
  return written;
}
