/**
 * Cisco Meeting Server (CMS) declarations as plain readonly data (DOMAIN.md §1, §4).
 *
 * A CMS deployment is its own cluster: 1..N servers ("cores") reached over the MMP CLI (SSH)
 * and SFTP, each running some of the services below, plus a clustered database.
 */
import type { CredentialsRef } from './declarations';
import { findByFqdn, shortLabel } from './cluster';
import { shown } from './names';

/** The MMP services that present a certificate (webbridge3 replaces webbridge from CMS 3.0). */
export type CmsService = 'webadmin' | 'callbridge' | 'webbridge' | 'webbridge3' | 'xmpp' | 'turn';

export const CMS_SERVICES: readonly CmsService[] = ['webadmin', 'callbridge', 'webbridge', 'webbridge3', 'xmpp', 'turn'];

/** A server's part in the database cluster: the primary, a replica, a server that only connects, or none. */
export type CmsDatabaseRole = 'primary' | 'replica' | 'connect-only' | 'none';

export const CMS_DATABASE_ROLES: readonly CmsDatabaseRole[] = ['primary', 'replica', 'connect-only', 'none'];

/** One certificate per server (CN = server FQDN), or one shared by the service's peers (CN = cluster FQDN). */
export type CmsCertificateScope = 'per-server' | 'clustered';

/** The user's CA signed a key the user holds (`ca`), or the key was made on the server with `pki csr` (`server-csr`). */
export type CmsCertificateSource = 'ca' | 'server-csr';

export interface CmsServerDecl {
  /** Fully qualified domain name: what TLS and SSH check, and what CSRs name. */
  readonly fqdn: string;
  /** Network address used to reach the MMP and the service ports; defaults to the FQDN. */
  readonly address?: string;
  readonly services: readonly CmsService[];
  readonly databaseRole: CmsDatabaseRole;
  /** Pinned SSH host key fingerprints (`SHA256:…`), as `ssh-keygen -lf` prints them. */
  readonly sshHostKeys: readonly string[];
  /** Port overrides by name (`ssh`, `webadmin-https`, `webbridge-https`, `webbridge3-https`, `sip-tls`, `xmpp-tls`, `turn-tls`). */
  readonly ports: Readonly<Record<string, number>>;
  /** MMP interface the database cluster listens on (`database cluster localnode a`). */
  readonly databaseInterface: string;
}

/** The database cluster certificates, made with the built-in CA of the primary (DOMAIN.md §4). */
export interface CmsDatabaseCertificatesDecl {
  /** Common name of the built-in CA (`pki selfsigned dbca CN:<domain>`), e.g. the deployment's domain. */
  readonly caCommonName: string;
}

export interface CmsClusterDecl {
  readonly name: string;
  /** CMS release, e.g. `2.9` or `3.8`: 3.0 removed the XMPP server and webbridge (replaced by webbridge3). */
  readonly version: string;
  readonly servers: readonly CmsServerDecl[];
  /** CN of clustered certificates (callbridge, turn, xmpp). */
  readonly clusterFqdn?: string;
  /** Host name of the join URL (web bridge), e.g. `join.example.com`. */
  readonly joinUrl?: string;
  /** XMPP domains (webbridge and xmpp SANs). */
  readonly xmppDomains: readonly string[];
  readonly credentials: CredentialsRef;
  /** known_hosts file with the servers' SSH host keys (alternative to per-server pins). */
  readonly knownHostsFile?: string;
  /** Present: re-create the database cluster certificates (an outage of the database cluster). */
  readonly databaseCertificates?: CmsDatabaseCertificatesDecl;
}

/** Optional subject fields of a `pki csr` (CN and SANs follow from the service, DOMAIN.md §4). */
export interface CmsCsrSubjectDecl {
  readonly organizationalUnit?: string;
  readonly organization?: string;
  readonly state?: string;
  /** Two-letter ISO country code. */
  readonly country?: string;
}

export interface CmsCertificateDecl {
  readonly cluster: string;
  readonly service: CmsService;
  readonly scope: CmsCertificateScope;
  /** per-server: the FQDN of the server the certificate is for. */
  readonly server?: string;
  readonly source: CmsCertificateSource;
  /**
   * The signed certificate (PEM or DER). server-csr: where the CA's signed certificate is saved
   * after the plan's manual signing step; it need not exist yet.
   */
  readonly certificate: string;
  /** source `ca`: the private key file, sent over SFTP and referenced by path only. */
  readonly key?: string;
  /** Name of the declared certificate authority that signs it. */
  readonly ca: string;
  /** A CA bundle to send as is (issuing CA first, root last); default: built from the CA. */
  readonly bundle?: string;
  /** Key and certificate basename on the server; default: a new one the plan derives. */
  readonly basename?: string;
  /** server-csr: a label that gives a renewal with unchanged names a new basename (e.g. `2027`). */
  readonly renewal?: string;
  readonly subject?: CmsCsrSubjectDecl;
  /**
   * server-csr: a declared issuer (`issuers:`, lib/issuers) signs the CSR at apply time and the
   * signed certificate is written to `certificate`; absent, a person has the CA sign it (a manual step).
   */
  readonly issuer?: string;
  /**
   * server-csr: the file at `certificate` holds the certificate this one renews, not this one
   * yet, so the plan makes and signs a fresh CSR (phase 1) before it installs anything. Set by
   * `ucrollout renew` with the next `renewal` label; not an inventory key.
   */
  readonly signAgain?: boolean;
}

/**
 * Phase 1 of a server-made certificate's plan: it is still to be signed while its file is not
 * there yet, or holds the certificate it renews (`signAgain`).
 */
export function cmsAwaitsSignature(cert: CmsCertificateDecl, fileExists: (path: string) => boolean): boolean {
  return cert.source === 'server-csr' && (cert.signAgain === true || !fileExists(cert.certificate));
}

/** Major release: 2 (2.9+) or 3 (3.x). */
export function cmsMajor(version: string): number {
  return Number(version.split('.')[0]);
}

export function findCmsServer(cluster: CmsClusterDecl, fqdn: string): CmsServerDecl | undefined {
  return findByFqdn(cluster.servers, fqdn);
}

/** First DNS label, or the whole FQDN when two servers share a first label (step ids). */
export function cmsShortName(cluster: CmsClusterDecl, server: CmsServerDecl): string {
  return shortLabel(cluster.servers, server.fqdn);
}

/** Servers running the service, in declaration order: the peers of a clustered certificate. */
export function cmsPeers(cluster: CmsClusterDecl, service: CmsService): CmsServerDecl[] {
  return cluster.servers.filter((s) => s.services.includes(service));
}

/** The database primary, when one is declared. */
export function cmsDatabasePrimary(cluster: CmsClusterDecl): CmsServerDecl | undefined {
  return cluster.servers.find((s) => s.databaseRole === 'primary');
}

/** `pki csr` basenames: letters, digits, `-` and `_` (DOMAIN.md §4). */
const CMS_BASENAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkCmsBasename(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !CMS_BASENAME.test(value)) {
    return `${prop} must hold only letters, digits, '-' and '_' (a pki key/certificate basename, at most 64), got ${shown(value)}`;
  }
  return undefined;
}

/** Releases this project plans for: 2.9 and later 2.x, and 3.x. */
export function checkCmsVersion(prop: string, value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^(2\.(9|[1-9]\d)|3(\.\d+)?)(\.\d+)*$/.test(text)) {
    return `${prop} must be a Meeting Server release 2.9 or later, such as '2.9' or '3.8', got ${shown(value)}`;
  }
  return undefined;
}
