/**
 * One normalizer from the user's cluster description (inventory file or construct props)
 * to the model's ClusterDecl, so both front ends apply the same defaults and checks.
 */
import { DEFAULT_ACTIVATED_SERVICES, Service } from '../catalog';
import {
  ClusterDecl,
  DEFAULT_CLEANUP_DELAY_SECONDS,
  DEFAULT_CREDENTIALS,
  DEFAULT_VERSION,
  NodeDecl,
  NodeRole,
  checkEnvName,
  checkFqdn,
  checkName,
  checkOneOf,
  checkPort,
  throwIfProblems,
} from '../model';

export interface NodeInput {
  readonly fqdn: string;
  readonly address?: string;
  readonly services?: readonly string[];
  readonly api?: string;
  readonly version?: string;
  readonly xmppFederation?: boolean;
  readonly sshHostKeys?: readonly string[];
  readonly ports?: Readonly<Record<string, number>>;
}

export interface ClusterInput {
  readonly name: string;
  readonly publisher: string | NodeInput;
  readonly subscribers?: readonly (string | NodeInput)[];
  readonly imPresence?: {
    readonly databasePublisher: string | NodeInput;
    readonly subscribers?: readonly (string | NodeInput)[];
  };
  readonly securityMode?: string;
  readonly sso?: boolean;
  readonly credentials?: { readonly usernameEnv?: string; readonly passwordEnv?: string; readonly file?: string };
  readonly knownHostsFile?: string;
  readonly httpsCaFile?: string;
  readonly interclusterPeers?: readonly string[];
  readonly callManagerIncludeInactiveNodes?: boolean;
  readonly cleanupDelaySeconds?: number;
  /** Defaults for every node of the cluster. */
  readonly nodeDefaults?: { readonly api?: string; readonly version?: string };
}

const CLUSTER_KEYS = [
  'name', 'publisher', 'subscribers', 'imPresence', 'securityMode', 'sso', 'credentials', 'knownHostsFile',
  'httpsCaFile', 'interclusterPeers', 'callManagerIncludeInactiveNodes', 'cleanupDelaySeconds', 'nodeDefaults',
];
const NODE_KEYS = ['fqdn', 'address', 'services', 'api', 'version', 'xmppFederation', 'sshHostKeys', 'ports'];

/** A misspelt key would silently fall back to a default (e.g. `securitymode: mixed` planning as non-secure). */
export function unknownKeys(value: unknown, allowed: readonly string[], at: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${at}: unknown key '${k}': use ${allowed.join(', ')}`);
}

export function buildCluster(input: ClusterInput, where: string): ClusterDecl {
  const problems: (string | undefined)[] = [
    checkName(`${where}.name`, input.name),
    ...unknownKeys(input, CLUSTER_KEYS, where),
    ...unknownKeys(input.imPresence, ['databasePublisher', 'subscribers'], `${where}.imPresence`),
    ...unknownKeys(input.credentials, ['usernameEnv', 'passwordEnv', 'file'], `${where}.credentials`),
    ...unknownKeys(input.nodeDefaults, ['api', 'version'], `${where}.nodeDefaults`),
  ];
  const defaults = input.nodeDefaults ?? {};
  const node = (raw: string | NodeInput | undefined, role: NodeRole, at: string): NodeDecl | undefined => {
    if (raw === undefined || raw === null) {
      problems.push(`${at} is missing: give the node's FQDN`);
      return undefined;
    }
    const n: NodeInput = typeof raw === 'string' ? { fqdn: raw } : raw;
    problems.push(...unknownKeys(n, NODE_KEYS, at));
    const fqdnProblem = checkFqdn(`${at}.fqdn`, n.fqdn);
    problems.push(fqdnProblem);
    const api = n.api ?? defaults.api ?? 'cli';
    problems.push(checkOneOf(`${at}.api`, api, ['cli', 'rest']));
    for (const [name, port] of Object.entries(n.ports ?? {})) problems.push(checkPort(`${at}.ports.${name}`, port));
    for (const [i, key] of (n.sshHostKeys ?? []).entries()) {
      if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(key)) {
        problems.push(`${at}.sshHostKeys[${i}] must be an OpenSSH fingerprint 'SHA256:<base64>' (ssh-keygen -lf), got ${JSON.stringify(key)}`);
      }
    }
    const services = [...(n.services ?? DEFAULT_ACTIVATED_SERVICES[role])];
    if (n.xmppFederation && !services.includes(Service.XCP_FEDERATION_CONNECTION_MANAGER)) {
      services.push(Service.XCP_FEDERATION_CONNECTION_MANAGER);
    }
    if (fqdnProblem) return undefined;
    return {
      fqdn: n.fqdn.toLowerCase(),
      role,
      address: n.address ?? n.fqdn.toLowerCase(),
      services,
      api: api as NodeDecl['api'],
      version: String(n.version ?? defaults.version ?? DEFAULT_VERSION),
      sshHostKeys: [...(n.sshHostKeys ?? [])],
      ports: { ...(n.ports ?? {}) },
    };
  };
  const list = (raw: unknown, role: NodeRole, at: string): (NodeDecl | undefined)[] => {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      problems.push(`${at} must be a list of nodes, got ${JSON.stringify(raw)}`);
      return [];
    }
    return raw.map((r, i) => node(r, role, `${at}[${i}]`));
  };

  const nodes = [
    node(input.publisher, 'publisher', `${where}.publisher`),
    ...list(input.subscribers, 'subscriber', `${where}.subscribers`),
    ...(input.imPresence
      ? [
          node(input.imPresence.databasePublisher, 'imp-database-publisher', `${where}.imPresence.databasePublisher`),
          ...list(input.imPresence.subscribers, 'imp-subscriber', `${where}.imPresence.subscribers`),
        ]
      : []),
  ].filter((n): n is NodeDecl => !!n);

  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.fqdn)) problems.push(`${where}: node '${n.fqdn}' is declared twice: declare each node once`);
    seen.add(n.fqdn);
  }
  const securityMode = input.securityMode ?? 'non-secure';
  problems.push(checkOneOf(`${where}.securityMode`, securityMode, ['non-secure', 'mixed']));
  const credentials = { ...DEFAULT_CREDENTIALS, ...(input.credentials ?? {}) };
  problems.push(checkEnvName(`${where}.credentials.usernameEnv`, credentials.usernameEnv));
  problems.push(checkEnvName(`${where}.credentials.passwordEnv`, credentials.passwordEnv));
  for (const [i, peer] of (input.interclusterPeers ?? []).entries()) problems.push(checkFqdn(`${where}.interclusterPeers[${i}]`, peer));
  const delay = input.cleanupDelaySeconds ?? DEFAULT_CLEANUP_DELAY_SECONDS;
  if (!Number.isInteger(delay) || delay < 0) {
    problems.push(`${where}.cleanupDelaySeconds must be a whole number of seconds ≥ 0, got ${JSON.stringify(delay)}`);
  }
  throwIfProblems(problems);

  return {
    name: input.name,
    nodes,
    securityMode: securityMode as ClusterDecl['securityMode'],
    sso: input.sso ?? false,
    credentials,
    knownHostsFile: input.knownHostsFile,
    httpsCaFile: input.httpsCaFile,
    interclusterPeers: (input.interclusterPeers ?? []).map((p) => p.toLowerCase()),
    callManagerIncludeInactiveNodes: input.callManagerIncludeInactiveNodes,
    cleanupDelaySeconds: delay,
  };
}
