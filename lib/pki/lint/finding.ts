/**
 * Lint findings: a stable code, a severity fixed per code, and a message naming the
 * certificate, the node or field, and the fix. Structurally a PlanFinding, so the planner
 * can put warnings into PLAN.md as they are. Messages hold paths, names and fingerprints only.
 */

export interface LintFinding {
  readonly severity: 'error' | 'warning';
  /** One of LINT_CODES, e.g. `SAN_MISSING_NODE`. */
  readonly code: string;
  readonly message: string;
  /** The certificate concerned: a file path, `#n` for the n-th certificate of a file. */
  readonly certificate?: string;
  /** FQDN of the node concerned. */
  readonly node?: string;
}

type Entry = readonly ['error' | 'warning', string];

/** Every code, its severity and what it means: the table documentation and `lint --codes` print. */
export const LINT_CODES = {
  // input
  CERT_UNREADABLE: ['error', 'the certificate file is missing, empty, not PEM/DER, truncated, or holds something else (a key, a CSR)'],
  CHAIN_UNREADABLE: ['error', 'the chain (intermediates) file cannot be read as certificates'],
  ROOT_UNREADABLE: ['error', 'the root file cannot be read as a certificate'],
  KEY_UNREADABLE: ['error', 'the private key file cannot be read (missing, encrypted, not a key)'],
  CSR_UNREADABLE: ['error', 'the CSR file cannot be read as a PKCS#10 request'],
  // declarations
  PURPOSE_UNKNOWN: ['error', 'the purpose is not one of the catalog'],
  CLUSTER_UNKNOWN: ['error', 'the certificate names a cluster that is not declared'],
  CA_UNKNOWN: ['error', 'the certificate names a certificate authority that is not declared'],
  NODE_UNKNOWN: ['error', 'a single-server certificate names no node, a node not in its cluster, or one its purpose is not for'],
  DISTRIBUTION_UNSUPPORTED: ['error', 'multi-server (SAN) distribution for a purpose that has none (CAPF, ipsec, cup)'],
  CALLMANAGER_WITH_TVS: ['error', 'a cluster replaces CallManager and TVS in one change: it breaks the trust list (ITL) on every phone'],
  // names
  SAN_MISSING_NODE: ['error', 'a node the certificate must cover is not in its SAN list'],
  CN_NOT_IN_SAN: ['warning', 'the common name is not repeated in the SAN list (CSCus47235); clients that ignore the CN miss it'],
  CN_MISSING: ['warning', 'the subject has no common name'],
  CN_UNEXPECTED: ['warning', 'the common name is not the one the platform uses (multi-server: `<host>-ms.<domain>` from 11.5, `<publisher FQDN>-ms` on 10.5; else the node FQDN) nor the declared commonName'],
  SAN_UNEXPECTED: ['warning', 'a SAN entry is not a node of the certificate (CUCM refuses SANs its CSR did not have)'],
  SAN_IP_ADDRESS: ['error', 'an IP address in the SANs that the CSR did not have (CAs that add one break the upload)'],
  SAN_WILDCARD: ['error', 'a wildcard name in a certificate other than cup-xmpp-s2s'],
  SAN_CSR_MISMATCH: ['error', 'the SANs differ from the CSR the certificate was signed from'],
  S2S_DOMAIN_NOT_WILDCARD: ['warning', 'cup-xmpp-s2s lists a bare domain: group chat over federation needs *.domain'],
  // key and signature
  KEY_TYPE_MISMATCH: ['error', 'RSA key for an -ECDSA purpose, or EC key for an RSA purpose'],
  KEY_TOO_SMALL: ['error', 'RSA key shorter than 2048 bits'],
  KEY_TOO_LARGE: ['error', 'RSA key longer than 4096 bits (CUCM takes at most 4096)'],
  KEY_CURVE_UNSUPPORTED: ['error', 'EC key on a curve other than P-256, P-384, P-521'],
  SIGNATURE_HASH_WEAK: ['error', 'signed with SHA-1, MD5 or an unknown algorithm (SHA-256 or stronger required)'],
  // usage
  EKU_MISSING: ['error', 'an extended key usage the purpose requires is missing'],
  KU_DIGITAL_SIGNATURE_MISSING: ['error', 'key usage without digitalSignature'],
  KEY_USAGE_ABSENT: ['warning', 'no key usage extension (the platform requests one)'],
  KEY_USAGE_MISMATCH: ['warning', 'key usage bits differ from what the platform requests for the purpose'],
  KU_ENCIPHERMENT_ON_EC: ['warning', 'keyEncipherment or dataEncipherment on an EC key, which cannot encipher'],
  LEAF_IS_CA: ['error', 'basicConstraints CA:TRUE on a service certificate (only CAPF is a subordinate CA)'],
  // validity
  CERT_NOT_YET_VALID: ['error', 'notBefore is in the future'],
  CERT_EXPIRED: ['error', 'notAfter is in the past'],
  CERT_EXPIRES_SOON: ['warning', 'notAfter falls within the renewal window'],
  // chain
  LEAF_SELF_SIGNED: ['error', 'the certificate is self-signed, not issued by the declared CA'],
  CHAIN_INCOMPLETE: ['error', 'an issuer on the way to the root is missing from the chain'],
  CHAIN_WRONG_ROOT: ['error', 'the chain ends at a root other than the declared one'],
  CHAIN_SIGNATURE_INVALID: ['error', 'a signature on the chain does not verify with its issuer key'],
  CHAIN_ORDER: ['error', 'the intermediates are not in issuance order'],
  CHAIN_UNRELATED: ['error', 'a certificate in the chain is not on the path from the leaf to the root'],
  CA_NOT_CA: ['error', 'a CA certificate on the path lacks basicConstraints CA:TRUE'],
  CA_KEY_CERT_SIGN_MISSING: ['error', 'a CA certificate on the path has key usage without keyCertSign'],
  CA_PATH_LENGTH: ['error', 'more intermediates below a CA than its pathLenConstraint allows'],
  // key and CSR match
  KEY_MISMATCH: ['error', 'the private key is not the key of the certificate'],
  CSR_KEY_MISMATCH: ['error', 'the certificate was not signed from this CSR (public keys differ: a stale CSR)'],
} as const satisfies Record<string, Entry>;

export type LintCode = keyof typeof LINT_CODES;

export function finding(code: LintCode, message: string, where: { certificate?: string; node?: string } = {}): LintFinding {
  return { severity: LINT_CODES[code][0], code, message, ...where };
}

export function hasErrors(findings: readonly LintFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
