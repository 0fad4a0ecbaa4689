/**
 * Signing a certificate: the one path the lab CA, self-signed node certificates and tests
 * use. Adds subject and authority key identifiers; everything else is the caller's.
 */
import { randomBytes } from 'node:crypto';
import { KeySpec, signingAlgorithm } from './keys';
import { Oid } from './oids';
import { x509, X509 } from './x509';

/** Who signs: a name, a key pair and its spec. A self-signed certificate is its own signer. */
export interface Signer {
  /** The signer's subject; a parsed Name keeps its exact encoding, which chain building compares. */
  readonly name: string | X509.Name;
  readonly keys: CryptoKeyPair;
  readonly spec: KeySpec;
}

export interface IssueParams {
  readonly subject: string | X509.Name;
  readonly publicKey: CryptoKey | X509.PublicKey;
  readonly signer: Signer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly X509.Extension[];
  /** Hex; a random positive 128-bit serial when absent. */
  readonly serialNumber?: string;
}

export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export async function issueCertificate(p: IssueParams): Promise<X509.X509Certificate> {
  const extensions = [...p.extensions];
  const has = (oid: string) => extensions.some((e) => e.type === oid);
  if (!has(Oid.SUBJECT_KEY_IDENTIFIER)) {
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(p.publicKey));
  }
  if (!has(Oid.AUTHORITY_KEY_IDENTIFIER)) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(p.signer.keys.publicKey));
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serialNumber ?? randomSerial(),
    subject: p.subject,
    issuer: p.signer.name,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.signer.keys.privateKey,
    signingAlgorithm: signingAlgorithm(p.signer.spec),
    extensions,
  });
}

/** `days` after `from`. */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}
