/**
 * The domain model: what a user declares, as plain readonly data.
 *
 * Constructs and the inventory loader both produce these objects; the planner,
 * the PKI lint, the drivers and the digital twin only ever read them. Nothing
 * here knows of cdktf, files or the network.
 */
import type { CmsCertificateDecl, CmsClusterDecl } from './cms';
import type { CallManagerGroupDecl, ImpSubclusterDecl, TimingDecl } from './schedule';
import type { CertificateMonitorDecl, RevocationDecl } from './certificate-settings';
import type { RenewBefore } from './renewal';
import type { IssuerDecl } from '../issuers/types';

/** Where a node sits in a CUCM / IM and Presence cluster (DOMAIN.md §1). */
export type NodeRole = 'publisher' | 'subscriber' | 'imp-database-publisher' | 'imp-subscriber';

/** Which management interface the executor uses for certificate uploads on a node (DOMAIN.md §6). */
export type NodeApi = 'cli' | 'rest';

export type SecurityMode = 'non-secure' | 'mixed';

export type Distribution = 'multi-server' | 'single-server';

export interface NodeDecl {
  /** Fully qualified domain name: the identity TLS and SSH check. */
  readonly fqdn: string;
  readonly role: NodeRole;
  /** Network address used to reach the node; defaults to the FQDN. */
  readonly address?: string;
  /** Activated services (names as in `utils service list`). */
  readonly services: readonly string[];
  /** Upload interface: admin CLI over SSH (any release) or the certificate REST API (14+). */
  readonly api: NodeApi;
  /** Pinned SSH host key fingerprints (`SHA256:…`), as `ssh-keygen -lf` prints them. */
  readonly sshHostKeys: readonly string[];
  /** Software release, e.g. `15.0` or `14.0`: decides the CLI output format and whether the REST API exists. */
  readonly version: string;
  /** Service port overrides, keyed by the port's name in the catalog (e.g. `https`, `sip-tls`). */
  readonly ports: Readonly<Record<string, number>>;
  /** Expected durations of this node's steps, over the cluster's (lib/model/schedule.ts). */
  readonly timing?: TimingDecl;
}

/** Where the executor finds credentials: references only, never the secret itself. */
export interface CredentialsRef {
  /** Environment variable holding the platform admin user name. */
  readonly usernameEnv: string;
  /** Environment variable holding the platform admin password. */
  readonly passwordEnv: string;
  /** Optional file (JSON `{ "username": …, "password": … }`) read when the variables are unset. */
  readonly file?: string;
}

export interface ClusterDecl {
  readonly name: string;
  readonly nodes: readonly NodeDecl[];
  readonly securityMode: SecurityMode;
  readonly sso: boolean;
  readonly credentials: CredentialsRef;
  /** known_hosts file with the nodes' SSH host keys (alternative to per-node fingerprints). */
  readonly knownHostsFile?: string;
  /** CA bundle that signs the nodes' HTTPS (8443) certificates, for the REST and SOAP drivers. */
  readonly httpsCaFile?: string;
  /** IM&P database publishers of other clusters that sync trust through the Intercluster Sync Agent. */
  readonly interclusterPeers: readonly string[];
  /**
   * CallManager multi-server: keep (true) or drop (false) the CUCM nodes where the
   * CallManager service is not activated. Undefined means "not decided" and is refused
   * when such a node exists (DOMAIN.md §2: the choice must be explicit).
   */
  readonly callManagerIncludeInactiveNodes?: boolean;
  /** Seconds to wait before clean-up of old self-signed trust (ISA clean-up, about 30 minutes). */
  readonly cleanupDelaySeconds: number;
  /**
   * Also delete the old self-signed CallManager-trust entries, after the phones were reset and
   * re-registered. Off by default: seed 002 does not list CallManager-trust among the stores to clean.
   */
  readonly cleanupCallManagerTrust?: boolean;
  /** Certificate Expiry Monitor settings the plan states (seed 002). */
  readonly certificateMonitor?: CertificateMonitorDecl;
  /** OCSP revocation settings the plan states (seed 002). */
  readonly revocation?: RevocationDecl;
  /** Expected durations over the platform defaults, for the window estimate and the scheduler. */
  readonly timing?: TimingDecl;
  /** CallManager groups: with them the scheduler restarts call processing in parallel, never a whole group at once. */
  readonly callManagerGroups?: readonly CallManagerGroupDecl[];
  /** IM and Presence subclusters: never both nodes of one restarting at once. */
  readonly impSubclusters?: readonly ImpSubclusterDecl[];
}

export interface CertificateAuthorityDecl {
  readonly name: string;
  /** PEM or DER file of the root. */
  readonly root: string;
  /** Intermediates, from the one the root signed down to the issuing CA. */
  readonly intermediates: readonly string[];
}

export interface CertificateDecl {
  readonly cluster: string;
  readonly purpose: string;
  readonly distribution: Distribution;
  /** Single-server only: the node the certificate belongs to. */
  readonly node?: string;
  /**
   * The signed leaf (PEM or DER), signed from a CSR the node made earlier. Exactly one of
   * `certificate` and `issuer` is given.
   */
  readonly certificate?: string;
  /**
   * Name of a declared issuer (`issuers:`): the plan generates the CSR on the node, this issuer
   * signs it at apply time, and the returned chain is installed. No private key leaves the node.
   */
  readonly issuer?: string;
  /**
   * Issued certificates: raise it to request a new certificate from a fresh CSR (a re-apply
   * with the same generation never requests a second one).
   *
   * @default 0
   */
  readonly renewalGeneration?: number;
  /** Issued certificates: SAN DNS names requested besides the ones the catalog puts in ("other domains"). @default - none */
  readonly extraNames?: readonly string[];
  /** Name of the declared certificate authority that issued it (its chain goes into the trust store). */
  readonly ca: string;
  /** Optional CSR it was signed from (lint checks the public key matches). */
  readonly csr?: string;
  /** The CSR's common name when it is not the platform's (`<host>-ms.<domain>` from 11.5, `<publisher>-ms` on 10.5). */
  readonly commonName?: string;
  /**
   * When the installed certificate is due for renewal (`ucrollout status`, `ucrollout renew`).
   *
   * @default - once two thirds of its lifetime have passed, as cert-manager does
   */
  readonly renewBefore?: RenewBefore;
}

/** A certificate put into trust stores on its own, e.g. an Expressway-C root. */
export interface TrustEntryDecl {
  readonly cluster: string;
  readonly name: string;
  readonly certificate: string;
  /** Trust store names, e.g. `tomcat-trust`, `CallManager-trust`. */
  readonly stores: readonly string[];
}

export interface Declarations {
  readonly clusters: readonly ClusterDecl[];
  readonly certificateAuthorities: readonly CertificateAuthorityDecl[];
  readonly certificates: readonly CertificateDecl[];
  readonly trustEntries: readonly TrustEntryDecl[];
  /** Cisco Meeting Server deployments, each its own cluster and stack (model/cms.ts). */
  readonly cmsClusters?: readonly CmsClusterDecl[];
  /** CMS service certificates; they name certificateAuthorities like CUCM certificates do. */
  readonly cmsCertificates?: readonly CmsCertificateDecl[];
  /** The CAs that sign CSRs made on the nodes (lib/issuers): certificates name them with `issuer`. */
  readonly issuers?: readonly IssuerDecl[];
}

/** A declared certificate the plan has issued (CSR on the node, signed by its issuer at apply time). */
export type IssuedCertificateDecl = CertificateDecl & { readonly issuer: string; readonly certificate?: undefined };
/** A declared certificate given as a signed file. */
export type SignedCertificateDecl = CertificateDecl & { readonly certificate: string; readonly issuer?: undefined };

export function isIssuedCertificate(cert: CertificateDecl): cert is IssuedCertificateDecl {
  return cert.issuer !== undefined;
}

export function isSignedCertificate(cert: CertificateDecl): cert is SignedCertificateDecl {
  return cert.certificate !== undefined;
}

/** The file of a signed certificate; throws for an issued one (its leaf exists only after the sign step). */
export function certificateFile(cert: CertificateDecl): string {
  if (cert.certificate === undefined) throw new Error(`The ${cert.purpose} certificate of cluster '${cert.cluster}' is issued by '${cert.issuer}': it has no file before the sign step`);
  return cert.certificate;
}

export function isImpRole(role: NodeRole): boolean {
  return role === 'imp-database-publisher' || role === 'imp-subscriber';
}

export function isPublisherRole(role: NodeRole): boolean {
  return role === 'publisher' || role === 'imp-database-publisher';
}
