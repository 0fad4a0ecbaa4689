/**
 * The rehearsal's real certificate path (issue 9): every CUCM / IM&P certificate the inventory
 * declares is issued, as in production: the plan has the twin's nodes generate the CSRs, an
 * issuer signs them at apply time, and the chain is installed. A certificate declared as a file
 * (signed elsewhere, its key not on any node) and, with `issuer: 'lab'`, every issued one too, is
 * issued by the lab CA (NOT FOR PRODUCTION). No leaf key of a CUCM / IM&P node is ever written
 * to the work folder: the keys stay in the nodes' state.
 *
 * The declarations stay where the inventory is (relative paths, the issuers' programs and their
 * working folder are the inventory's); only the lab CA and the Meeting Server lab files are in
 * the work folder, by absolute path.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { buildCmsCertificate, loadInventory } from '../inventory';
import type { IssuerDecl } from '../issuers/types';
import { CertificateDecl, Declarations } from '../model';
import { LabCaFiles, createLabCa, writeLabCa } from '../pki';
import { issueCmsLabCertificates } from './cms-lab-pki';
import type { LabCertificates } from './lab-pki';

/** The name of the rehearsal's lab CA and lab issuer. */
export const REHEARSAL_LAB = 'lab';

export interface IssuedLabOptions {
  /** `lab`: the lab issuer signs every certificate, also those declared with an issuer (one the rehearsal cannot reach). @default - the declared issuers */
  readonly issuer?: 'lab';
}

/** The declarations a rehearsal on the real path plans: certificates issued, the lab CA and issuer added. */
export async function issuedLabDeclarations(sourceInventory: string, workDir: string, opts: IssuedLabOptions = {}): Promise<LabCertificates> {
  const inventory = resolve(sourceInventory);
  const { declarations, baseDir } = loadInventory(inventory);
  const ca = await createLabCa({ intermediate: true, keyType: 'EC' });
  const caDir = join(workDir, 'ca');
  writeLabCa(ca, caDir);
  const keyDir = join(workDir, 'keys');
  const labCa = { name: REHEARSAL_LAB, root: join(caDir, LabCaFiles.ROOT_CERT), intermediates: [join(caDir, LabCaFiles.ISSUING_CERT)] };
  const labIssuer: IssuerDecl = { kind: 'lab', name: REHEARSAL_LAB, ca: caDir };
  const toLab = (c: CertificateDecl) => c.certificate !== undefined || opts.issuer === 'lab';
  const certificates = declarations.certificates.map((c): CertificateDecl => {
    if (!toLab(c)) return c;
    // A file's CN and CSR belong to the file: the lab request is the platform's own (the catalog's CN by release).
    const { certificate: _file, csr: _csr, commonName, ...rest } = c;
    return {
      ...rest,
      ...(c.issuer !== undefined && commonName !== undefined ? { commonName } : {}),
      issuer: REHEARSAL_LAB,
      renewalGeneration: c.renewalGeneration ?? 0,
      ca: REHEARSAL_LAB,
    };
  });
  // A Meeting Server key made on the server and declared with an issuer: that issuer signs it
  // at apply time (its own CA declared), or the lab issuer with `issuer: 'lab'`.
  const cmsIssued = (d: { issuer?: string; ca: string }) => (opts.issuer === 'lab' ? { issuer: REHEARSAL_LAB, ca: REHEARSAL_LAB } : { issuer: d.issuer!, ca: d.ca });
  const cms = (declarations.cmsClusters ?? []).length > 0 ? await cmsLabCertificates(declarations, inventory, ca, workDir, keyDir, cmsIssued) : undefined;
  const usesLab = certificates.some((c) => c.issuer === REHEARSAL_LAB) || (cms ?? []).some((c) => c.issuer === REHEARSAL_LAB);
  const result: Declarations = {
    ...declarations,
    certificateAuthorities: [...declarations.certificateAuthorities.filter((a) => a.name !== REHEARSAL_LAB), labCa],
    certificates,
    issuers: [...(declarations.issuers ?? []).filter((i) => i.name !== REHEARSAL_LAB), ...(usesLab ? [labIssuer] : [])],
    ...(cms ? { cmsCertificates: cms } : {}),
  };
  return { inventory, declarations: result, baseDir, keyDir, mode: 'on-node' };
}

/** Meeting Server certificates keep the file path of cms-lab-pki.ts (a Meeting Server takes a key file), by absolute path. */
async function cmsLabCertificates(
  declarations: Declarations,
  inventory: string,
  ca: Parameters<typeof issueCmsLabCertificates>[2],
  workDir: string,
  keyDir: string,
  issued: Parameters<typeof issueCmsLabCertificates>[6],
) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(workDir, 'csr'), { recursive: true });
  mkdirSync(join(workDir, 'certs'), { recursive: true });
  const raw = parse(readFileSync(inventory, 'utf8')) as Record<string, unknown>;
  const lab = await issueCmsLabCertificates(declarations, raw, ca, workDir, keyDir, dirname(inventory), issued);
  const absolute = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? join(workDir, p) : p);
  return lab.cmsCertificates.map((e, i) =>
    buildCmsCertificate(
      { ...e, certificate: absolute(e.certificate), ...(e.key !== undefined ? { key: absolute(e.key) } : {}) } as unknown as Parameters<typeof buildCmsCertificate>[0],
      `cmsCertificates[${i}]`,
    ),
  );
}
