import { Construct } from 'constructs';
import { CmsClusterInput, buildCmsCluster } from '../lib/inventory/cms-input';
import { CmsClusterDecl } from '../lib/model';
import { CmsDatabaseRole, CmsService } from './cms-enums';
import { CredentialsProps } from './cucm-cluster';
import { brand, hasBrand } from './brand';

const CMS_CLUSTER_SYMBOL = Symbol.for('uc-cert-rollout.CmsCluster');

/** One Meeting Server ("core"), reached over the MMP (SSH) and SFTP. */
export interface CmsServerProps {
  /**
   * Fully qualified domain name: what TLS and SSH check, and what CSRs name.
   */
  readonly fqdn: string;

  /**
   * Address to connect to.
   *
   * @default - the FQDN
   */
  readonly address?: string;

  /**
   * Services of the server that present a certificate.
   *
   * @default - none
   */
  readonly services?: CmsService[];

  /**
   * Part in the database cluster.
   *
   * @default CmsDatabaseRole.NONE
   */
  readonly databaseRole?: CmsDatabaseRole;

  /**
   * MMP interface of `database cluster localnode`.
   *
   * @default 'a'
   */
  readonly databaseInterface?: string;

  /**
   * Pinned SSH host key fingerprints, `SHA256:<base64>` as `ssh-keygen -lf` prints them.
   *
   * @default - the cluster's knownHostsFile
   */
  readonly sshHostKeys?: string[];

  /**
   * Port overrides by name (`ssh`, `webadmin-https`, `webbridge-https`, `webbridge3-https`, `sip-tls`, `xmpp-tls`, `turn-tls`).
   *
   * @default - 22, and the service ports of DOMAIN.md §6 (turn-tls: not checked)
   */
  readonly ports?: { [name: string]: number };
}

/** Re-create the database cluster certificates with the built-in CA of the primary. */
export interface CmsDatabaseCertificatesProps {
  /**
   * Common name of the built-in CA (`pki selfsigned dbca CN:<domain>`), e.g. the domain.
   */
  readonly caCommonName: string;
}

export interface CmsClusterProps {
  /**
   * Cluster name: the Terraform stack's and the plan's name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Meeting Server release, e.g. '2.9' or '3.8' (3.0 removed xmpp and webbridge, added webbridge3).
   */
  readonly version: string;

  /**
   * The servers, in the order clustered certificates change (one at a time).
   */
  readonly servers: CmsServerProps[];

  /**
   * CN of clustered certificates.
   *
   * @default - none: no clustered certificate can be declared
   */
  readonly clusterFqdn?: string;

  /**
   * Host name of the join URL, e.g. `join.example.com` (webbridge SANs).
   *
   * @default - none: no webbridge certificate can be declared
   */
  readonly joinUrl?: string;

  /**
   * XMPP domains (webbridge and xmpp SANs).
   *
   * @default - none
   */
  readonly xmppDomains?: string[];

  /**
   * Credentials references of the MMP admin user.
   *
   * @default - UCROLLOUT_USERNAME / UCROLLOUT_PASSWORD
   */
  readonly credentials?: CredentialsProps;

  /**
   * known_hosts file with the servers' SSH host keys.
   *
   * @default - per-server sshHostKeys
   */
  readonly knownHostsFile?: string;

  /**
   * Re-create the database cluster certificates (an outage of the database cluster).
   *
   * @default - the database cluster certificates are left as they are
   */
  readonly databaseCertificates?: CmsDatabaseCertificatesProps;
}

/** A Cisco Meeting Server deployment. Declare one per RolloutStack (its own stack, not with a CucmCluster). */
export class CmsCluster extends Construct {
  /** True when `x` is a CmsCluster (of any copy of this package). */
  public static isCmsCluster(x: unknown): x is CmsCluster {
    return hasBrand(x, CMS_CLUSTER_SYMBOL);
  }

  /** The cluster name. */
  public readonly name: string;

  /** FQDNs of every server, in declaration order. */
  public readonly serverNames: string[];

  /** @internal */
  public readonly _decl: CmsClusterDecl;

  constructor(scope: Construct, id: string, props: CmsClusterProps) {
    super(scope, id);
    brand(this, CMS_CLUSTER_SYMBOL);
    this.name = props.name ?? id;
    const input: CmsClusterInput = { ...props, name: this.name };
    this._decl = buildCmsCluster(input, `CmsCluster '${id}'`);
    this.serverNames = this._decl.servers.map((s) => s.fqdn);
  }
}
