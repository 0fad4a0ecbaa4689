/**
 * The cryptography behind the MMP `pki` commands: keys (RSA-2048, as the server makes them),
 * CSRs, self-signed CA certificates, signing a CSR with a CA made on the server, key/certificate
 * match and chain verification against a bundle. Never returns or prints a private key.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { Eku } from '../../catalog';
import { csrForKey, subjectAltNames } from '../../pki/csr';
import { Signer, issueCertificate } from '../../pki/issue';
import { generateKeyPem, importKeyPair } from '../../pki/keys';
import { certificatePems } from '../../pki/pem';
import { X509, x509 } from '../../pki/x509';
import { CertInfo, findIssuer, parseAll, parseCert, spkiOfCert, spkiOfPrivateKey } from '../core/certificate';

/** Subject fields of `pki csr` / `pki selfsigned`, in the order of their syntax. */
export interface CmsSubject {
  readonly CN: string;
  readonly OU?: string;
  readonly O?: string;
  readonly ST?: string;
  readonly C?: string;
}

const SUBJECT_FIELDS = ['CN', 'OU', 'O', 'ST', 'C'] as const;
const EKU_SERVER_CLIENT = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH];
const DAY_MS = 24 * 3600 * 1000;
/** The server's own CA and what it signs: long enough never to expire during a rehearsal. */
export const CMS_SIGNED_DAYS = 2 * 365;
export const CMS_CA_DAYS = 10 * 365;

/** A new RSA-2048 key as PKCS#8 PEM, as the server makes them. */
export function newRsaKey(): Promise<string> {
  return generateKeyPem({ keyType: 'RSA', keySize: 2048 });
}

function subjectAttributes(subject: CmsSubject): [string, string][] {
  return SUBJECT_FIELDS.filter((f) => subject[f]).map((f) => [f, subject[f]!]);
}

/**
 * What the server signs, its own CA or a CSR's subject: a serial with the server's prefix,
 * valid from a minute ago for `days`, CA or not (critical), key usage for the subject's key
 * (critical; a CA can also sign certificates and CRLs), server and client authentication.
 */
async function issue(p: {
  readonly serialPrefix: string;
  readonly subject: string | X509.Name;
  readonly publicKey: CryptoKey | X509.PublicKey;
  readonly subjectKeyEc: boolean;
  readonly signer: Signer;
  readonly days: number;
  readonly ca: boolean;
  readonly san?: X509.Extension;
}): Promise<string> {
  const now = Date.now();
  const usage = x509.KeyUsageFlags.digitalSignature | (p.subjectKeyEc ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment);
  const cert = await issueCertificate({
    serialNumber: p.serialPrefix + randomBytes(8).toString('hex'),
    subject: p.subject,
    publicKey: p.publicKey,
    signer: p.signer,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + p.days * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(p.ca, undefined, true),
      new x509.KeyUsagesExtension(p.ca ? usage | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : usage, true),
      new x509.ExtendedKeyUsageExtension(EKU_SERVER_CLIENT),
      ...(p.san ? [p.san] : []),
    ],
  });
  return cert.toString('pem');
}

/** `pki csr`: a PKCS#10 request for the subject and SANs, signed with the key. */
export function makeCsr(keyPem: string, subject: CmsSubject, sans: readonly string[]): Promise<string> {
  return csrForKey({ subject: subjectAttributes(subject), altNames: sans, extendedKeyUsage: EKU_SERVER_CLIENT, keyPem });
}

/** `pki selfsigned`: a self-signed certificate that can also sign (the database CA `dbca`). */
export async function makeSelfSigned(keyPem: string, subject: CmsSubject, sans: readonly string[], days = CMS_CA_DAYS): Promise<string> {
  const { keys, spec } = await importKeyPair(keyPem);
  const name = new x509.Name(subjectAttributes(subject).map(([field, value]) => ({ [field]: [value] })));
  const signer: Signer = { name, keys, spec };
  return issue({ serialPrefix: '01', subject: name, publicKey: keys.publicKey, subjectKeyEc: spec.keyType === 'EC', signer, days, ca: true, san: sans.length ? subjectAltNames(sans) : undefined });
}

export type SignResult = { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly error: string };

/** `pki sign`: the CSR's subject and SANs (nothing else it asks for), signed by the CA. */
export async function signCsr(csrPem: string, caCertPem: string, caKeyPem: string, days = CMS_SIGNED_DAYS): Promise<SignResult> {
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    return { ok: false, error: 'the CSR file is not a certificate signing request' };
  }
  if (!(await csr.verify())) return { ok: false, error: 'the CSR signature does not verify' };
  if (!keyMatchesCertificate(caKeyPem, caCertPem)) return { ok: false, error: 'the CA key does not belong to the CA certificate' };
  const signer: Signer = { name: new x509.X509Certificate(caCertPem).subject, ...(await importKeyPair(caKeyPem)) };
  const san = csr.extensions.find((e): e is X509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const pem = await issue({ serialPrefix: '02', subject: csr.subject, publicKey: csr.publicKey, subjectKeyEc: csr.publicKey.algorithm.name === 'ECDSA', signer, days, ca: false, san });
  return { ok: true, pem };
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
  const blocks = certificatePems(text);
  return blocks.length > 0 ? parseAll(blocks) : undefined;
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
    const issuer = findIssuer(current, bundle);
    if (!issuer) return `${current.subject}: unable to get issuer certificate from the bundle`;
    current = issuer;
  }
  return 'certificate chain too long';
}

