/** Key type and size against the purpose, and the strength of the signature hash (DOMAIN.md §2, §5). */
import { PurposeInfo, findPurpose } from '../../catalog';
import { CertificateView } from '../certificate';
import { LintFinding, finding } from './finding';

const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 4096;
const CURVES = ['P-256', 'P-384', 'P-521'];
const STRONG_HASHES = ['SHA-256', 'SHA-384', 'SHA-512'];

export function lintKey(leaf: CertificateView, purpose: PurposeInfo): LintFinding[] {
  const out: LintFinding[] = [];
  const at = { certificate: leaf.label };
  if (leaf.keyKind !== purpose.keyType) {
    const ecTwin = findPurpose(`${purpose.name}-ECDSA`);
    const fix =
      purpose.keyType === 'EC'
        ? `generate the CSR for ${purpose.name} (EC key)`
        : `generate an RSA CSR for ${purpose.name}${ecTwin ? `, or declare the certificate as ${ecTwin.name}` : ''}`;
    out.push(finding('KEY_TYPE_MISMATCH', `${leaf.label}: has an ${leaf.keyKind} key but purpose ${purpose.name} needs ${purpose.keyType}: ${fix}`, at));
  }
  if (leaf.keyKind === 'RSA' && leaf.keyBits !== undefined) {
    if (leaf.keyBits < MIN_RSA_BITS) {
      out.push(finding('KEY_TOO_SMALL', `${leaf.label}: RSA key of ${leaf.keyBits} bits: generate a new CSR with ${MIN_RSA_BITS} bits or more`, at));
    } else if (leaf.keyBits > MAX_RSA_BITS) {
      out.push(finding('KEY_TOO_LARGE', `${leaf.label}: RSA key of ${leaf.keyBits} bits: CUCM takes at most ${MAX_RSA_BITS}: generate a new CSR with 2048 to 4096 bits`, at));
    }
  }
  if (leaf.keyKind === 'EC' && !CURVES.includes(leaf.curve ?? '')) {
    out.push(finding('KEY_CURVE_UNSUPPORTED', `${leaf.label}: EC key on curve ${leaf.curve ?? 'unknown'}: generate a new CSR on P-256 or P-384`, at));
  }
  out.push(...lintSignatureHash(leaf));
  return out;
}

/** The issuer's signature uses SHA-256 or stronger; a self-signed root's own signature does not matter. */
export function lintSignatureHash(cert: CertificateView): LintFinding[] {
  if (STRONG_HASHES.includes(cert.signatureHash)) return [];
  return [
    finding('SIGNATURE_HASH_WEAK', `${cert.label}: signed with ${cert.signatureHash}: have the CA sign it again with SHA-256 or stronger`, { certificate: cert.label }),
  ];
}
