/**
 * The names a node gives a certificate and compares it by: subject and issuer CN, the
 * vendor's test for self-signed (Issuer CN = Subject CN), and the name of a trust file.
 * Node's own X.509 parser: fast, nothing to load lazily.
 */
import { X509Certificate } from 'node:crypto';
import { sha256Fingerprint } from './fingerprint';

export interface CertificateNames {
  readonly sha256: string;
  readonly subjectCn: string;
  readonly issuerCn: string;
  /** Issuer CN = Subject CN: how the vendor tells a self-signed certificate (DOMAIN.md §3 clean-up). */
  readonly selfSigned: boolean;
}

/** The names of one PEM certificate; throws when it is not readable. */
export function certificateNames(pem: string): CertificateNames {
  const cert = new X509Certificate(pem);
  const subjectCn = commonNameOf(cert.subject);
  const issuerCn = commonNameOf(cert.issuer);
  return { sha256: sha256Fingerprint(cert.raw), subjectCn, issuerCn, selfSigned: subjectCn !== '' && subjectCn === issuerCn };
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
