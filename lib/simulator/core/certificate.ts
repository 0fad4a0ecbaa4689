/**
 * Certificate facts the twin needs, read with Node's own X.509 parser (fast, no ASN.1 here)
 * through lib/pki: the vendor's facts of a certificate, issuer lookup by name and signature,
 * key matching, and the labels and dates a node prints.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { Eku } from '../../catalog';
import { CertificateFacts } from '../../model';
import { factsFromDer } from '../../pki/facts';
import { shortFingerprint } from '../../pki/fingerprint';
import { KeyType } from '../../pki/keys';
import { PemLabel, toPem } from '../../pki/pem';
import { issueSelfSigned } from '../../pki/self-signed';

/** A parsed certificate with the facts the vendor prints (`subject` on one line, `sha256` in the plan's format). */
export interface CertInfo extends Pick<CertificateFacts, 'sha256' | 'subject' | 'issuer' | 'commonName' | 'dnsNames' | 'notBefore' | 'notAfter'> {
  /** Normalised PEM (LF, 64 columns, one trailing newline). */
  readonly pem: string;
  readonly x509: X509Certificate;
  /** Subject equals issuer and the certificate verifies with its own key. */
  readonly selfSigned: boolean;
}

/** The subject attributes after the CN of what a simulated node makes itself: its self-signed certificates and its CSRs. */
export const NODE_OU = 'Simulated';
export const NODE_O = 'ucrollout digital twin';
/** Server and client authentication: what a node's own certificates and CSRs ask for. */
export const NODE_EKU: readonly string[] = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH];
const NODE_SELF_SIGNED_DAYS = 3650;

/** A node's own self-signed certificate (PEM) on its key, as it makes one at install: valid ten years from now. */
export async function nodeSelfSigned(commonName: string, dnsNames: readonly string[], key: { readonly pem: string; readonly type: KeyType }): Promise<string> {
  const { certPem } = await issueSelfSigned({
    commonName,
    dnsNames,
    keyType: key.type,
    keyPem: key.pem,
    organizationalUnit: NODE_OU,
    organization: NODE_O,
    notBefore: new Date(Date.now() - 60_000),
    days: NODE_SELF_SIGNED_DAYS,
  });
  return certPem;
}

/** Parses one PEM certificate; throws a short message (never the body) when it cannot. */
export function parseCert(pem: string): CertInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    throw new Error('Invalid certificate');
  }
  const { sha256, subject, issuer, commonName, dnsNames, notBefore, notAfter } = factsFromDer(x509.raw, 'certificate');
  return {
    pem: toPem(x509.raw, PemLabel.CERTIFICATE),
    x509,
    sha256,
    subject,
    issuer,
    commonName,
    dnsNames,
    notBefore,
    notAfter,
    selfSigned: x509.checkIssued(x509) && x509.verify(x509.publicKey),
  };
}

/** Every certificate parsed, or undefined when one of them is unreadable (a node refuses the whole upload). */
export function parseAll(pems: readonly string[]): CertInfo[] | undefined {
  try {
    return pems.map(parseCert);
  } catch {
    return undefined;
  }
}

/** The certificate among `candidates` that issued `cert` (name match and signature), if any. */
export function findIssuer(cert: CertInfo, candidates: readonly CertInfo[]): CertInfo | undefined {
  return candidates.find((c) => c.sha256 !== cert.sha256 && cert.x509.checkIssued(c.x509) && cert.x509.verify(c.x509.publicKey));
}

/**
 * Walks from `leaf` through issuers found in `store` up to a self-signed root. Returns
 * undefined when an issuer is missing: the vendor's "CA Certificate is Not Available".
 */
export function chainToRoot(leaf: CertInfo, store: readonly CertInfo[]): CertInfo[] | undefined {
  const path: CertInfo[] = [];
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (current.selfSigned) return path;
    const issuer = findIssuer(current, store);
    if (!issuer) return undefined;
    path.push(issuer);
    current = issuer;
  }
  return undefined;
}

/**
 * The chain the node presents: the leaf, then the uploaded intermediates in issuer order
 * (whatever order they were pasted in), leaving out self-signed roots.
 */
export function presentationOrder(leaf: CertInfo, uploaded: readonly CertInfo[]): CertInfo[] {
  const rest = uploaded.filter((c) => !c.selfSigned && c.sha256 !== leaf.sha256);
  const ordered: CertInfo[] = [leaf];
  let current = leaf;
  for (;;) {
    const next = findIssuer(current, rest.filter((c) => !ordered.includes(c)));
    if (!next) break;
    ordered.push(next);
    current = next;
  }
  return [...ordered, ...rest.filter((c) => !ordered.includes(c))];
}

/** SubjectPublicKeyInfo DER (hex) of a certificate or of a private key's public half: matches a key to a certificate. */
export function spkiOfCert(cert: CertInfo): string {
  return cert.x509.publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
}

export function spkiOfPrivateKey(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }).toString('hex');
}

export function keyTypeOf(cert: CertInfo): 'RSA' | 'EC' {
  return cert.x509.publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
}

/** The date format `show cert` prints. */
export function vendorDate(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', 'UTC');
}

/** `CN (self-signed, sha256 1a2b…)` or `CN (signed by Issuer CN, sha256 1a2b…)`: how `sim status` names what a port presents. */
export function identityLabel(subject: string, issuer: string, selfSigned: boolean, sha256: string): string {
  const cn = (dn: string): string => /(?:^|, )CN=([^,]*)/.exec(dn)?.[1] ?? dn;
  return `${cn(subject)} (${selfSigned ? 'self-signed' : `signed by ${cn(issuer)}`}, sha256 ${shortFingerprint(sha256)}…)`;
}
