/**
 * Key pairs on Node's WebCrypto: generation for CSRs and the lab CA, PKCS#8 export, and
 * import of a stored key for signing.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { PkiInputError } from './errors';
import { PemLabel, toPem } from './pem';
import { crypto } from './x509';

export type KeyType = 'RSA' | 'EC';
export type RsaKeySize = 2048 | 3072 | 4096;
export type EcCurve = 'P-256' | 'P-384';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export const RSA_KEY_SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];
export const EC_CURVES: readonly EcCurve[] = ['P-256', 'P-384'];
export const HASHES: readonly HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];

export interface KeySpec {
  readonly keyType: KeyType;
  /** RSA only. @default 2048 */
  readonly keySize?: RsaKeySize;
  /** EC only. @default 'P-256' */
  readonly curve?: EcCurve;
  /** Signature hash. @default 'SHA-256' */
  readonly hash?: HashName;
}

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);

/** WebCrypto algorithm for key generation/import; RSA keys carry their signature hash. */
export function keyAlgorithm(spec: KeySpec): RsaHashedKeyGenParams | EcKeyGenParams {
  const hash = spec.hash ?? 'SHA-256';
  if (spec.keyType === 'RSA') {
    return { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.keySize ?? 2048, publicExponent: RSA_EXPONENT, hash };
  }
  return { name: 'ECDSA', namedCurve: spec.curve ?? 'P-256' };
}

/** Signing algorithm for the certificate or CSR signature. */
export function signingAlgorithm(spec: KeySpec): Algorithm | EcdsaParams {
  const hash = spec.hash ?? 'SHA-256';
  return spec.keyType === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5' } : ({ name: 'ECDSA', hash } as EcdsaParams);
}

/** Checks the combination early, naming the bad value and the allowed ones. */
export function checkKeySpec(spec: KeySpec): void {
  if (spec.keyType !== 'RSA' && spec.keyType !== 'EC') {
    throw new PkiInputError(`key type must be 'RSA' or 'EC', got ${JSON.stringify(spec.keyType)}`);
  }
  if (spec.keyType === 'RSA' && spec.keySize !== undefined && !RSA_KEY_SIZES.includes(spec.keySize)) {
    throw new PkiInputError(`RSA key size must be one of ${RSA_KEY_SIZES.join(', ')} (CUCM takes at most 4096), got ${JSON.stringify(spec.keySize)}`);
  }
  if (spec.keyType === 'EC' && spec.curve !== undefined && !EC_CURVES.includes(spec.curve)) {
    throw new PkiInputError(`EC curve must be one of ${EC_CURVES.join(', ')}, got ${JSON.stringify(spec.curve)}`);
  }
  if (spec.hash !== undefined && !HASHES.includes(spec.hash)) {
    throw new PkiInputError(`hash must be one of ${HASHES.join(', ')} (SHA-256 or stronger), got ${JSON.stringify(spec.hash)}`);
  }
}

export async function generateKeyPair(spec: KeySpec): Promise<CryptoKeyPair> {
  checkKeySpec(spec);
  return (await crypto.subtle.generateKey(keyAlgorithm(spec), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PKCS#8 PEM (`BEGIN PRIVATE KEY`) of an extractable private key. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await crypto.subtle.exportKey('pkcs8', key), PemLabel.PRIVATE_KEY);
}

/** A new key pair's private key as PKCS#8 PEM (a node or a test that keeps its own key). */
export async function generateKeyPem(spec: KeySpec): Promise<string> {
  return privateKeyPem((await generateKeyPair(spec)).privateKey);
}

/**
 * A stored private key (PEM or DER, any encoding Node reads) as a WebCrypto pair for
 * signing, with the public half derived from it; the key type is read from the key.
 */
export async function importKeyPair(pem: string | Buffer, hash: HashName = 'SHA-256', label = 'private key'): Promise<{ keys: CryptoKeyPair; spec: KeySpec }> {
  let privateObject;
  try {
    privateObject = createPrivateKey(pem);
  } catch (e) {
    throw new PkiInputError(`${label}: not a readable unencrypted private key (${(e as Error).message}): give the PEM key file`);
  }
  const type = privateObject.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') throw new PkiInputError(`${label}: a ${type} key: use an RSA or EC key`);
  const curve = privateObject.asymmetricKeyDetails?.namedCurve;
  const spec: KeySpec =
    type === 'rsa'
      ? { keyType: 'RSA', hash }
      : { keyType: 'EC', hash, curve: curve === 'secp384r1' ? 'P-384' : 'P-256' };
  if (type === 'ec' && curve !== 'prime256v1' && curve !== 'secp384r1') {
    throw new PkiInputError(`${label}: EC curve ${curve} is not supported: use P-256 or P-384`);
  }
  const algorithm = type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash } : { name: 'ECDSA', namedCurve: spec.curve };
  const pkcs8 = privateObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateObject).export({ type: 'spki', format: 'der' });
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return { keys: { privateKey, publicKey }, spec };
}
