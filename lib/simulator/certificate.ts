/**
 * Certificate facts the twin needs, read with Node's own X.509 parser (fast, no ASN.1 here):
 * PEM splitting, fingerprints in the vendor's and the plan's formats, trust file names,
 * and issuer lookup by name and signature.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { factsFromDer } from '../pki/facts';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate PEM block in the text, normalised to LF and a trailing newline. */
export function splitPem(text: string): string[] {
  return (text.match(PEM_BLOCK) ?? []).map(normalisePem);
}

export function normalisePem(block: string): string {
  const body = block.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/.{64}/g, '$&\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** A parsed certificate with the facts the vendor prints. */
export interface CertInfo {
  readonly pem: string;
  readonly x509: X509Certificate;
  /** SHA-256 of the DER, lowercase hex (the plan's format). */
  readonly sha256: string;
  /** `CN=…, O=…` on one line, as lib/pki prints it. */
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  /** Subject equals issuer and the certificate verifies with its own key. */
  readonly selfSigned: boolean;
}

/** Parses one PEM certificate; throws a short message (never the body) when it cannot. */
export function parseCert(pem: string): CertInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    throw new Error('Invalid certificate');
  }
  const facts = factsFromDer(x509.raw, 'certificate');
  return {
    pem: normalisePem(pem),
    x509,
    sha256: facts.sha256,
    subject: facts.subject,
    issuer: facts.issuer,
    commonName: facts.commonName,
    dnsNames: facts.dnsNames,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    selfSigned: x509.checkIssued(x509) && x509.verify(x509.publicKey),
  };
}

/** `AB:CD:…`: SHA-256 as the admin CLI prints it. */
export function colonFingerprint(sha256hex: string): string {
  return sha256hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Trust file name: subject CN with characters outside `[A-Za-z0-9._-]` replaced by `_`, plus `.pem`. */
export function trustFileName(cert: CertInfo): string {
  const base = cert.commonName || cert.sha256.slice(0, 16);
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`;
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
