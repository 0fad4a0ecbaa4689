/**
 * The cryptography behind the MMP `pki` commands: keys (RSA-2048, as the server makes them),
 * CSRs, self-signed CA certificates, signing a CSR with a CA made on the server, key/certificate
 * match and chain verification against a bundle. Never returns or prints a private key.
 */
import { createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { CertInfo, parseCert, spkiOfCert, spkiOfPrivateKey, splitPem } from './certificate';
import { importKeyPair } from './self-signed';
import { x509 } from './x509-provider';

/** Subject fields of `pki csr` / `pki selfsigned`, in the order of their syntax. */
export interface CmsSubject {
  readonly CN: string;
  readonly OU?: string;
  readonly O?: string;
  readonly ST?: string;
  readonly C?: string;
}

const SUBJECT_FIELDS = ['CN', 'OU', 'O', 'ST', 'C'] as const;
const EKU_SERVER_CLIENT = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'];
const DAY_MS = 24 * 3600 * 1000;
/** The server's own CA and what it signs: long enough never to expire during a rehearsal. */
export const CMS_SIGNED_DAYS = 2 * 365;
export const CMS_CA_DAYS = 10 * 365;

/** A new RSA-2048 key as PKCS#8 PEM (off the event loop). */
export function newRsaKey(): Promise<string> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _pub, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function jsonName(subject: CmsSubject): x509.JsonName {
  return SUBJECT_FIELDS.filter((f) => subject[f]).map((f) => ({ [f]: [subject[f]!] }));
}

function altNames(names: readonly string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(
    names.map((value) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':')
        ? { type: 'ip' as const, value }
        : value.includes('@')
          ? { type: 'email' as const, value }
          : { type: 'dns' as const, value },
    ),
  );
}

function signingAlgorithm(keys: CryptoKeyPair): Algorithm {
  return keys.privateKey.algorithm.name === 'ECDSA' ? ({ name: 'ECDSA', hash: 'SHA-256' } as Algorithm) : ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm);
}

function usage(keys: CryptoKeyPair, ca: boolean): number {
  const ec = keys.privateKey.algorithm.name === 'ECDSA';
  const base = x509.KeyUsageFlags.digitalSignature | (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment);
  return ca ? base | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : base;
}

/** `pki csr`: a PKCS#10 request for the subject and SANs, signed with the key. */
export async function makeCsr(keyPem: string, subject: CmsSubject, sans: readonly string[]): Promise<string> {
  const keys = await importKeyPair(keyPem);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: jsonName(subject),
    keys,
    signingAlgorithm: signingAlgorithm(keys),
    extensions: [...(sans.length ? [altNames(sans)] : []), new x509.ExtendedKeyUsageExtension(EKU_SERVER_CLIENT)],
  });
  return csr.toString('pem');
}

/** `pki selfsigned`: a self-signed certificate that can also sign (the database CA `dbca`). */
export async function makeSelfSigned(keyPem: string, subject: CmsSubject, sans: readonly string[], days = CMS_CA_DAYS): Promise<string> {
  const keys = await importKeyPair(keyPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(8).toString('hex'),
    name: jsonName(subject),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: signingAlgorithm(keys),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(usage(keys, true), true),
      new x509.ExtendedKeyUsageExtension(EKU_SERVER_CLIENT),
      ...(sans.length ? [altNames(sans)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem');
}

export type SignResult = { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly error: string };

/** `pki sign`: the CSR's subject and SANs (nothing else it asks for), signed by the CA. */
export async function signCsr(csrPem: string, caCertPem: string, caKeyPem: string, days = CMS_SIGNED_DAYS): Promise<SignResult> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    return { ok: false, error: 'the CSR file is not a certificate signing request' };
  }
  if (!(await csr.verify())) return { ok: false, error: 'the CSR signature does not verify' };
  if (!keyMatchesCertificate(caKeyPem, caCertPem)) return { ok: false, error: 'the CA key does not belong to the CA certificate' };
  const ca = new x509.X509Certificate(caCertPem);
  const caKeys = await importKeyPair(caKeyPem);
  const ec = csr.publicKey.algorithm.name === 'ECDSA';
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02' + randomBytes(8).toString('hex'),
    subject: csr.subject,
    issuer: ca.subject,
    publicKey: csr.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signingAlgorithm(caKeys),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment), true),
      new x509.ExtendedKeyUsageExtension(EKU_SERVER_CLIENT),
      ...(san ? [san] : []),
    ],
  });
  return { ok: true, pem: cert.toString('pem') };
}

/** True when the private key's public half is the certificate's key. */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  try {
    return spkiOfPrivateKey(keyPem) === spkiOfCert(parseCert(certPem));
  } catch {
    return false;
  }
}

/** A readable private key's description (type and size), or undefined. */
export function describeKey(keyPem: string): string | undefined {
  try {
    const key = createPrivateKey(keyPem);
    const d = key.asymmetricKeyDetails;
    return key.asymmetricKeyType === 'rsa' ? `RSA ${d?.modulusLength ?? '?'} bits` : `${(key.asymmetricKeyType ?? 'unknown').toUpperCase()} ${d?.namedCurve ?? ''}`.trim();
  } catch {
    return undefined;
  }
}

/** The certificates of a PEM file, parsed; undefined when there is none or one is unreadable. */
export function certificatesOf(text: string): CertInfo[] | undefined {
  const blocks = splitPem(text);
  if (blocks.length === 0) return undefined;
  try {
    return blocks.map(parseCert);
  } catch {
    return undefined;
  }
}

export function validity(cert: CertInfo, now = Date.now()): 'valid' | 'expired' | 'not yet valid' {
  if (now < Date.parse(cert.notBefore)) return 'not yet valid';
  if (now > Date.parse(cert.notAfter)) return 'expired';
  return 'valid';
}

/**
 * `pki verify <crt> <bundle>` as `openssl verify -CAfile bundle`: from the certificate through
 * issuers found in the bundle to a self-signed root that is in the bundle, every one in its dates.
 * Returns undefined when it verifies, else the reason.
 */
export function verifyAgainstBundle(leaf: CertInfo, bundle: readonly CertInfo[], now = Date.now()): string | undefined {
  let current = leaf;
  const inBundle = (c: CertInfo): boolean => bundle.some((b) => b.sha256 === c.sha256);
  for (let depth = 0; depth < 10; depth++) {
    const state = validity(current, now);
    if (state !== 'valid') return `${current.subject}: certificate is ${state === 'expired' ? 'expired' : 'not yet valid'}`;
    if (current.selfSigned) return inBundle(current) ? undefined : `${current.subject}: self-signed certificate not in the bundle`;
    const x = current.x509;
    const issuer = bundle.find((c) => c.sha256 !== current.sha256 && x.checkIssued(c.x509) && x.verify(c.x509.publicKey));
    if (!issuer) return `${current.subject}: unable to get issuer certificate from the bundle`;
    current = issuer;
  }
  return 'certificate chain too long';
}

