/**
 * Building the issuance path of a certificate from a pool of CA certificates: by issuer
 * name, confirmed by signature, stopping at the declared trust anchor or a self-signed root.
 * Dates, basicConstraints and key usage are the lint's business, not this walk's.
 */
import { CertificateView, signedBy } from './certificate';

export type ChainEnd =
  /** Reached the declared trust anchor. */
  | 'anchor'
  /** Reached a self-signed certificate that is not the declared anchor (or none was declared). */
  | 'root'
  /** No certificate in the pool bears the issuer name of the last one. */
  | 'missing-issuer'
  /** Certificates bear the issuer name but none of their keys verifies the signature. */
  | 'bad-signature';

export interface ChainWalk {
  /** The start first, each next certificate the issuer of the one before. */
  readonly path: readonly CertificateView[];
  readonly end: ChainEnd;
  /** bad-signature: the certificate named as issuer whose key does not verify the last one. */
  readonly namedIssuer?: CertificateView;
}

export function walkChain(start: CertificateView, pool: readonly CertificateView[], anchor?: CertificateView): ChainWalk {
  const path: CertificateView[] = [start];
  const used = new Set([start.sha256]);
  const candidates = anchor ? [anchor, ...pool] : [...pool];
  for (let current = start; ; ) {
    if (anchor && current.sha256 === anchor.sha256) return { path, end: 'anchor' };
    const selfSigned = current.selfIssued && signedBy(current, current);
    if (selfSigned) return { path, end: 'root' };
    const named = candidates.filter((c) => c.subject === current.issuer && !used.has(c.sha256));
    if (named.length === 0) {
      return current.selfIssued ? { path, end: 'bad-signature', namedIssuer: current } : { path, end: 'missing-issuer' };
    }
    const issuer = named.find((c) => signedBy(current, c));
    if (!issuer) return { path, end: 'bad-signature', namedIssuer: named[0] };
    path.push(issuer);
    used.add(issuer.sha256);
    current = issuer;
  }
}

/** The certificate is self-signed: names match and its own key verifies it. */
export function isSelfSigned(cert: CertificateView): boolean {
  return cert.selfIssued && signedBy(cert, cert);
}
