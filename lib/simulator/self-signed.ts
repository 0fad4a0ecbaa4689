/**
 * The node's own certificates: what a CUCM / IM&P node generates for itself at install
 * (Issuer CN = Subject CN, CA:TRUE like the vendor's). -ECDSA purposes get an EC P-256 key
 * each; the RSA purposes of the whole twin share one RSA-2048 key, generated once per state
 * folder, because RSA key generation is slow (about 7/s) and a shared key costs nothing here.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { webcrypto, x509 } from './x509-provider';

export interface GeneratedIdentity {
  /** PEM of the certificate. */
  readonly certificate: string;
  /** PKCS#8 PEM of the private key. */
  readonly privateKey: string;
}

export type KeyType = 'RSA' | 'EC';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const RSA_SIGNING = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const RSA_GEN = { ...RSA_SIGNING, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/** A new key pair as PKCS#8 PEM. */
export async function generateKeyPem(type: KeyType): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(type === 'EC' ? EC_P256 : RSA_GEN, true, ['sign', 'verify'])) as CryptoKeyPair;
  return pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}

/** A self-signed certificate for `commonName` with the DNS names as SANs, valid ten years, on the given key. */
export async function generateSelfSigned(commonName: string, dnsNames: readonly string[], privateKeyPem: string): Promise<GeneratedIdentity> {
  const keys = await importKeyPair(privateKeyPem);
  const ec = keys.privateKey.algorithm.name === 'ECDSA';
  const now = Date.now();
  const usage = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(8).toString('hex'),
    name: `CN=${commonName}, OU=Simulated, O=ucrollout digital twin`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    keys,
    signingAlgorithm: ec ? EC_SIGNING : RSA_SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: cert.toString('pem'), privateKey: privateKeyPem };
}

/** A CSR for the common name and DNS names, on the given key (the node's `set csr gen`). */
export async function generateCsr(commonName: string, dnsNames: readonly string[], privateKeyPem: string): Promise<string> {
  const keys = await importKeyPair(privateKeyPem);
  const ec = keys.privateKey.algorithm.name === 'ECDSA';
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}, OU=Simulated, O=ucrollout digital twin`,
    keys,
    signingAlgorithm: ec ? EC_SIGNING : RSA_SIGNING,
    extensions: [
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
    ],
  });
  return csr.toString('pem');
}

export async function importKeyPair(privateKeyPem: string): Promise<CryptoKeyPair> {
  const key = createPrivateKey(privateKeyPem);
  const ec = key.asymmetricKeyType === 'ec';
  const algorithm = ec ? EC_P256 : RSA_SIGNING;
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return { privateKey, publicKey } as unknown as CryptoKeyPair;
}

function pemOf(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}
