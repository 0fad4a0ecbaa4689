/**
 * Test support for lib/pki: a lab cluster, CAs of any shape and leafs with any defect,
 * all built programmatically (no hand-edited PEM). The defaults make a good tomcat leaf.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Eku } from '../../lib/catalog';
import { buildCluster } from '../../lib/inventory';
import { ClusterDecl } from '../../lib/model';
import { HashName, KeySpec, Signer, generateKeyPair, issueCertificate, keyUsageFlags, privateKeyPem, toPem } from '../../lib/pki';
import { x509, X509 } from '../../lib/pki/x509';

export const PUB = 'cs-ccm-pub.example.com';
export const SUB = 'cs-ccm-sub.example.com';
export const IMP = 'cs-imp.example.com';
export const LAB_NODES = [PUB, SUB, IMP];
/** The multi-server CN the lab (release 15.0) generates: `<host>-ms.<domain>` (seed 000, issue 11). */
export const MS_CN = 'cs-ccm-pub-ms.example.com';

/** The lab cluster of the vendor guides: CUCM publisher and subscriber, one IM&P node. */
export function labCluster(extra: Partial<Parameters<typeof buildCluster>[0]> = {}): ClusterDecl {
  return buildCluster({ name: 'lab', publisher: PUB, subscribers: [SUB], imPresence: { databasePublisher: IMP }, ...extra }, 'test');
}

export const EC: KeySpec = { keyType: 'EC', curve: 'P-256' };
export const RSA: KeySpec = { keyType: 'RSA', keySize: 2048 };

let rsaKeys: Promise<CryptoKeyPair> | undefined;
/** One RSA-2048 pair shared by the tests of a file: RSA key generation is slow. */
export function sharedRsaKeys(): Promise<CryptoKeyPair> {
  rsaKeys ??= generateKeyPair(RSA);
  return rsaKeys;
}

export interface TestCa {
  readonly pem: string;
  readonly der: Buffer;
  readonly signer: Signer;
}

export interface CaOptions {
  readonly name: string;
  /** Absent: a self-signed root. */
  readonly issuer?: TestCa;
  readonly pathLength?: number;
  /** basicConstraints CA:TRUE. @default true */
  readonly isCa?: boolean;
  /** Key usage flags; null leaves the extension out. @default keyCertSign | cRLSign */
  readonly keyUsage?: number | null;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY = 86_400_000;

export async function makeCa(o: CaOptions): Promise<TestCa> {
  const keys = await generateKeyPair(EC);
  const self: Signer = { name: o.name, keys, spec: EC };
  const extensions: X509.Extension[] = [];
  if (o.isCa !== false) extensions.push(new x509.BasicConstraintsExtension(true, o.pathLength, true));
  const ku = o.keyUsage === undefined ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : o.keyUsage;
  if (ku !== null) extensions.push(new x509.KeyUsagesExtension(ku, true));
  const cert = await issueCertificate({
    subject: o.name,
    publicKey: keys.publicKey,
    signer: o.issuer ? o.issuer.signer : self,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 3650 * DAY),
    extensions,
  });
  const der = Buffer.from(cert.rawData);
  return { pem: toPem(der, 'CERTIFICATE'), der, signer: { ...self, name: cert.subjectName } };
}

export interface LeafOptions {
  readonly issuer: TestCa;
  /** Full subject; overrides cn. */
  readonly subject?: string;
  readonly cn?: string;
  /** SAN DNS names. @default [MS_CN, ...LAB_NODES] */
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  /** Key usage bit names; null leaves the extension out. @default tomcat RSA: digitalSignature, dataEncipherment */
  readonly keyUsage?: readonly string[] | null;
  /** null leaves the extension out. @default serverAuth, clientAuth */
  readonly eku?: readonly string[] | null;
  readonly isCa?: boolean;
  /** @default the shared RSA-2048 public key */
  readonly publicKey?: CryptoKey | X509.PublicKey;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Hash of the issuer's signature; 'SHA-1' for the weak case. */
  readonly hash?: HashName | 'SHA-1';
}

export async function makeLeaf(o: LeafOptions): Promise<Buffer> {
  const dns = o.dns ?? [MS_CN, ...LAB_NODES];
  const names = [...dns.map((value) => ({ type: 'dns' as const, value })), ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(o.isCa ?? false, undefined, true)];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const ku = o.keyUsage === undefined ? ['digitalSignature', 'dataEncipherment'] : o.keyUsage;
  if (ku !== null) extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(ku), true));
  const eku = o.eku === undefined ? [Eku.SERVER_AUTH, Eku.CLIENT_AUTH] : o.eku;
  if (eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension([...eku]));
  const cert = await issueCertificate({
    subject: o.subject ?? `CN=${o.cn ?? MS_CN}, O=Example`,
    publicKey: o.publicKey ?? (await sharedRsaKeys()).publicKey,
    signer: { ...o.issuer.signer, spec: { ...o.issuer.signer.spec, hash: (o.hash ?? 'SHA-256') as HashName } },
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    extensions,
  });
  return Buffer.from(toPem(cert.rawData, 'CERTIFICATE'));
}

export async function sharedRsaKeyPem(): Promise<Buffer> {
  return Buffer.from(await privateKeyPem((await sharedRsaKeys()).privateKey));
}

/** An RSA SubjectPublicKeyInfo of any size with a made-up modulus: the leaf's key is never used to sign. */
export function fakeRsaPublicKey(bits: number): X509.PublicKey {
  const modulus = Buffer.alloc(bits / 8, 0xab);
  modulus[0] = 0xc1;
  modulus[modulus.length - 1] |= 1;
  const rsaKey = der(0x30, Buffer.concat([der(0x02, Buffer.concat([Buffer.from([0]), modulus])), der(0x02, Buffer.from([1, 0, 1]))]));
  const algorithm = der(0x30, Buffer.concat([der(0x06, Buffer.from('2a864886f70d010101', 'hex')), Buffer.from([0x05, 0x00])]));
  const spki = der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.from([0]), rsaKey]))]));
  return new x509.PublicKey(new Uint8Array(spki));
}

function der(tag: number, body: Buffer): Buffer {
  const len = body.length;
  const header = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, body]);
}

/** A fresh folder under the OS temp dir, and its removal. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ucrollout-pki-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const codes = (findings: readonly { code: string }[]): string[] => findings.map((f) => f.code);
