/**
 * PEM and DER, the wire formats certificates, keys and CSRs arrive in: any number of
 * blocks, LF or CRLF line ends, text around the blocks (as `openssl x509 -text` leaves it).
 */
import { PkiInputError } from './errors';

export interface PemBlock {
  /** The word(s) between BEGIN and the dashes, e.g. `CERTIFICATE`, `PRIVATE KEY`. */
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const PemLabel = {
  CERTIFICATE: 'CERTIFICATE',
  X509_CERTIFICATE: 'X509 CERTIFICATE',
  TRUSTED_CERTIFICATE: 'TRUSTED CERTIFICATE',
  PKCS7: 'PKCS7',
  CMS: 'CMS',
  CERTIFICATE_REQUEST: 'CERTIFICATE REQUEST',
  NEW_CERTIFICATE_REQUEST: 'NEW CERTIFICATE REQUEST',
  PRIVATE_KEY: 'PRIVATE KEY',
} as const;

export function isPem(data: Buffer): boolean {
  return data.includes('-----BEGIN');
}

/** Every PEM block of the text; throws on a block cut short or with broken base64. */
export function pemBlocks(data: Buffer, label: string): PemBlock[] {
  const text = data.toString('latin1');
  const blocks: PemBlock[] = [];
  let count = 0;
  for (const m of text.matchAll(BLOCK)) {
    count++;
    const [, begin, body, end] = m;
    if (begin !== end) {
      throw new PkiInputError(`${label}: PEM block ${count} begins '${begin}' but ends '${end}': the file is damaged, export it again`);
    }
    if (/^[A-Za-z-]+:/m.test(body)) {
      throw new PkiInputError(`${label}: PEM block ${count} (${begin}) has headers, which means it is encrypted: give it unencrypted`);
    }
    const b64 = body.replace(/\s+/g, '');
    if (!BASE64.test(b64) || b64.length % 4 !== 0) {
      throw new PkiInputError(`${label}: PEM block ${count} (${begin}) is not valid base64 (truncated or damaged): export the file again`);
    }
    blocks.push({ label: begin, der: Buffer.from(b64, 'base64') });
  }
  const begins = (text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length;
  if (begins > count) {
    throw new PkiInputError(`${label}: a PEM block has a BEGIN line without its END line (the file is truncated): export it again`);
  }
  return blocks;
}

/** PEM text of one DER body: 64-column base64, LF line ends, one newline at the end. */
export function toPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The certificates of a text, or of a file's bytes, as PEM normalised the way toPem writes
 * it: every `BEGIN CERTIFICATE` block; bytes that are not PEM are one DER certificate (a string
 * is always text). Lenient, unlike pemBlocks: a damaged block comes back as it is and fails
 * where it is parsed, so a node or a driver can answer with its own message.
 */
export function certificatePems(data: Buffer | string): string[] {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  if (typeof data === 'string' || text.includes('-----BEGIN')) return (text.match(CERTIFICATE_BLOCK) ?? []).map(normalizeCertificateBlock);
  return data.length > 0 ? [toPem(data, PemLabel.CERTIFICATE)] : [];
}

/** One block's base64 re-wrapped at 64 columns, LF line ends, without decoding it. */
function normalizeCertificateBlock(block: string): string {
  const body = block.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN ${PemLabel.CERTIFICATE}-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${PemLabel.CERTIFICATE}-----\n`;
}
