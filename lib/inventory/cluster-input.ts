/**
 * One normalizer from the user's cluster description (inventory file or construct props)
 * to the model's ClusterDecl, so both front ends apply the same defaults and checks.
 */
import { DEFAULT_ACTIVATED_SERVICES, Service, availabilityProblems } from '../catalog';
import {
  ClusterDecl,
  DEFAULT_CLEANUP_DELAY_SECONDS,
  DEFAULT_VERSION,
  NodeDecl,
  NodeRole,
  checkFqdn,
  checkName,
  checkOneOf,
  shown,
  throwIfProblems,
} from '../model';
import {
  checkAddress,
  checkBoolean,
  checkHostKeys,
  checkList,
  checkMapping,
  checkPath,
  checkPorts,
  checkRelease,
  checkServiceName,
  credentialsRef,
  isMapping,
  unknownKeys,
} from './input-checks';

import { CertificateMonitorInput, RevocationInput, buildCertificateMonitor, buildRevocation } from './settings-input';
import { MembersInput, TimingInput, buildCallManagerGroups, buildImpSubclusters, buildTiming } from './schedule-input';

export { unknownKeys } from './input-checks';

export interface NodeInput {
  readonly fqdn: string;
  readonly address?: string;
  readonly services?: readonly string[];
  readonly api?: string;
  readonly version?: string;
  readonly xmppFederation?: boolean;
  readonly sshHostKeys?: readonly string[];
  readonly ports?: Readonly<Record<string, number>>;
  /** Expected durations of this node's steps (older hardware restarts slower). */
  readonly timing?: TimingInput;
}

export interface ClusterInput {
  readonly name: string;
  readonly publisher: string | NodeInput;
  readonly subscribers?: readonly (string | NodeInput)[];
  readonly imPresence?: {
    readonly databasePublisher: string | NodeInput;
    readonly subscribers?: readonly (string | NodeInput)[];
    /** IM&P subclusters: never both nodes of one restarting at once. */
    readonly subclusters?: readonly MembersInput[];
  };
  readonly securityMode?: string;
  readonly sso?: boolean;
  readonly credentials?: { readonly usernameEnv?: string; readonly passwordEnv?: string; readonly file?: string };
  readonly knownHostsFile?: string;
  readonly httpsCaFile?: string;
  readonly interclusterPeers?: readonly string[];
  readonly callManagerIncludeInactiveNodes?: boolean;
  readonly cleanupDelaySeconds?: number;
  /** Also clean the old self-signed CallManager-trust entries (after the phone reset). */
  readonly cleanupCallManagerTrust?: boolean;
  /** Certificate Expiry Monitor settings (seed 002). */
  readonly certificateMonitor?: CertificateMonitorInput;
  /** OCSP revocation settings (seed 002). */
  readonly revocation?: RevocationInput;
  /** Defaults for every node of the cluster. */
  readonly nodeDefaults?: { readonly api?: string; readonly version?: string };
  /** Expected durations over the defaults (lib/platforms/cucm/timing.ts). */
  readonly timing?: TimingInput;
  /** CallManager groups: call processing restarts in parallel, never a whole group at once. */
  readonly callManagerGroups?: readonly MembersInput[];
}

const CLUSTER_KEYS = [
  'name', 'publisher', 'subscribers', 'imPresence', 'securityMode', 'sso', 'credentials', 'knownHostsFile',
  'httpsCaFile', 'interclusterPeers', 'callManagerIncludeInactiveNodes', 'cleanupDelaySeconds', 'nodeDefaults',
  'cleanupCallManagerTrust', 'certificateMonitor', 'revocation',
  'timing', 'callManagerGroups',
];
const NODE_KEYS = ['fqdn', 'address', 'services', 'api', 'version', 'xmppFederation', 'sshHostKeys', 'ports', 'timing'];
const CUCM_PORTS_EXAMPLE = '{ https: 8443, sip-tls: 5061 }';

/**
 * Checks one cluster description and returns its declaration; throws DeclarationError with
 * every problem, each named `<where>.<field path>` (`clusters[0].publisher.fqdn`,
 * `CucmCluster 'lab'.publisher.fqdn`). The input is read as untyped data: each field's type
 * is checked before it is used.
 */
export function buildCluster(input: ClusterInput, where: string): ClusterDecl {
  const c = input as unknown as Record<string, unknown>;
  const imPresence = isMapping(c.imPresence) ? c.imPresence : undefined;
  const defaults = isMapping(c.nodeDefaults) ? c.nodeDefaults : {};
  const problems: (string | undefined)[] = [
    checkName(`${where}.name`, c.name),
    ...unknownKeys(c, CLUSTER_KEYS, where),
    checkMapping(`${where}.imPresence`, c.imPresence, '{ databasePublisher: imp-pub.example.com, subscribers: [] }'),
    ...unknownKeys(imPresence, ['databasePublisher', 'subscribers', 'subclusters'], `${where}.imPresence`),
    checkMapping(`${where}.nodeDefaults`, c.nodeDefaults, "{ api: rest, version: '15.0' }"),
    ...unknownKeys(c.nodeDefaults, ['api', 'version'], `${where}.nodeDefaults`),
    checkBoolean(`${where}.sso`, c.sso),
    checkBoolean(`${where}.callManagerIncludeInactiveNodes`, c.callManagerIncludeInactiveNodes),
    c.knownHostsFile === undefined ? undefined : checkPath(`${where}.knownHostsFile`, c.knownHostsFile),
    c.httpsCaFile === undefined ? undefined : checkPath(`${where}.httpsCaFile`, c.httpsCaFile),
    defaults.api === undefined ? undefined : checkOneOf(`${where}.nodeDefaults.api`, defaults.api, ['cli', 'rest']),
    checkRelease(`${where}.nodeDefaults.version`, defaults.version),
  ];
  const node = (raw: unknown, role: NodeRole, at: string): NodeDecl | undefined => {
    if (raw === undefined || raw === null) {
      problems.push(`${at} is missing: give the node's FQDN`);
      return undefined;
    }
    if (typeof raw !== 'string' && !isMapping(raw)) {
      problems.push(`${at} must be a node: an FQDN or a mapping with fqdn (and address, services, …), got ${shown(raw)}`);
      return undefined;
    }
    const n: Record<string, unknown> = typeof raw === 'string' ? { fqdn: raw } : raw;
    problems.push(...unknownKeys(n, NODE_KEYS, at));
    const fqdnProblem = checkFqdn(`${at}.fqdn`, n.fqdn);
    problems.push(fqdnProblem);
    const api = n.api ?? defaults.api ?? 'cli';
    // A bad nodeDefaults.api is reported once, at nodeDefaults.
    if (n.api !== undefined) problems.push(checkOneOf(`${at}.api`, api, ['cli', 'rest']));
    problems.push(checkAddress(`${at}.address`, n.address), checkRelease(`${at}.version`, n.version), checkBoolean(`${at}.xmppFederation`, n.xmppFederation));
    problems.push(...checkPorts(`${at}.ports`, n.ports, CUCM_PORTS_EXAMPLE), ...checkHostKeys(`${at}.sshHostKeys`, n.sshHostKeys));
    problems.push(checkList(`${at}.services`, n.services, 'service names such as [Cisco TFTP, Cisco CTIManager]'));
    if (Array.isArray(n.services)) n.services.forEach((s, i) => problems.push(checkServiceName(`${at}.services[${i}]`, s)));
    const timing = buildTiming(n.timing, `${at}.timing`);
    problems.push(...timing.problems);
    const services: string[] = Array.isArray(n.services) ? [...(n.services as string[])] : [...DEFAULT_ACTIVATED_SERVICES[role]];
    if (n.xmppFederation === true && !services.includes(Service.XCP_FEDERATION_CONNECTION_MANAGER)) {
      services.push(Service.XCP_FEDERATION_CONNECTION_MANAGER);
    }
    if (fqdnProblem) return undefined;
    const fqdn = (n.fqdn as string).toLowerCase();
    const version = n.version ?? defaults.version ?? DEFAULT_VERSION;
    return {
      fqdn,
      role,
      address: typeof n.address === 'string' ? n.address : fqdn,
      services,
      api: api as NodeDecl['api'],
      version: String(version),
      sshHostKeys: Array.isArray(n.sshHostKeys) ? [...(n.sshHostKeys as string[])] : [],
      ports: isMapping(n.ports) ? ({ ...n.ports } as Record<string, number>) : {},
      ...(timing.value ? { timing: timing.value } : {}),
    };
  };
  const list = (raw: unknown, role: NodeRole, at: string): (NodeDecl | undefined)[] => {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      problems.push(`${at} must be a list of nodes, got ${shown(raw)}`);
      return [];
    }
    return raw.map((r, i) => node(r, role, `${at}[${i}]`));
  };

  const nodes = [
    node(c.publisher, 'publisher', `${where}.publisher`),
    ...list(c.subscribers, 'subscriber', `${where}.subscribers`),
    ...(imPresence
      ? [
          node(imPresence.databasePublisher, 'imp-database-publisher', `${where}.imPresence.databasePublisher`),
          ...list(imPresence.subscribers, 'imp-subscriber', `${where}.imPresence.subscribers`),
        ]
      : []),
  ].filter((n): n is NodeDecl => !!n);

  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.fqdn)) problems.push(`${where}: node '${n.fqdn}' is declared twice: declare each node once`);
    seen.add(n.fqdn);
  }
  const securityMode = c.securityMode ?? 'non-secure';
  problems.push(checkOneOf(`${where}.securityMode`, securityMode, ['non-secure', 'mixed']));
  const { credentials, problems: credentialProblems } = credentialsRef(c.credentials, `${where}.credentials`);
  problems.push(...credentialProblems);
  problems.push(checkList(`${where}.interclusterPeers`, c.interclusterPeers, 'FQDNs such as [imp-pub.other.example.com]'));
  const peers: unknown[] = Array.isArray(c.interclusterPeers) ? c.interclusterPeers : [];
  peers.forEach((peer, i) => problems.push(checkFqdn(`${where}.interclusterPeers[${i}]`, peer)));
  const delay = c.cleanupDelaySeconds ?? DEFAULT_CLEANUP_DELAY_SECONDS;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0) {
    problems.push(`${where}.cleanupDelaySeconds must be a whole number of seconds ≥ 0, got ${shown(delay)}`);
  }
  problems.push(checkBoolean(`${where}.cleanupCallManagerTrust`, c.cleanupCallManagerTrust));
  const monitor = buildCertificateMonitor(c.certificateMonitor, `${where}.certificateMonitor`);
  const revocation = buildRevocation(c.revocation, `${where}.revocation`);
  problems.push(...monitor.problems, ...revocation.problems);
  const timing = buildTiming(c.timing, `${where}.timing`);
  const groups = buildCallManagerGroups(c.callManagerGroups, `${where}.callManagerGroups`);
  const subclusters = buildImpSubclusters(imPresence?.subclusters, `${where}.imPresence.subclusters`);
  problems.push(...timing.problems, ...groups.problems, ...subclusters.problems);
  throwIfProblems(problems);

  const cluster: ClusterDecl = {
    name: c.name as string,
    nodes,
    securityMode: securityMode as ClusterDecl['securityMode'],
    sso: (c.sso as boolean | undefined) ?? false,
    credentials,
    knownHostsFile: c.knownHostsFile as string | undefined,
    httpsCaFile: c.httpsCaFile as string | undefined,
    interclusterPeers: (peers as string[]).map((p) => p.toLowerCase()),
    callManagerIncludeInactiveNodes: c.callManagerIncludeInactiveNodes as boolean | undefined,
    cleanupDelaySeconds: delay as number,
    ...(c.cleanupCallManagerTrust === true ? { cleanupCallManagerTrust: true } : {}),
    ...(monitor.value ? { certificateMonitor: monitor.value } : {}),
    ...(revocation.value ? { revocation: revocation.value } : {}),
    ...(timing.value ? { timing: timing.value } : {}),
    ...(groups.value && groups.value.length > 0 ? { callManagerGroups: groups.value } : {}),
    ...(subclusters.value && subclusters.value.length > 0 ? { impSubclusters: subclusters.value } : {}),
  };
  // Group and subcluster members must be nodes of the right kind: known only once the nodes are.
  throwIfProblems(availabilityProblems(cluster, where));
  return cluster;
}
