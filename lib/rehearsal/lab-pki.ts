/**
 * A rehearsal's certificates: a lab CA (not for production) signs, from CSRs made the way
 * the platform makes them, every certificate the inventory declares (CUCM / IM&P, and Meeting
 * Server: cms-lab-pki.ts; keys made on a Meeting Server are signed after the first apply).
 * Writes a copy of the inventory that points at them, so the rehearsal plans exactly the
 * declared change.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadInventory } from '../inventory';
import { Declarations } from '../model';
import { LabCaFiles, createLabCa, generateCsr, loadLabCa, signCsr, writeLabCa, writeSecretFile } from '../pki';
import { issueCmsLabCertificates } from './cms-lab-pki';

export interface LabCertificates {
  /** The rewritten inventory (in the work folder). */
  readonly inventory: string;
  readonly declarations: Declarations;
  readonly baseDir: string;
  /**
   * Key-folder mode: the folder holding the leaf keys the twin is told to search (a test
   * convenience, not how a node behaves). On-node mode (./issued-lab.ts): no CUCM / IM&P leaf
   * key is ever written there (only Meeting Server keys, which that platform takes as files).
   */
  readonly keyDir: string;
  /**
   * `on-node`: the certificates are issued (CSR on the node, signed at apply time), `inventory`
   * is the source inventory and `declarations` are planned from `baseDir`; `key-folder` (the
   * default): leaves signed here from CSRs made here, in a rewritten inventory.
   */
  readonly mode?: 'key-folder' | 'on-node';
}

export async function issueLabCertificates(sourceInventory: string, workDir: string): Promise<LabCertificates> {
  const { declarations } = loadInventory(sourceInventory);
  const sourceDir = dirname(resolve(sourceInventory));
  const raw = parse(readFileSync(sourceInventory, 'utf8')) as Record<string, any>;
  const ca = await createLabCa({ intermediate: true, keyType: 'EC' });
  writeLabCa(ca, join(workDir, 'ca'));
  const keyDir = join(workDir, 'keys');
  mkdirSync(join(workDir, 'csr'), { recursive: true });
  mkdirSync(join(workDir, 'certs'), { recursive: true });

  const certificates = [];
  for (const decl of declarations.certificates) {
    const cluster = declarations.clusters.find((c) => c.name === decl.cluster)!;
    const csr = await generateCsr({ cluster, purpose: decl.purpose, distribution: decl.distribution, node: decl.node, commonName: decl.commonName });
    writeSecretFile(join(keyDir, `${csr.name}.key`), csr.keyPem);
    writeFileSync(join(workDir, 'csr', `${csr.name}.csr`), csr.csrPem);
    writeFileSync(join(workDir, 'certs', `${csr.name}.pem`), await signCsr(ca, csr.csrPem, { purpose: decl.purpose }));
    certificates.push({ ...withoutUndefined(decl), ca: 'lab', certificate: `certs/${csr.name}.pem`, csr: `csr/${csr.name}.csr` });
  }
  const absolute = (p: string) => (isAbsolute(p) ? p : join(sourceDir, p));
  const cms = raw.cmsClusters ? await issueCmsLabCertificates(declarations, raw, ca, workDir, keyDir, sourceDir) : undefined;
  const inventory = join(workDir, 'inventory.yaml');
  const rewritten = {
    ...(raw.clusters ? { clusters: raw.clusters } : {}),
    certificateAuthorities: [{ name: 'lab', root: `ca/${LabCaFiles.ROOT_CERT}`, intermediates: [`ca/${LabCaFiles.ISSUING_CERT}`] }],
    certificates,
    ...(raw.trustEntries ? { trustEntries: (raw.trustEntries as any[]).map((t) => ({ ...t, certificate: absolute(t.certificate) })) } : {}),
    ...(cms ? { cmsClusters: cms.cmsClusters, cmsCertificates: cms.cmsCertificates } : {}),
  };
  writeFileSync(inventory, `# Rehearsal copy of ${sourceInventory}: certificates from the lab CA (NOT FOR PRODUCTION)\n${stringify(rewritten)}`);
  const loaded = loadInventory(inventory);
  return { inventory, declarations: loaded.declarations, baseDir: loaded.baseDir, keyDir };
}

/** Issues a fresh certificate (new key, new CSR) for declared certificate `index`, over the old files: a certificate change. */
export async function reissueLabCertificate(lab: LabCertificates, index: number): Promise<string> {
  const decl = lab.declarations.certificates[index];
  const cluster = lab.declarations.clusters.find((c) => c.name === decl.cluster)!;
  const csr = await generateCsr({ cluster, purpose: decl.purpose, distribution: decl.distribution, node: decl.node, commonName: decl.commonName });
  const ca = loadLabCa(join(lab.baseDir, 'ca'));
  writeSecretFile(join(lab.keyDir, `${csr.name}.key`), csr.keyPem);
  writeFileSync(join(lab.baseDir, decl.csr!), csr.csrPem);
  writeFileSync(join(lab.baseDir, decl.certificate!), await signCsr(ca, csr.csrPem, { purpose: decl.purpose }));
  return decl.certificate!;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
