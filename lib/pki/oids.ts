/** Object identifiers of the X.509 wire format, by name (RFC 5280, RFC 5480). */
import { Eku } from '../catalog';

export const Oid = {
  SUBJECT_ALT_NAME: '2.5.29.17',
  KEY_USAGE: '2.5.29.15',
  EXTENDED_KEY_USAGE: '2.5.29.37',
  BASIC_CONSTRAINTS: '2.5.29.19',
  SUBJECT_KEY_IDENTIFIER: '2.5.29.14',
  AUTHORITY_KEY_IDENTIFIER: '2.5.29.35',
  EKU_SERVER_AUTH: Eku.SERVER_AUTH,
  EKU_CLIENT_AUTH: Eku.CLIENT_AUTH,
  EKU_IPSEC_END_SYSTEM: Eku.IPSEC_END_SYSTEM,
  EKU_ANY: '2.5.29.37.0',
  RSASSA_PSS: '1.2.840.113549.1.1.10',
} as const;

/** Signature algorithm OID (or digest OID, for RSASSA-PSS parameters) → hash name. */
export const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2',
  '1.2.840.113549.1.1.4': 'MD5',
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
  // EdDSA hashes internally (SHA-512 / SHAKE256): as strong as the SHA-2 family for this check.
  '1.3.101.112': 'SHA-512',
  '1.3.101.113': 'SHA-512',
};

/** Readable names of the extended key usages the purposes ask for, for messages. */
export const EKU_NAMES: Readonly<Record<string, string>> = {
  [Eku.SERVER_AUTH]: 'serverAuth',
  [Eku.CLIENT_AUTH]: 'clientAuth',
  [Eku.IPSEC_END_SYSTEM]: 'ipsecEndSystem',
};

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ? `${EKU_NAMES[oid]} (${oid})` : oid;
}

/** Named curves as WebCrypto calls them, and as OpenSSL / Node call them. */
export const CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};
