import { Construct } from 'constructs';
import { ClusterInput, buildCluster } from '../lib/inventory/cluster-input';
import { ClusterDecl } from '../lib/model';
import { NodeApi, SecurityMode } from './enums';
import { brand, hasBrand } from './brand';

const CLUSTER_SYMBOL = Symbol.for('uc-cert-rollout.CucmCluster');

/** One CUCM or IM and Presence node. */
export interface ClusterNodeProps {
  /**
   * Fully qualified domain name: what TLS and SSH check.
   */
  readonly fqdn: string;

  /**
   * Address to connect to.
   *
   * @default - the FQDN
   */
  readonly address?: string;

  /**
   * Activated feature services, as `utils service list` names them.
   *
   * @default - the usual services of the node's role (publisher: CallManager, TFTP, CTIManager, CAPF, DRF Master)
   */
  readonly services?: string[];

  /**
   * How certificates are uploaded to this node.
   *
   * @default NodeApi.CLI
   */
  readonly api?: NodeApi;

  /**
   * Software release (decides the CLI output format and whether the REST API exists).
   *
   * @default '15.0'
   */
  readonly version?: string;

  /**
   * IM&P node running XMPP federation (the XCP XMPP Federation Connection Manager).
   *
   * @default false
   */
  readonly xmppFederation?: boolean;

  /**
   * Pinned SSH host key fingerprints, `SHA256:<base64>` as `ssh-keygen -lf` prints them.
   *
   * @default - the cluster's knownHostsFile
   */
  readonly sshHostKeys?: string[];

  /**
   * Service port overrides by name (`https`, `sip-tls`, `ssh`, …).
   *
   * @default - the catalog's ports
   */
  readonly ports?: { [name: string]: number };

  /**
   * Expected durations of this node's steps, over the cluster's (older hardware restarts slower).
   *
   * @default - the cluster's timing
   */
  readonly timing?: TimingProps;
}

/** Expected durations over the defaults: for the window estimate in PLAN.md and the scheduler. */
export interface TimingProps {
  /**
   * Seconds of a service restart by service name (`{ 'Cisco Tomcat': 600 }`).
   *
   * @default - Cisco Tomcat 420, Cisco CallManager 240, Cisco XCP Router 240, Cisco TFTP and Cisco CTIManager 90, others 60
   */
  readonly restartSeconds?: { [service: string]: number };

  /**
   * Seconds of a step by kind (`upload-identity`) or by step id (`tomcat/manual/drf-backup`); an id wins.
   *
   * @default - preflight 30, upload-trust 60, upload-identity 120, verify 15, cleanup 60 plus its wait
   */
  readonly stepSeconds?: { [kindOrStepId: string]: number };

  /**
   * Seconds a person takes for a manual step.
   *
   * @default 300
   */
  readonly manualSeconds?: number;

  /**
   * Multiplies every restart duration (1.5: half as long again).
   *
   * @default 1
   */
  readonly restartFactor?: number;
}

/** A named set of nodes that must not all restart at once: a CallManager group, an IM&P subcluster. */
export interface NodeGroupProps {
  /**
   * The name, as CUCM shows it.
   */
  readonly name: string;

  /**
   * FQDNs of the member nodes.
   */
  readonly members: string[];
}

/** The IM and Presence part of a cluster. */
export interface ImPresenceProps {
  /**
   * The IM&P database publisher.
   */
  readonly databasePublisher: ClusterNodeProps;

  /**
   * IM&P subscribers.
   *
   * @default - none
   */
  readonly subscribers?: ClusterNodeProps[];

  /**
   * IM&P subclusters (one or two nodes each): never both nodes of one restart at once.
   *
   * @default - none: the IM&P subscribers restart together after the database publisher
   */
  readonly subclusters?: NodeGroupProps[];
}

/** Where the executor finds the platform admin credentials (names, never the secrets). */
export interface CredentialsProps {
  /**
   * Environment variable holding the user name.
   *
   * @default 'UCROLLOUT_USERNAME'
   */
  readonly usernameEnv?: string;

  /**
   * Environment variable holding the password.
   *
   * @default 'UCROLLOUT_PASSWORD'
   */
  readonly passwordEnv?: string;

  /**
   * JSON file `{ "username", "password" }` read when the variables are unset.
   *
   * @default - none
   */
  readonly file?: string;
}

export interface CucmClusterProps {
  /**
   * Cluster name: the Terraform stack's and the plan's name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The CUCM publisher.
   */
  readonly publisher: ClusterNodeProps;

  /**
   * CUCM subscribers, in the order they restart.
   *
   * @default - none
   */
  readonly subscribers?: ClusterNodeProps[];

  /**
   * IM and Presence nodes of the cluster.
   *
   * @default - none
   */
  readonly imPresence?: ImPresenceProps;

  /**
   * Cluster security mode (Enterprise Parameters).
   *
   * @default SecurityMode.NON_SECURE
   */
  readonly securityMode?: SecurityMode;

  /**
   * SAML SSO is enabled: it is disabled around tomcat changes.
   *
   * @default false
   */
  readonly sso?: boolean;

  /**
   * Credentials references.
   *
   * @default - UCROLLOUT_USERNAME / UCROLLOUT_PASSWORD
   */
  readonly credentials?: CredentialsProps;

  /**
   * known_hosts file with the nodes' SSH host keys.
   *
   * @default - per-node sshHostKeys
   */
  readonly knownHostsFile?: string;

  /**
   * CA bundle that verifies the nodes' HTTPS (8443) certificates.
   *
   * @default - the declared CAs only
   */
  readonly httpsCaFile?: string;

  /**
   * IM&P database publishers of other clusters that sync trust through the Intercluster Sync Agent.
   *
   * @default - none
   */
  readonly interclusterPeers?: string[];

  /**
   * CallManager multi-server: keep (true) or drop (false) CUCM nodes without the CallManager service.
   *
   * @default - must be set when such a node exists
   */
  readonly callManagerIncludeInactiveNodes?: boolean;

  /**
   * Seconds to wait before deleting old self-signed trust certificates (Intercluster Sync Agent clean-up).
   *
   * @default 1800
   */
  readonly cleanupDelaySeconds?: number;

  /**
   * Expected durations over the defaults, for the window estimate and the scheduler.
   *
   * @default - the defaults of lib/platforms/cucm/timing.ts
   */
  readonly timing?: TimingProps;

  /**
   * CallManager groups (two or more CUCM nodes each): never every member of a group restarts Cisco
   * CallManager at once, and call processing restarts in parallel where the groups allow.
   *
   * @default - none: call processing restarts one node at a time, publisher first
   */
  readonly callManagerGroups?: NodeGroupProps[];

  /**
   * Also delete the old self-signed CallManager-trust entries, after the phones were reset and re-registered.
   *
   * @default false - seed 002 does not list CallManager-trust among the stores to clean
   */
  readonly cleanupCallManagerTrust?: boolean;

  /**
   * Certificate Expiry Monitor settings: the plan states them as a manual step (seed 002).
   *
   * @default - not part of the plan
   */
  readonly certificateMonitor?: CertificateMonitorProps;

  /**
   * OCSP revocation settings: the plan states them as a manual step (seed 002).
   *
   * @default - not part of the plan
   */
  readonly revocation?: RevocationProps;
}

/** Security > Certificate Monitor (seed 002). */
export interface CertificateMonitorProps {
  /**
   * Notification Start Time: days before expiry.
   */
  readonly notificationStartDays: number;

  /**
   * Notification Frequency, in hours.
   *
   * @default 24
   */
  readonly notificationFrequencyHours?: number;

  /**
   * Enable E-mail notification.
   *
   * @default - true when emailIds are given
   */
  readonly emailNotification?: boolean;

  /**
   * E-mail IDs the notifications go to.
   *
   * @default - none
   */
  readonly emailIds?: string[];

  /**
   * Enable LSC Monitoring.
   *
   * @default false
   */
  readonly lscMonitoring?: boolean;
}

/** Security > Certificate Revocation (OCSP) and the Certificate Validity Check enterprise parameters (seed 002). */
export interface RevocationProps {
  /**
   * The OCSP responder URI ("Use configured OCSP URI").
   *
   * @default - the OCSP URI from the certificate
   */
  readonly ocspResponder?: string;

  /**
   * Enable Revocation Check, Check Every: hours.
   *
   * @default 24
   */
  readonly checkIntervalHours?: number;

  /**
   * Enterprise parameter Certificate Validity Check (long-lived CTI, IPsec, LDAP links).
   *
   * @default false
   */
  readonly validityCheck?: boolean;

  /**
   * Enterprise parameter Validity Check Frequency, in hours.
   *
   * @default - the platform's
   */
  readonly validityCheckFrequencyHours?: number;
}

/** A CUCM cluster with its IM and Presence nodes. Declare one per RolloutStack. */
export class CucmCluster extends Construct {
  /** True when `x` is a CucmCluster (of any copy of this package). */
  public static isCucmCluster(x: unknown): x is CucmCluster {
    return hasBrand(x, CLUSTER_SYMBOL);
  }

  /** The cluster name. */
  public readonly name: string;

  /** FQDNs of every node, publisher first. */
  public readonly nodeNames: string[];

  /** @internal */
  public readonly _decl: ClusterDecl;

  constructor(scope: Construct, id: string, props: CucmClusterProps) {
    super(scope, id);
    brand(this, CLUSTER_SYMBOL);
    this.name = props.name ?? id;
    const input: ClusterInput = {
      ...props,
      name: this.name,
    };
    this._decl = buildCluster(input, `CucmCluster '${id}'`);
    this.nodeNames = this._decl.nodes.map((n) => n.fqdn);
  }
}
