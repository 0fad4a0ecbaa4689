/**
 * A lab CA for rehearsals and tests: a root, optionally an issuing intermediate, and
 * signing of CSRs into leafs with the purpose's extensions. Every certificate it makes says
 * NOT FOR PRODUCTION in its organization.
 */
import { X509Certificate as NodeCertificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Eku, KeyUsageBit, findPurpose, purposeNames } from '../catalog';
import { keyUsageFlags, keyUsageNames } from './certificate';
import { PkiInputError } from './errors';
import { readCsr } from './input';
import { Signer, addDays, issueCertificate } from './issue';
import { KeySpec, KeyType, generateKeyPair, importKeyPair, privateKeyPem } from './keys';
import { Oid } from './oids';
import { PemLabel, toPem } from './pem';
import { purposeUsage } from './purpose-usage';
import { writeSecretFile } from './secret-file';
import { x509, X509 } from './x509';

export const LAB_CA_ORGANIZATION = 'uc-cert-rollout LAB CA - NOT FOR PRODUCTION';

/** File names of a lab CA folder; with no intermediate, issuing.* is the root again. */
export const LabCaFiles = {
  ROOT_CERT: 'root.pem',
  ROOT_KEY: 'root.key',
  ISSUING_CERT: 'issuing.pem',
  ISSUING_KEY: 'issuing.key',
} as const;

export interface LabCaCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM private key: files holding it get mode 0600. */
  readonly keyPem: string;
}

export interface LabCa {
  readonly root: LabCaCertificate;
  /** The issuing CA the root signed; leafs are signed by it when present, else by the root. */
  readonly intermediate?: LabCaCertificate;
}

export interface CreateLabCaOptions {
  /** @default 'uc-cert-rollout Lab Root CA' */
  readonly commonName?: string;
  /** Add an issuing intermediate under the root. @default false */
  readonly intermediate?: boolean;
  /** @default 'EC' (P-256: fast to generate) */
  readonly keyType?: KeyType;
}

export interface SignCsrOptions {
  /** Purpose from the catalog: decides key usage, extended key usage and basicConstraints. */
  readonly purpose: string;
  /** @default 365 */
  readonly days?: number;
  /** @default - one minute ago (clock skew between this machine and the nodes) */
  readonly notBefore?: Date;
  /** How error messages name the CSR (its file path). @default 'CSR' */
  readonly csrLabel?: string;
}

const ROOT_DAYS = 3650;
const INTERMEDIATE_DAYS = 1825;
/** Leaf bits a CSR may ask for; CA bits come only from the purpose (CAPF). */
const LEAF_KEY_USAGE: readonly string[] = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'];
const LEAF_EKU: readonly string[] = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.IPSEC_END_SYSTEM];

/** The CA that signs leafs. */
export function issuingCa(ca: LabCa): LabCaCertificate {
  return ca.intermediate ?? ca.root;
}

export async function createLabCa(opts: CreateLabCaOptions = {}): Promise<LabCa> {
  const spec: KeySpec = { keyType: opts.keyType ?? 'EC', keySize: 2048, curve: 'P-256' };
  const rootName = caName(opts.commonName ?? 'uc-cert-rollout Lab Root CA');
  const notBefore = addDays(new Date(), -1);
  const rootKeys = await generateKeyPair(spec);
  const rootSigner: Signer = { name: rootName, keys: rootKeys, spec };
  const root = await issueCertificate({
    subject: rootName,
    publicKey: rootKeys.publicKey,
    signer: rootSigner,
    notBefore,
    notAfter: addDays(notBefore, ROOT_DAYS),
    extensions: caExtensions(opts.intermediate ? 1 : 0),
  });
  const rootCa = { certPem: toPem(root.rawData, PemLabel.CERTIFICATE), keyPem: await privateKeyPem(rootKeys.privateKey) };
  if (!opts.intermediate) return { root: rootCa };

  const keys = await generateKeyPair(spec);
  const name = caName(`${opts.commonName ?? 'uc-cert-rollout Lab'} Issuing CA`);
  const intermediate = await issueCertificate({
    subject: name,
    publicKey: keys.publicKey,
    signer: { ...rootSigner, name: root.subjectName },
    notBefore,
    notAfter: addDays(notBefore, INTERMEDIATE_DAYS),
    extensions: caExtensions(0),
  });
  return {
    root: rootCa,
    intermediate: { certPem: toPem(intermediate.rawData, PemLabel.CERTIFICATE), keyPem: await privateKeyPem(keys.privateKey) },
  };
}

/** Writes root.pem, root.key, issuing.pem, issuing.key into the folder; keys with mode 0600. */
export function writeLabCa(ca: LabCa, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const issuing = issuingCa(ca);
  writeFileSync(join(dir, LabCaFiles.ROOT_CERT), ca.root.certPem);
  writeSecretFile(join(dir, LabCaFiles.ROOT_KEY), ca.root.keyPem);
  writeFileSync(join(dir, LabCaFiles.ISSUING_CERT), issuing.certPem);
  writeSecretFile(join(dir, LabCaFiles.ISSUING_KEY), issuing.keyPem);
}

/** Reads a folder written by writeLabCa, checking each key belongs to its certificate. */
export function loadLabCa(dir: string): LabCa {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'latin1');
    } catch (e) {
      throw new PkiInputError(`lab CA '${dir}': cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): create the CA with 'ucrollout ca init --out ${dir}'`);
    }
  };
  const pair = (certFile: string, keyFile: string): LabCaCertificate => {
    const certPem = read(certFile);
    const keyPem = read(keyFile);
    let matches: boolean;
    try {
      matches = new NodeCertificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
    } catch (e) {
      throw new PkiInputError(`lab CA '${dir}': ${certFile} or ${keyFile} is not readable (${(e as Error).message}): create the CA again with 'ucrollout ca init'`);
    }
    if (!matches) throw new PkiInputError(`lab CA '${dir}': ${keyFile} is not the key of ${certFile}: restore the pair, or create the CA again`);
    return { certPem, keyPem };
  };
  const root = pair(LabCaFiles.ROOT_CERT, LabCaFiles.ROOT_KEY);
  const issuing = pair(LabCaFiles.ISSUING_CERT, LabCaFiles.ISSUING_KEY);
  const sameAsRoot = new NodeCertificate(issuing.certPem).fingerprint256 === new NodeCertificate(root.certPem).fingerprint256;
  return sameAsRoot ? { root } : { root, intermediate: issuing };
}

/**
 * Signs a CSR into a leaf PEM. Copies only the subject, subjectAltName and leaf key usages
 * from the CSR (a CSR can ask for CA:TRUE); key usage and EKU of the purpose are always set.
 */
export async function signCsr(ca: LabCa, csrPem: string, opts: SignCsrOptions): Promise<string> {
  const purpose = findPurpose(opts.purpose);
  if (!purpose) throw new PkiInputError(`Unknown certificate purpose '${opts.purpose}': use one of ${purposeNames().join(', ')}`);
  const days = opts.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new PkiInputError(`days must be a whole number from 1 to 3650, got ${JSON.stringify(opts.days)}`);
  const label = opts.csrLabel ?? 'CSR';
  const csr = readCsr(Buffer.from(csrPem, 'latin1'), label);
  if (!(await csr.verify())) throw new PkiInputError(`${label}: its signature does not verify (damaged, or edited after signing): generate the CSR again`);
  const csrKeyType = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }).asymmetricKeyType;
  const keyType = csrKeyType === 'rsa' ? 'RSA' : csrKeyType === 'ec' ? 'EC' : undefined;
  if (keyType !== purpose.keyType) {
    throw new PkiInputError(`${label} ('${csr.subject}') has an ${keyType ?? csrKeyType} key but purpose ${purpose.name} needs ${purpose.keyType}: generate the CSR for the right purpose`);
  }

  const usage = purposeUsage(purpose, keyType);
  const ku = new Set<string>(usage.keyUsage);
  const csrKu = csr.getExtension(Oid.KEY_USAGE);
  if (csrKu) for (const bit of keyUsageNames(new x509.KeyUsagesExtension(csrKu.rawData).usages)) if (LEAF_KEY_USAGE.includes(bit)) ku.add(bit);
  if (keyType === 'EC') (['keyEncipherment', 'dataEncipherment'] as KeyUsageBit[]).forEach((b) => ku.delete(b));
  const eku = new Set<string>(usage.eku);
  const csrEku = csr.getExtension(Oid.EXTENDED_KEY_USAGE);
  if (csrEku) for (const oid of new x509.ExtendedKeyUsageExtension(csrEku.rawData).usages) if (LEAF_EKU.includes(String(oid))) eku.add(String(oid));

  // CAPF issues phone certificates, so it is signed as a subordinate CA (keyCertSign, CA:TRUE, no further CA below).
  const isCapf = purpose.family === 'CAPF';
  const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(isCapf, isCapf ? 0 : undefined, true)];
  const san = csr.getExtension(Oid.SUBJECT_ALT_NAME);
  if (san) extensions.push(san);
  extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(ku), true), new x509.ExtendedKeyUsageExtension([...eku], false));

  const issuing = issuingCa(ca);
  const issuingCert = new x509.X509Certificate(issuing.certPem);
  const { keys, spec } = await importKeyPair(issuing.keyPem);
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const leaf = await issueCertificate({
    subject: csr.subjectName,
    publicKey: csr.publicKey,
    signer: { name: issuingCert.subjectName, keys, spec },
    notBefore,
    notAfter: addDays(notBefore, days),
    extensions,
  });
  return toPem(leaf.rawData, PemLabel.CERTIFICATE);
}

function caName(commonName: string): string {
  if (/[,=+<>#;\\"]/.test(commonName)) throw new PkiInputError(`lab CA common name must not hold , = + < > # ; \\ or ", got ${JSON.stringify(commonName)}`);
  return `CN=${commonName}, O=${LAB_CA_ORGANIZATION}`;
}

function caExtensions(pathLength: number): X509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
  ];
}
