/** The private key and the CSR belong to the certificate (DOMAIN.md §5: a certificate signed from a stale CSR is refused). */
import { KeyObject } from 'node:crypto';
import { CertificateView } from '../certificate';
import { decodeSubjectAltNames } from '../certificate-der';
import { Oid } from '../oids';
import type { X509 } from '../x509';
import { LintFinding, finding } from './finding';

export function lintKeyMatch(leaf: CertificateView, key: KeyObject, keyLabel: string): LintFinding[] {
  let matches = false;
  try {
    matches = leaf.native.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (matches) return [];
  return [finding('KEY_MISMATCH', `${leaf.label}: the private key ${keyLabel} is not its key: find the key generated with its CSR, or sign a new CSR made with this key`, { certificate: leaf.label })];
}

export function lintCsrMatch(leaf: CertificateView, csr: X509.Pkcs10CertificateRequest, csrLabel: string): LintFinding[] {
  if (Buffer.from(csr.publicKey.rawData).equals(leaf.spki)) return [];
  return [
    finding('CSR_KEY_MISMATCH', `${leaf.label}: was not signed from the CSR ${csrLabel} (different public key: a stale CSR, replaced by a newer one on the node): have the current CSR signed`, { certificate: leaf.label }),
  ];
}

/** SAN entries of a CSR: DNS names (lower case) and IP addresses, decoded as for certificates. */
export function csrSans(csr: X509.Pkcs10CertificateRequest): string[] {
  const ext = csr.getExtension(Oid.SUBJECT_ALT_NAME);
  if (!ext) return [];
  const names = decodeSubjectAltNames(Buffer.from(ext.value));
  return [...names.dns.map((n) => n.toLowerCase()), ...names.ip];
}
