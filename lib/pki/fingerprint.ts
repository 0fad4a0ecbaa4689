/** SHA-256 fingerprints, the way the plan names certificates (lowercase hex, no separators). */
import { createHash } from 'node:crypto';
import { readCertificates } from './input';

/** SHA-256 of a certificate's DER; PEM is decoded first (its first certificate). */
export function sha256Fingerprint(der: Buffer | string): string {
  const buf = typeof der === 'string' ? Buffer.from(der, 'latin1') : der;
  const body = buf.includes('-----BEGIN') ? readCertificates(buf, 'certificate')[0] : buf;
  return createHash('sha256').update(body).digest('hex');
}

/** `AB:CD:…` form, as browsers and `openssl x509 -fingerprint -sha256` print it. */
export function colonFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/** Any printed fingerprint (`AB:CD:…`, upper or lower case, spaces) in the plan's form. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/** Short form for messages and logs: the first 16 hex digits. */
export function shortFingerprint(sha256: string): string {
  return normalizeFingerprint(sha256).slice(0, 16);
}
