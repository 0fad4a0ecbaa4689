/**
 * Certificate text helpers shared by the drivers: PEM blocks, SHA-256 fingerprints and the
 * few names the steps compare. Node's own X.509 parser: fast, nothing to load lazily.
 */
import { X509Certificate, createHash } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every `BEGIN CERTIFICATE` block of a text, normalised to LF line ends. */
export function pemBlocks(text: string): string[] {
  return (text.match(PEM_BLOCK) ?? []).map((b) => b.replace(/\r/g, ''));
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`;
}

/** The certificates of a file's content, PEM (any number of blocks) or a single DER. */
export function certificatePems(data: Buffer): string[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN')) return pemBlocks(text);
  return data.length > 0 ? [derToPem(data)] : [];
}

/** SHA-256 of the DER, lowercase hex without separators (the plan's form). */
export function sha256OfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

export function sha256OfPem(pem: string): string {
  return sha256OfDer(pemToDer(pem));
}

/** Any printed fingerprint (`AB:CD:…`, upper or lower case, spaces) to the plan's form. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/** Short form for messages: the first 16 hex digits. */
export function shortFingerprint(sha256: string): string {
  return normalizeFingerprint(sha256).slice(0, 16);
}

export interface CertificateNames {
  readonly sha256: string;
  readonly subjectCn: string;
  readonly issuerCn: string;
  /** Issuer CN = Subject CN: how the vendor tells a self-signed certificate (DOMAIN.md §3 clean-up). */
  readonly selfSigned: boolean;
}

export function certificateNames(pem: string): CertificateNames {
  const der = pemToDer(pem);
  const cert = new X509Certificate(der);
  const subjectCn = commonNameOf(cert.subject);
  const issuerCn = commonNameOf(cert.issuer);
  return { sha256: sha256OfDer(der), subjectCn, issuerCn, selfSigned: subjectCn !== '' && subjectCn === issuerCn };
}

/** CN of a DN in any of the printed forms: `CN=a, O=b`, one attribute per line, or `/CN=a/O=b`. */
export function commonNameOf(dn: string): string {
  const m = /(?:^|[,\n/]\s*)CN=([^,\n/]*)/.exec(dn);
  return m ? m[1].trim() : '';
}

/** The name a node gives a trust file: the subject CN with non `[A-Za-z0-9._-]` as `_`, plus `.pem`. */
export function trustFileName(subjectCn: string): string {
  return `${subjectCn.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`;
}
