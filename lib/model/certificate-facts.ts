/**
 * What the planner needs to know of a certificate file, without its body.
 * Produced by lib/pki (which reads and parses files); consumed by the pure planner.
 */
export interface CertificateFacts {
  /** The file as declared (a reference, never the material). */
  readonly path: string;
  /** SHA-256 of the DER encoding, lowercase hex without separators. */
  readonly sha256: string;
  /** Subject distinguished name, e.g. `CN=cs-ccm-pub.example.com-ms, O=Example`. */
  readonly subject: string;
  readonly issuer: string;
  /** Subject common name, or empty when absent. */
  readonly commonName: string;
  /** DNS names of the subjectAltName extension, in certificate order. */
  readonly dnsNames: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  /** Subject and issuer are equal. */
  readonly selfIssued: boolean;
  /** basicConstraints CA:TRUE. */
  readonly isCa: boolean;
}

/** Looks up the facts of a declared certificate file; throws when the file cannot be read or parsed. */
export type CertificateFactsLookup = (path: string) => CertificateFacts;
