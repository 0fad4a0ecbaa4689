/**
 * The X.509 fields lint reads that Node's X509Certificate does not expose (RFC 5280 §4.1,
 * §4.2): signature algorithm, validity, SubjectPublicKeyInfo, and the extensions it checks.
 */
import { DerError, Tag, Tlv, children, decodeOid, decodeTime, expectTag, readTlv, value } from './der';
import { Oid, SIGNATURE_HASHES } from './oids';

export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue contents: the DER of the extension's own structure. */
  readonly value: Buffer;
}

export interface CertificateDer {
  readonly signatureAlgorithm: string;
  /** The hash of the signature algorithm, or its OID when unknown. */
  readonly signatureHash: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Buffer;
  readonly extensions: readonly RawExtension[];
}

export function readCertificateDer(der: Buffer): CertificateDer {
  const cert = expectTag(readTlv(der, 0), Tag.SEQUENCE, 'Certificate');
  const [tbs, sigAlg] = children(der, cert);
  const fields = children(der, expectTag(tbs, Tag.SEQUENCE, 'TBSCertificate'));
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = children(der, expectTag(fields[first + 3], Tag.SEQUENCE, 'Validity'));
  const spki = expectTag(fields[first + 5], Tag.SEQUENCE, 'SubjectPublicKeyInfo');
  const extField = fields.slice(first + 6).find((f) => f.tag === 0xa3);
  const { oid, hash } = signatureAlgorithm(der, expectTag(sigAlg, Tag.SEQUENCE, 'signatureAlgorithm'));
  return {
    signatureAlgorithm: oid,
    signatureHash: hash,
    notBefore: decodeTime(der, validity[0]),
    notAfter: decodeTime(der, validity[1]),
    spki: der.subarray(spki.start, spki.end),
    extensions: extField ? readExtensions(der, extField) : [],
  };
}

function signatureAlgorithm(der: Buffer, alg: Tlv): { oid: string; hash: string } {
  const [oidTlv, params] = children(der, alg);
  const oid = decodeOid(value(der, expectTag(oidTlv, Tag.OID, 'signature algorithm')));
  if (oid === Oid.RSASSA_PSS) return { oid, hash: pssHash(der, params) };
  return { oid, hash: SIGNATURE_HASHES[oid] ?? oid };
}

/** RSASSA-PSS names its hash in the parameters; absent means SHA-1 (RFC 4055). */
function pssHash(der: Buffer, params: Tlv | undefined): string {
  const hashField = params && params.tag === Tag.SEQUENCE ? children(der, params).find((c) => c.tag === 0xa0) : undefined;
  if (!hashField) return 'SHA-1';
  const [hashAlg] = children(der, hashField);
  const [hashOid] = children(der, expectTag(hashAlg, Tag.SEQUENCE, 'PSS hash'));
  const oid = decodeOid(value(der, hashOid));
  return SIGNATURE_HASHES[oid] ?? oid;
}

function readExtensions(der: Buffer, field: Tlv): RawExtension[] {
  const [list] = children(der, field);
  return children(der, expectTag(list, Tag.SEQUENCE, 'Extensions')).map((ext) => {
    const parts = children(der, ext);
    const oid = decodeOid(value(der, expectTag(parts[0], Tag.OID, 'extnID')));
    const critical = parts[1]?.tag === Tag.BOOLEAN ? der[parts[1].valueStart] !== 0 : false;
    const octets = expectTag(parts[parts.length - 1], Tag.OCTET_STRING, 'extnValue');
    return { oid, critical, value: value(der, octets) };
  });
}

/** KeyUsage BIT STRING → flags where bit n of RFC 5280 is `1 << n` (the library's KeyUsageFlags). */
export function decodeKeyUsage(ext: Buffer): number {
  const bits = value(ext, expectTag(readTlv(ext, 0), Tag.BIT_STRING, 'KeyUsage'));
  const unused = bits[0] ?? 0;
  const count = (bits.length - 1) * 8 - unused;
  let flags = 0;
  for (let i = 0; i < count; i++) if (bits[1 + (i >> 3)] & (0x80 >> (i & 7))) flags |= 1 << i;
  return flags;
}

export function decodeExtendedKeyUsage(ext: Buffer): string[] {
  const list = expectTag(readTlv(ext, 0), Tag.SEQUENCE, 'ExtKeyUsageSyntax');
  return children(ext, list).map((oid) => decodeOid(value(ext, expectTag(oid, Tag.OID, 'KeyPurposeId'))));
}

export function decodeBasicConstraints(ext: Buffer): { ca: boolean; pathLength?: number } {
  const parts = children(ext, expectTag(readTlv(ext, 0), Tag.SEQUENCE, 'BasicConstraints'));
  let ca = false;
  let pathLength: number | undefined;
  for (const p of parts) {
    if (p.tag === Tag.BOOLEAN) ca = ext[p.valueStart] !== 0;
    else if (p.tag === Tag.INTEGER) pathLength = value(ext, p).reduce((n, b) => n * 256 + b, 0);
  }
  return { ca, pathLength };
}

export interface SubjectAltNames {
  readonly dns: string[];
  readonly ip: string[];
  /** Other kinds (e-mail, URI, directory name, …) as `kind:value`. */
  readonly other: string[];
}

const GENERAL_NAME: Readonly<Record<number, string>> = { 0xa0: 'otherName', 0x81: 'email', 0x83: 'x400', 0xa4: 'dirName', 0xa5: 'ediParty', 0x86: 'uri', 0x88: 'registeredId' };

export function decodeSubjectAltNames(ext: Buffer): SubjectAltNames {
  const names: SubjectAltNames = { dns: [], ip: [], other: [] };
  for (const n of children(ext, expectTag(readTlv(ext, 0), Tag.SEQUENCE, 'GeneralNames'))) {
    const v = value(ext, n);
    if (n.tag === 0x82) names.dns.push(v.toString('latin1'));
    else if (n.tag === 0x87) names.ip.push(formatIp(v));
    else names.other.push(`${GENERAL_NAME[n.tag] ?? `tag${n.tag}`}:${n.tag === 0x81 || n.tag === 0x86 ? v.toString('latin1') : v.toString('hex')}`);
  }
  return names;
}

/** IPv4 dotted, IPv6 as eight lower-case hex groups without compression. */
export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
  throw new DerError(`iPAddress of ${bytes.length} bytes`);
}
