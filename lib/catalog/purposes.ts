/**
 * The certificate purposes of CUCM and IM and Presence (DOMAIN.md §2, §3, §5), as data.
 */
import { Service } from './services';

export type CertPlatform = 'cucm' | 'imp';

/** Which nodes a rule applies to. */
export interface NodeSelector {
  /** Restrict to one platform's nodes; absent means both. */
  readonly platform?: CertPlatform;
  /**
   * `covered`: the nodes the certificate is for (the SAN list of a multi-server
   * certificate, the one node of a single-server one); `publisher`: the platform's
   * publisher (CUCM publisher, or the IM&P database publisher); `all`: every node.
   */
  readonly scope: 'covered' | 'publisher' | 'all';
  /** Only nodes where the service is activated (feature services). */
  readonly whereActivated?: boolean;
  /**
   * Scope `covered` of a multi-server certificate reaches past its SAN list: every node of the
   * platform (where activated), also one left out of the SAN list (seed 000: the CallManager
   * services restart on the nodes where they are activated, e.g. a TFTP-only node).
   */
  readonly beyondSanList?: boolean;
}

export interface RestartRule {
  readonly service: string;
  readonly on: NodeSelector;
}

/** A named TLS port where a purpose's certificate is presented (DOMAIN.md §6). */
export interface ServicePort {
  /** Name used for overrides in a node's `ports`. */
  readonly name: string;
  readonly port: number;
  /** `tls`: handshake at once; `xmpp-starttls`: XMPP stream then STARTTLS. */
  readonly handshake: 'tls' | 'xmpp-starttls';
  /**
   * The service that listens there: the port exists only on nodes running it, and
   * presents a newly uploaded certificate only after this service restarted.
   */
  readonly servedBy: string;
}

export interface PurposeInfo {
  readonly name: string;
  /** The key-usage row family (the name without -ECDSA). */
  readonly family: string;
  readonly keyType: 'RSA' | 'EC';
  readonly platforms: readonly CertPlatform[];
  readonly trustStore: string;
  readonly multiServer: boolean;
  readonly publisherOnly: boolean;
  readonly presentedBy: readonly string[];
  /** The nodes a certificate of this purpose can be for, and a multi-server one must cover. */
  readonly covers: NodeSelector;
  /** Services to restart after the leaf upload, in order, on publisher first then subscribers. */
  readonly restarts: readonly RestartRule[];
  /**
   * Subscribers restart one at a time: tomcat (DOMAIN.md §5), and the purposes whose restarts take
   * call processing down, so phones can fail over to a node that is up. Others: in parallel after the publisher.
   */
  readonly restartOneAtATime: boolean;
  readonly ports: readonly ServicePort[];
  /** Affects phones: the change needs a maintenance window. */
  readonly maintenanceWindow: boolean;
  /** In mixed mode the CTL must be updated before the restarts. */
  readonly ctlUpdateInMixedMode: boolean;
  /** SSO must be disabled before and re-enabled after the rollout. */
  readonly ssoAround: boolean;
  /** Human checks before the leaf is uploaded (the CA-signed certificate goes in only after them). */
  readonly manualBeforeUpload: readonly ManualAction[];
  /** Human checks before the restarts. */
  readonly manualBeforeRestarts: readonly ManualAction[];
  /** Human actions after the restarts. */
  readonly manualAfter: readonly ManualAction[];
  /**
   * Where the old self-signed trust certificates of the replaced identities are deleted
   * (seed 002): IM&P nodes for tomcat, cup-xmpp(-s2s), cup, ipsec; on CUCM nodes only the
   * tomcat-trust ones ("these are the only certificates to delete from CUCM nodes").
   */
  readonly cleanupOn: readonly CertPlatform[];
  /** The clean-up is off unless the cluster opts in (CallManager-trust: seed 002 does not list it). */
  readonly cleanupOptIn: boolean;
  /** The reason a clean-up step cites. */
  readonly cleanupReason: string;
}

/** Something only a person can do or confirm; the plan waits for `ucrollout confirm`. */
export interface ManualAction {
  /** Short id, part of the step id. */
  readonly key: string;
  readonly instruction: string;
  /** The rule the step carries out (its `reason`). @default - the section of DOMAIN.md */
  readonly reason?: string;
}

const TOMCAT_RESTARTS: readonly RestartRule[] = [
  { service: Service.TOMCAT, on: { scope: 'covered' } },
  { service: Service.UDS_TOMCAT, on: { platform: 'cucm', scope: 'covered' } },
  { service: Service.AXL_TOMCAT, on: { platform: 'cucm', scope: 'covered' } },
  { service: Service.DRF_MASTER, on: { platform: 'cucm', scope: 'publisher' } },
  { service: Service.DRF_LOCAL, on: { scope: 'covered' } },
];
const CALLMANAGER_RESTARTS: readonly RestartRule[] = [
  { service: Service.TVS, on: { platform: 'cucm', scope: 'covered', beyondSanList: true } },
  { service: Service.TFTP, on: { platform: 'cucm', scope: 'covered', whereActivated: true, beyondSanList: true } },
  { service: Service.CALLMANAGER, on: { platform: 'cucm', scope: 'covered', whereActivated: true, beyondSanList: true } },
  { service: Service.CTIMANAGER, on: { platform: 'cucm', scope: 'covered', whereActivated: true, beyondSanList: true } },
];
// DOMAIN.md §5: after an ipsec change, DRF Master on the publisher and DRF Local on every node (not only the certificate's).
const IPSEC_RESTARTS: readonly RestartRule[] = [
  { service: Service.DRF_MASTER, on: { platform: 'cucm', scope: 'publisher' } },
  { service: Service.DRF_LOCAL, on: { scope: 'all' } },
];
const CUP_RESTARTS: readonly RestartRule[] = [
  { service: Service.SIP_PROXY, on: { platform: 'imp', scope: 'covered' } },
  { service: Service.PRESENCE_ENGINE, on: { platform: 'imp', scope: 'covered' } },
];

const HTTPS: ServicePort = { name: 'https', port: 8443, handshake: 'tls', servedBy: Service.TOMCAT };
const SIP_TLS: ServicePort = { name: 'sip-tls', port: 5061, handshake: 'tls', servedBy: Service.CALLMANAGER };
const CTI_TLS: ServicePort = { name: 'cti-tls', port: 2749, handshake: 'tls', servedBy: Service.CTIMANAGER };
const TVS_PORT: ServicePort = { name: 'tvs', port: 2445, handshake: 'tls', servedBy: Service.TVS };
const CAPF_PORT: ServicePort = { name: 'capf', port: 3804, handshake: 'tls', servedBy: Service.CAPF };
const CUP_SIP_TLS: ServicePort = { name: 'sip-tls', port: 5061, handshake: 'tls', servedBy: Service.SIP_PROXY };
const CUP_SIP_TLS_PEER: ServicePort = { name: 'sip-tls-peer', port: 5062, handshake: 'tls', servedBy: Service.SIP_PROXY };
const XMPP_C2S: ServicePort = { name: 'xmpp-client', port: 5222, handshake: 'xmpp-starttls', servedBy: Service.XCP_ROUTER };
const XMPP_S2S: ServicePort = {
  name: 'xmpp-server',
  port: 5269,
  handshake: 'xmpp-starttls',
  servedBy: Service.XCP_FEDERATION_CONNECTION_MANAGER,
};

const PHONE_RESET: ManualAction = {
  key: 'reset-phones',
  instruction: 'Reset the phones so they download the new trust list (ITL/CTL) and re-register',
};

interface Family {
  readonly family: string;
  readonly platforms: readonly CertPlatform[];
  readonly trustStore: string;
  readonly multiServer: boolean;
  readonly publisherOnly?: boolean;
  readonly presentedBy: readonly string[];
  readonly covers: NodeSelector;
  readonly restarts: readonly RestartRule[];
  readonly restartOneAtATime?: boolean;
  readonly ports: readonly ServicePort[];
  readonly maintenanceWindow?: boolean;
  readonly ctlUpdateInMixedMode?: boolean;
  readonly ssoAround?: boolean;
  readonly manualBeforeUpload?: readonly ManualAction[];
  readonly manualBeforeRestarts?: readonly ManualAction[];
  readonly manualAfter?: readonly ManualAction[];
  readonly cleanupOn?: readonly CertPlatform[];
  readonly cleanupOptIn?: boolean;
  readonly cleanupReason?: string;
  /** Has an -ECDSA twin. */
  readonly ecdsa: boolean;
}

const FAMILIES: readonly Family[] = [
  {
    family: 'tomcat',
    platforms: ['cucm', 'imp'],
    trustStore: 'tomcat-trust',
    multiServer: true,
    presentedBy: [Service.TOMCAT, Service.AXL_WEB_SERVICE, Service.CLIENT_PROFILE_AGENT],
    covers: { scope: 'all' },
    restarts: TOMCAT_RESTARTS,
    restartOneAtATime: true,
    ports: [HTTPS],
    ssoAround: true,
    manualAfter: [{ key: 'drf-backup', instruction: 'Take a DRF backup: the tomcat certificate changed' }],
    cleanupOn: ['cucm', 'imp'],
    cleanupReason:
      'seed 002: after the CA-signed certificate, delete the self-signed tomcat-trust certificates on every IM&P node and, the only ones on CUCM nodes, the self-signed tomcat-trust entries (CSCur97909)',
    ecdsa: true,
  },
  {
    family: 'CallManager',
    platforms: ['cucm'],
    trustStore: 'CallManager-trust',
    multiServer: true,
    presentedBy: [Service.CALLMANAGER, Service.TFTP, Service.CTIMANAGER, Service.TVS],
    covers: { platform: 'cucm', scope: 'all' },
    restarts: CALLMANAGER_RESTARTS,
    restartOneAtATime: true,
    ports: [SIP_TLS, CTI_TLS],
    maintenanceWindow: true,
    ctlUpdateInMixedMode: true,
    manualBeforeUpload: [
      {
        key: 'phones-trust-tvs',
        instruction:
          'Confirm that the phones trust the TVS certificate in service (e.g. the corporate directory or another HTTPS service works from a phone) before the CA-signed CallManager certificate is signed and installed',
        reason: 'seed 000 (CallManager multi-server SAN): before the CA-signed SAN certificate for CUCM, make sure the IP phones trust the Trust Verification Service',
      },
    ],
    manualAfter: [PHONE_RESET],
    cleanupOn: ['cucm'],
    cleanupOptIn: true,
    cleanupReason:
      'opted in (cleanupCallManagerTrust): seed 002 does not list CallManager-trust among the stores to clean, so it runs only when declared, and after the phones were reset and re-registered (CSCur97909)',
    ecdsa: true,
  },
  {
    family: 'CAPF',
    platforms: ['cucm'],
    trustStore: 'CAPF-trust',
    multiServer: false,
    publisherOnly: true,
    presentedBy: [Service.CAPF],
    covers: { platform: 'cucm', scope: 'publisher' },
    restarts: [
      { service: Service.TVS, on: { platform: 'cucm', scope: 'all' } },
      { service: Service.TFTP, on: { platform: 'cucm', scope: 'all', whereActivated: true } },
      { service: Service.CAPF, on: { platform: 'cucm', scope: 'publisher' } },
    ],
    restartOneAtATime: true,
    ports: [CAPF_PORT],
    maintenanceWindow: true,
    ctlUpdateInMixedMode: true,
    manualAfter: [PHONE_RESET],
    ecdsa: false,
  },
  {
    family: 'TVS',
    platforms: ['cucm'],
    trustStore: 'TVS-trust',
    multiServer: true,
    presentedBy: [Service.TVS],
    covers: { platform: 'cucm', scope: 'all' },
    restarts: [
      { service: Service.TFTP, on: { platform: 'cucm', scope: 'covered', whereActivated: true } },
      { service: Service.TVS, on: { platform: 'cucm', scope: 'covered' } },
    ],
    restartOneAtATime: true,
    ports: [TVS_PORT],
    maintenanceWindow: true,
    manualAfter: [PHONE_RESET],
    ecdsa: false,
  },
  {
    family: 'ipsec',
    platforms: ['cucm', 'imp'],
    trustStore: 'ipsec-trust',
    multiServer: false,
    presentedBy: [Service.IPSEC_POLICY],
    covers: { scope: 'all' },
    restarts: IPSEC_RESTARTS,
    ports: [],
    manualBeforeRestarts: [
      { key: 'no-drf-job', instruction: 'Confirm that no DRF backup or restore is running (the DRF services restart)' },
    ],
    cleanupOn: ['imp'],
    cleanupReason: 'seed 002: delete the self-signed ipsec-trust certificates on the IM&P nodes; on CUCM nodes only tomcat-trust is cleaned',
    ecdsa: false,
  },
  {
    family: 'cup',
    platforms: ['imp'],
    trustStore: 'cup-trust',
    multiServer: false,
    presentedBy: [Service.SIP_PROXY, Service.PRESENCE_ENGINE],
    covers: { platform: 'imp', scope: 'all' },
    restarts: CUP_RESTARTS,
    ports: [CUP_SIP_TLS, CUP_SIP_TLS_PEER],
    cleanupOn: ['imp'],
    cleanupReason: 'seed 002: delete the self-signed cup-trust certificates on every IM&P node (CSCur97909)',
    ecdsa: true,
  },
  {
    family: 'cup-xmpp',
    platforms: ['imp'],
    trustStore: 'cup-xmpp-trust',
    multiServer: true,
    presentedBy: [Service.XCP_CONNECTION_MANAGER, Service.XCP_WEB_CONNECTION_MANAGER, Service.XCP_DIRECTORY_SERVICE, Service.XCP_ROUTER],
    covers: { platform: 'imp', scope: 'all' },
    restarts: [{ service: Service.XCP_ROUTER, on: { platform: 'imp', scope: 'covered' } }],
    ports: [XMPP_C2S],
    cleanupOn: ['imp'],
    cleanupReason: 'seed 002: delete the self-signed cup-xmpp-trust certificates on every IM&P node (CSCur97909)',
    ecdsa: true,
  },
  {
    family: 'cup-xmpp-s2s',
    platforms: ['imp'],
    trustStore: 'cup-xmpp-trust',
    multiServer: true,
    presentedBy: [Service.XCP_FEDERATION_CONNECTION_MANAGER],
    covers: { platform: 'imp', scope: 'all' },
    restarts: [
      { service: Service.XCP_FEDERATION_CONNECTION_MANAGER, on: { platform: 'imp', scope: 'covered', whereActivated: true } },
    ],
    ports: [XMPP_S2S],
    cleanupOn: ['imp'],
    cleanupReason: 'seed 002: delete the self-signed cup-xmpp-trust certificates on every IM&P node (CSCur97909)',
    ecdsa: true,
  },
];

function expand(f: Family): PurposeInfo[] {
  const base: PurposeInfo = {
    name: f.family,
    family: f.family,
    keyType: 'RSA',
    platforms: f.platforms,
    trustStore: f.trustStore,
    multiServer: f.multiServer,
    publisherOnly: f.publisherOnly ?? false,
    presentedBy: f.presentedBy,
    covers: f.covers,
    restarts: f.restarts,
    restartOneAtATime: f.restartOneAtATime ?? false,
    ports: f.ports,
    maintenanceWindow: f.maintenanceWindow ?? false,
    ctlUpdateInMixedMode: f.ctlUpdateInMixedMode ?? false,
    ssoAround: f.ssoAround ?? false,
    manualBeforeUpload: f.manualBeforeUpload ?? [],
    manualBeforeRestarts: f.manualBeforeRestarts ?? [],
    manualAfter: f.manualAfter ?? [],
    cleanupOn: f.cleanupOn ?? [],
    cleanupOptIn: f.cleanupOptIn ?? false,
    cleanupReason: f.cleanupReason ?? 'seed 002: this trust store is not among those to clean',
  };
  return f.ecdsa ? [base, { ...base, name: `${f.family}-ECDSA`, keyType: 'EC' }] : [base];
}

/** Every CUCM and IM&P purpose, in the order of DOMAIN.md §2. */
export const PURPOSES: readonly PurposeInfo[] = FAMILIES.flatMap(expand);

const BY_NAME = new Map(PURPOSES.map((p) => [p.name, p]));

export function purposeNames(): string[] {
  return PURPOSES.map((p) => p.name);
}

export function findPurpose(name: string): PurposeInfo | undefined {
  return BY_NAME.get(name);
}

/** The purpose of that name; throws with the list of known purposes otherwise. */
export function getPurpose(name: string): PurposeInfo {
  const p = BY_NAME.get(name);
  if (!p) throw new Error(`Unknown certificate purpose '${name}': use one of ${purposeNames().join(', ')}`);
  return p;
}

/** Trust stores that exist on CUCM / IM&P nodes. */
export function trustStoreNames(): string[] {
  return [...new Set(PURPOSES.map((p) => p.trustStore))].sort();
}

/**
 * Restarts after a trust entry (a certificate uploaded on its own, e.g. an Expressway-C or
 * IM&P certificate) lands in a store (DOMAIN.md §3 step 4): the service that reads the store.
 */
export const TRUST_ENTRY_RESTARTS: Readonly<Record<string, RestartRule>> = {
  'cup-trust': { service: Service.SIP_PROXY, on: { platform: 'imp', scope: 'all' } },
  'CallManager-trust': { service: Service.CALLMANAGER, on: { platform: 'cucm', scope: 'all', whereActivated: true } },
};

/** The platforms whose purposes use a trust store. */
export function trustStorePlatforms(store: string): CertPlatform[] {
  const platforms = new Set(PURPOSES.filter((p) => p.trustStore === store).flatMap((p) => p.platforms));
  return (['cucm', 'imp'] as const).filter((p) => platforms.has(p));
}
