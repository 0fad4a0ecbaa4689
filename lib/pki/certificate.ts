/**
 * One parsed certificate: the fields the lint reads, decoded once. Names, keys and
 * signatures come from Node's X509Certificate (synchronous, so lint stays a plain function
 * the planner can call); the extensions from certificate-der.ts.
 */
import { X509Certificate as NodeCertificate, createHash } from 'node:crypto';
import { KeyUsageBit } from '../catalog';
import { derShape, describeShape } from './der';
import { PkiInputError } from './errors';
import { decodeBasicConstraints, decodeExtendedKeyUsage, decodeKeyUsage, decodeSubjectAltNames, readCertificateDer } from './certificate-der';
import { CURVES, Oid } from './oids';
import type { X509 } from './x509';

export type KeyKind = 'RSA' | 'EC' | 'other';

/** Every key usage bit of RFC 5280, the catalog's and the rest. */
export type KeyUsageName = KeyUsageBit | 'nonRepudiation' | 'cRLSign' | 'encipherOnly' | 'decipherOnly';

export interface CertificateView {
  /** How messages name it: a file path, with `#n` for the n-th certificate of a file. */
  readonly label: string;
  readonly der: Buffer;
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  /** Subject common name, when there is one. */
  readonly commonName?: string;
  /** dNSName entries of subjectAltName, lower case, in certificate order. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Other subjectAltName entries (e-mail, URI, …) as `type:value`. */
  readonly otherNames: readonly string[];
  readonly keyKind: KeyKind;
  /** RSA modulus length in bits. */
  readonly keyBits?: number;
  /** EC curve in WebCrypto naming (`P-256`), or the OpenSSL name of a curve outside that list. */
  readonly curve?: string;
  /** Hash of the issuer's signature (`SHA-256`), or the algorithm OID when it is unknown. */
  readonly signatureHash: string;
  /** Key usage bits, undefined when the extension is absent. */
  readonly keyUsage?: ReadonlySet<KeyUsageName>;
  /** Extended key usage OIDs, undefined when the extension is absent. */
  readonly extendedKeyUsage?: readonly string[];
  /** basicConstraints, undefined when the extension is absent. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo, DER: compared with keys and CSRs. */
  readonly spki: Buffer;
  readonly selfIssued: boolean;
  /** Node's parse, for signature checks. */
  readonly native: NodeCertificate;
}

// The values of @peculiar/x509's KeyUsageFlags, written out so that reading a certificate does not load the library.
const KEY_USAGE_BITS: readonly (readonly [X509.KeyUsageFlags, KeyUsageName])[] = [
  [1, 'digitalSignature'],
  [2, 'nonRepudiation'],
  [4, 'keyEncipherment'],
  [8, 'dataEncipherment'],
  [16, 'keyAgreement'],
  [32, 'keyCertSign'],
  [64, 'cRLSign'],
  [128, 'encipherOnly'],
  [256, 'decipherOnly'],
];

/** Key usage flags → bit names, in the order of RFC 5280. */
export function keyUsageNames(flags: number): Set<KeyUsageName> {
  return new Set(KEY_USAGE_BITS.filter(([f]) => (flags & f) !== 0).map(([, name]) => name));
}

/** Bit names → key usage flags. */
export function keyUsageFlags(bits: Iterable<string>): number {
  const want = new Set(bits);
  return KEY_USAGE_BITS.filter(([, name]) => want.has(name)).reduce((acc, [f]) => acc | f, 0);
}

/** Parses one DER certificate; throws PkiInputError naming the label when it is not one. */
export function parseCertificate(der: Buffer, label: string): CertificateView {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const cached = recall(parsed, sha256);
  if (cached) return cached.label === label ? cached : { ...cached, label };
  const shape = derShape(der);
  if (shape !== 'ok') throw new PkiInputError(`${label}: not a certificate (${describeShape(shape)}): give the certificate again (PEM or DER)`);
  let view: CertificateView;
  try {
    view = decode(der, sha256, label);
  } catch (e) {
    throw new PkiInputError(`${label}: not a readable X.509 certificate (${(e as Error).message}): give the certificate again (PEM or DER)`);
  }
  remember(parsed, sha256, view);
  return view;
}

function decode(der: Buffer, sha256: string, label: string): CertificateView {
  const native = new NodeCertificate(der);
  const raw = readCertificateDer(der);
  const ext = (oid: string) => raw.extensions.find((e) => e.oid === oid)?.value;
  const san = ext(Oid.SUBJECT_ALT_NAME);
  const names = san ? decodeSubjectAltNames(san) : { dns: [], ip: [], other: [] };
  const ku = ext(Oid.KEY_USAGE);
  const eku = ext(Oid.EXTENDED_KEY_USAGE);
  const bc = ext(Oid.BASIC_CONSTRAINTS);
  const key = native.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyKind: KeyKind = key.asymmetricKeyType === 'rsa' ? 'RSA' : key.asymmetricKeyType === 'ec' ? 'EC' : 'other';
  const subject = oneLine(native.subject);
  const issuer = oneLine(native.issuer);
  return {
    label,
    der,
    sha256,
    subject,
    issuer,
    commonName: /^CN=(.*)$/m.exec(native.subject)?.[1],
    dnsNames: names.dns.map((n) => n.toLowerCase()),
    ipAddresses: names.ip,
    otherNames: names.other,
    keyKind,
    keyBits: keyKind === 'RSA' ? details.modulusLength : undefined,
    curve: keyKind === 'EC' && details.namedCurve ? (CURVES[details.namedCurve] ?? details.namedCurve) : undefined,
    signatureHash: raw.signatureHash,
    keyUsage: ku ? keyUsageNames(decodeKeyUsage(ku)) : undefined,
    extendedKeyUsage: eku ? decodeExtendedKeyUsage(eku) : undefined,
    basicConstraints: bc ? decodeBasicConstraints(bc) : undefined,
    notBefore: raw.notBefore,
    notAfter: raw.notAfter,
    spki: raw.spki,
    selfIssued: subject === issuer,
    native,
  };
}

/** Node prints a distinguished name one attribute per line (OpenSSL's canonical text); messages want one line. */
function oneLine(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}

/** The certificate's issuer signed it: checks the signature with the issuer's public key. */
export function signedBy(child: CertificateView, issuer: CertificateView): boolean {
  const key = `${child.sha256}>${issuer.sha256}`;
  let ok = recall(verified, key);
  if (ok === undefined) {
    try {
      ok = child.native.verify(issuer.native.publicKey);
    } catch {
      ok = false;
    }
    remember(verified, key, ok);
  }
  return ok;
}

// CA certificates recur in every lint of a cluster: parse and verify each pair once.
const CACHE_SIZE = 512;
const parsed = new Map<string, CertificateView>();
const verified = new Map<string, boolean>();

/** Least recently used first in the map's order: a hit moves the entry to the end. */
function recall<V>(cache: Map<string, V>, key: string): V | undefined {
  const value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
    cache.set(key, value);
  }
  return value;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

/** `CN=… (sha256 1a2b3c4d…)`: how a message names a certificate without its body. */
export function describeCertificate(c: CertificateView): string {
  return `'${c.subject}' (SHA-256 ${c.sha256.slice(0, 16)}…)`;
}
