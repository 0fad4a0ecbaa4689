/** Meeting Server services that present a certificate (DOMAIN.md §4). */
export enum CmsService {
  WEBADMIN = 'webadmin',
  CALLBRIDGE = 'callbridge',
  /** Web Bridge 2: CMS 2.x only. */
  WEBBRIDGE = 'webbridge',
  /** Web Bridge 3: CMS 3.x. */
  WEBBRIDGE3 = 'webbridge3',
  /** The XMPP server: CMS 2.x only. */
  XMPP = 'xmpp',
  TURN = 'turn',
}

/** A server's part in the Meeting Server database cluster. */
export enum CmsDatabaseRole {
  PRIMARY = 'primary',
  REPLICA = 'replica',
  /** Connects to the database cluster without holding a copy. */
  CONNECT_ONLY = 'connect-only',
  NONE = 'none',
}

/** One certificate per server, or one shared by the service's peers (CN = cluster FQDN, SANs = peers). */
export enum CmsCertificateScope {
  PER_SERVER = 'per-server',
  CLUSTERED = 'clustered',
}

/** Where the key of a CMS certificate comes from. */
export enum CmsCertificateSource {
  /** Your key and the certificate your CA signed for it (files). */
  CERTIFICATE_AUTHORITY = 'ca',
  /** A key made on the server with `pki csr`; the plan fetches the CSR and waits for the CA's signature. */
  SERVER_CSR = 'server-csr',
}
