/**
 * A minimal DER reader for the few X.509 fields lint needs. Parsing with @peculiar/x509
 * decodes every extension through its ASN.1 schema (about 600 certificates/s here); lint
 * reads names and signatures through Node's X509Certificate and only these bytes itself.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One tag-length-value: the value is `buf[valueStart, end)`. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
} as const;

/** Tag and length of the element at offset, or undefined when its header is cut short or malformed. */
function readHeader(buf: Buffer, offset: number): { tag: number; valueStart: number; length: number } | undefined {
  if (offset + 2 > buf.length) return undefined;
  const tag = buf[offset];
  let length = buf[offset + 1];
  let valueStart = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || valueStart + bytes > buf.length) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[valueStart + i];
    valueStart += bytes;
  }
  return { tag, valueStart, length };
}

export function readTlv(buf: Buffer, offset: number, limit = buf.length): Tlv {
  const header = readHeader(buf, offset);
  if (!header || header.valueStart > limit) throw new DerError(`malformed DER header at byte ${offset}`);
  if ((header.tag & 0x1f) === 0x1f) throw new DerError(`unsupported multi-byte DER tag at byte ${offset}`);
  const end = header.valueStart + header.length;
  if (end > limit) throw new DerError(`DER element at byte ${offset} runs past its container (truncated)`);
  return { tag: header.tag, start: offset, valueStart: header.valueStart, end };
}

/**
 * Whether the buffer is exactly one DER SEQUENCE: `ok`, `truncated` (shorter than its header
 * says), `trailing` (bytes after it) or `not-der` (no SEQUENCE header at all).
 */
export function derShape(der: Buffer): 'ok' | 'truncated' | 'trailing' | 'not-der' {
  const header = der[0] === Tag.SEQUENCE ? readHeader(der, 0) : undefined;
  if (!header) return 'not-der';
  const total = header.valueStart + header.length;
  return der.length < total ? 'truncated' : der.length > total ? 'trailing' : 'ok';
}

export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.valueStart; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function value(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.valueStart, tlv.end);
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found ${tlv ? `0x${tlv.tag.toString(16)}` : 'nothing'}`);
  return tlv;
}

/** Dotted form of an OBJECT IDENTIFIER value. */
export function decodeOid(bytes: Buffer): string {
  const parts: number[] = [];
  let n = 0;
  for (const b of bytes) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function decodeTime(buf: Buffer, tlv: Tlv): Date {
  const s = value(buf, tlv).toString('latin1');
  const m = tlv.tag === Tag.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new DerError(`unsupported time '${s}'`);
  let year = Number(m[1]);
  if (tlv.tag === Tag.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** The shape in words, for messages. */
export function describeShape(shape: ReturnType<typeof derShape>): string {
  switch (shape) {
    case 'truncated':
      return 'truncated: shorter than its DER header says';
    case 'trailing':
      return 'unexpected bytes after the DER body';
    case 'not-der':
      return 'neither PEM nor DER';
    default:
      return 'well-formed';
  }
}
