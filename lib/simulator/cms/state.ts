/**
 * The persistent state of the simulated Meeting Servers, kept in state.json beside the CUCM
 * nodes: each server's files (the MMP user's SFTP folder, bytes stored by content under the
 * state folder, private keys only under keys/), its services (configured files, enabled, what
 * the port presents) and its part in the database cluster.
 */
import { CmsService } from '../../model';

export interface CmsFileRecord {
  /** Relative to the state folder: `keys/cms/<sha256>.key` for a private key, `cms-files/<sha256>` otherwise. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly privateKey: boolean;
  readonly modifiedAt: string;
}

/** What a running service presents: read from its configured files when it was enabled or restarted. */
export interface CmsPresented {
  /** Private key, relative to the state folder (in the key store). */
  readonly keyPath: string;
  /** Leaf first, then the bundle's certificates in the order given. */
  readonly chain: readonly string[];
  readonly leafSha256: string;
  readonly since: string;
}

export interface CmsServiceRecord {
  /** Services with disable / enable; callbridge is always enabled. */
  enabled: boolean;
  /** Files named by `<service> certs` (webbridge3: `certificate` is the full chain, no bundle). */
  key?: string;
  certificate?: string;
  bundle?: string;
  /** Undefined: the port drops connections. */
  presents?: CmsPresented;
  /** Between the start and the end of a restart or an enable. */
  restarting?: boolean;
  /** Why the service is not serving although enabled (a failed restart, its key replaced by `pki csr`). */
  failure?: string;
}

/** The files `database cluster certs` named. */
export interface CmsDatabaseCerts {
  readonly serverKey?: string;
  readonly serverCertificate?: string;
  readonly clientKey: string;
  readonly clientCertificate: string;
  readonly caCertificate: string;
}

export type CmsDatabaseMembership = 'none' | 'primary' | 'replica' | 'connected';

export interface CmsDatabaseRecord {
  membership: CmsDatabaseMembership;
  /** Replica or connected: the primary it joined or connected to. */
  primary?: string;
  /** The cluster epoch it belongs to: a new `initialize` starts a new one and leaves the old members out. */
  epoch?: number;
  certs?: CmsDatabaseCerts;
  /** `database cluster localnode <if>`. */
  localnode?: string;
  /** Primary: when `initialize` completes (`Connected Primary` from then on). */
  connectedAt?: string;
  /** Its key was replaced by `pki csr`: the database connection fails. */
  failure?: string;
  lastCommand?: string;
}

export interface CmsServerState {
  readonly fqdn: string;
  readonly cluster: string;
  /** SSH host key file, relative to the state folder. */
  readonly sshHostKeyFile: string;
  /** The MMP user's folder: what `pki list` and SFTP show, by file name. */
  files: Record<string, CmsFileRecord>;
  services: Partial<Record<CmsService, CmsServiceRecord>>;
  database: CmsDatabaseRecord;
}

export interface CmsClusterDatabase {
  /** Increased by every `initialize` and by `remove` on the primary. */
  epoch: number;
  /** The server that initialized the current epoch, while it has not been removed. */
  primary?: string;
}
