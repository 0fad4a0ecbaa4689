/**
 * The persistent state of the simulated CUCM / IM&P nodes, kept in state.json: each node's
 * trust stores, identities (current = last uploaded) and services (status, start time and
 * the identities each presented when it last started).
 */

export type ServiceStatus = 'STARTED' | 'STOPPED' | 'STOPPING' | 'STARTING' | 'Not Activated';

export interface TrustRecord {
  readonly fileName: string;
  readonly pem: string;
  readonly sha256: string;
  readonly subject: string;
  readonly description: string;
  readonly addedAt: string;
}

export interface IdentityRecord {
  readonly unit: string;
  /** `<unit>.pem`. */
  readonly fileName: string;
  /** Leaf first, then the uploaded intermediates in issuer order (no root). */
  readonly chain: readonly string[];
  /** Private key file, relative to the state folder. */
  readonly keyFile: string;
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly selfSigned: boolean;
  readonly description: string;
  readonly installedAt: string;
}

export interface ServiceRecord {
  status: ServiceStatus;
  /** ISO-8601 time the service last reached STARTED. */
  startedAt?: string;
  /** The node's identities as they were when the service last started: what its ports present. */
  presents: Record<string, IdentityRecord>;
  lastError?: string;
}

/** The node's current CSR of a unit: a newer one replaces it, and its key with it (DOMAIN.md §5). */
export interface CsrRecord {
  readonly csr: string;
  readonly keyFile: string;
  readonly generatedAt: string;
  /** SubjectPublicKeyInfo DER (hex) of its key: what a certificate signed from it carries. */
  readonly spki?: string;
  /** `multi-server`: made on the publisher; the key goes with the certificate to its SAN nodes. */
  readonly distribution?: 'this-server' | 'multi-server';
}

export interface NodeState {
  readonly fqdn: string;
  readonly cluster: string;
  /** Current identity per unit (purpose): shown by `show cert own`, served after the next restart. */
  identities: Record<string, IdentityRecord>;
  trust: Record<string, TrustRecord[]>;
  services: Record<string, ServiceRecord>;
  csrs: Record<string, CsrRecord>;
  /** SSH host key file, relative to the state folder. */
  sshHostKeyFile: string;
  /** The node's first self-signed tomcat certificate: what https-ca.pem pins. */
  initialTomcat?: string;
}
