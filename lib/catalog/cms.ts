/**
 * Cisco Meeting Server services, their MMP commands and the CSR rules of DOMAIN.md §4, as data
 * and pure functions: the planner and the CMS lint read the same table.
 */
import {
  CmsCertificateScope,
  CmsClusterDecl,
  CmsCsrSubjectDecl,
  CmsServerDecl,
  CmsService,
  cmsPeers,
} from '../model';

/** A TLS port where a CMS service presents its certificate (DOMAIN.md §6); overridable per server. */
export interface CmsServicePort {
  /** Name used for overrides in a server's `ports`. */
  readonly name: string;
  /** Default port; absent: verified only when the server declares the port. */
  readonly port?: number;
  readonly handshake: 'tls';
}

export interface CmsServiceInfo {
  readonly name: CmsService;
  /** Major releases that have the service: 3.0 removed xmpp and webbridge, and added webbridge3. */
  readonly majors: readonly number[];
  /** Certificate scopes of the CSR table: webadmin and webbridge per server only, xmpp clustered only. */
  readonly scopes: readonly CmsCertificateScope[];
  /** `disable / certs / enable`, or `certs` then `restart` (callbridge). */
  readonly apply: 'disable-certs-enable' | 'certs-restart';
  readonly port: CmsServicePort;
  /** Its certs command takes the full chain (entity first) rather than a certificate and a CA bundle. */
  readonly fullChain: boolean;
}

const SERVICES: readonly CmsServiceInfo[] = [
  { name: 'webadmin', majors: [2, 3], scopes: ['per-server'], apply: 'disable-certs-enable', port: { name: 'webadmin-https', port: 443, handshake: 'tls' }, fullChain: false },
  { name: 'callbridge', majors: [2, 3], scopes: ['per-server', 'clustered'], apply: 'certs-restart', port: { name: 'sip-tls', port: 5061, handshake: 'tls' }, fullChain: false },
  { name: 'webbridge', majors: [2], scopes: ['per-server'], apply: 'disable-certs-enable', port: { name: 'webbridge-https', port: 443, handshake: 'tls' }, fullChain: false },
  { name: 'webbridge3', majors: [3], scopes: ['per-server'], apply: 'disable-certs-enable', port: { name: 'webbridge3-https', port: 443, handshake: 'tls' }, fullChain: true },
  { name: 'xmpp', majors: [2], scopes: ['clustered'], apply: 'disable-certs-enable', port: { name: 'xmpp-tls', port: 5223, handshake: 'tls' }, fullChain: false },
  { name: 'turn', majors: [2, 3], scopes: ['per-server', 'clustered'], apply: 'disable-certs-enable', port: { name: 'turn-tls', handshake: 'tls' }, fullChain: false },
];

const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));

export function cmsServiceInfo(service: CmsService): CmsServiceInfo {
  const info = BY_NAME.get(service);
  if (!info) throw new Error(`Unknown Meeting Server service '${service}': use one of ${SERVICES.map((s) => s.name).join(', ')}`);
  return info;
}

/** The port number a server uses for a service port: its override, else the default (undefined: none). */
export function cmsPortNumber(server: CmsServerDecl, port: CmsServicePort): number | undefined {
  return server.ports[port.name] ?? port.port;
}

/** The files a certificate needs on a server, by their names there. */
export interface CmsCertificateFiles {
  readonly key: string;
  readonly certificate: string;
  readonly caBundle: string;
  /** Entity, intermediates, root: only services whose certs command takes the full chain. */
  readonly fullChain?: string;
}

/** Names on the server for a basename: `<b>.key`, `<b>.crt`, `<b>-bundle.crt`, `<b>-fullchain.crt`. */
export function cmsFileNames(service: CmsService, basename: string): CmsCertificateFiles {
  return {
    key: `${basename}.key`,
    certificate: `${basename}.crt`,
    caBundle: `${basename}-bundle.crt`,
    fullChain: cmsServiceInfo(service).fullChain ? `${basename}-fullchain.crt` : undefined,
  };
}

/** `<service> certs …` as DOMAIN.md §4 gives it; webbridge3 takes the key and the full chain. */
export function cmsCertsCommand(service: CmsService, files: CmsCertificateFiles): string {
  if (cmsServiceInfo(service).fullChain) return `${service} https certs ${files.key} ${files.fullChain}`;
  return `${service} certs ${files.key} ${files.certificate} ${files.caBundle}`;
}

/** The MMP commands that put a certificate in service, in order; callbridge's restart is its own step. */
export function cmsAssignCommands(service: CmsService, files: CmsCertificateFiles): string[] {
  const certs = cmsCertsCommand(service, files);
  return cmsServiceInfo(service).apply === 'certs-restart' ? [certs] : [`${service} disable`, certs, `${service} enable`];
}

/** The checks DOMAIN.md §4 runs on the server before a certificate is assigned. */
export function cmsCheckCommands(files: CmsCertificateFiles): string[] {
  return [`pki inspect ${files.certificate}`, `pki match ${files.key} ${files.certificate}`, `pki verify ${files.certificate} ${files.caBundle}`];
}

// ---- CSR rules (DOMAIN.md §4) -------------------------------------------------------------

/** What a certificate of a service must name: its CN, and its SAN list (CN first) or none. */
export interface CmsExpectedNames {
  readonly commonName: string;
  /** Empty for CN-only certificates; else holds the CN, then the names the table requires. */
  readonly subjectAltNames: readonly string[];
  /** The names the table requires besides the CN, by reason: lint reports each missing one. */
  readonly required: {
    readonly joinUrl?: string;
    readonly xmppDomains: readonly string[];
    readonly peers: readonly string[];
  };
}

/**
 * The names of DOMAIN.md §4's table:
 * webadmin CN only; webbridge SANs = join URL + XMPP domain(s) (webbridge3: join URL);
 * callbridge/turn per server CN only, clustered CN = cluster FQDN with the peers as SANs;
 * xmpp (clustered only) SANs = XMPP domain(s) + peers. The CN goes into any SAN list.
 * Throws when the cluster lacks a name the table needs.
 */
export function cmsExpectedNames(cluster: CmsClusterDecl, service: CmsService, scope: CmsCertificateScope, server?: CmsServerDecl): CmsExpectedNames {
  const info = cmsServiceInfo(service);
  if (!info.scopes.includes(scope)) {
    throw new Error(`${service} certificates are ${info.scopes.join(' or ')} only (DOMAIN.md §4), not ${scope}`);
  }
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new Error(`a ${scope} ${service} certificate needs the cluster's ${what}: declare it on cluster '${cluster.name}'`);
    return value;
  };
  const domains = (): readonly string[] => {
    if (cluster.xmppDomains.length === 0) throw new Error(`a ${service} certificate needs the cluster's xmppDomains: declare them on cluster '${cluster.name}'`);
    return cluster.xmppDomains;
  };
  let commonName: string;
  let required: CmsExpectedNames['required'] = { xmppDomains: [], peers: [] };
  if (scope === 'per-server') {
    if (!server) throw new Error(`a per-server ${service} certificate needs its server`);
    commonName = server.fqdn;
    if (service === 'webbridge') required = { joinUrl: need(cluster.joinUrl, 'joinUrl'), xmppDomains: domains(), peers: [] };
    if (service === 'webbridge3') required = { joinUrl: need(cluster.joinUrl, 'joinUrl'), xmppDomains: [], peers: [] };
  } else {
    commonName = need(cluster.clusterFqdn, 'clusterFqdn');
    const peers = cmsPeers(cluster, service).map((s) => s.fqdn);
    required = { xmppDomains: service === 'xmpp' ? domains() : [], peers };
  }
  const listed = [...(required.joinUrl ? [required.joinUrl] : []), ...required.xmppDomains, ...required.peers];
  const subjectAltNames = listed.length === 0 ? [] : unique([commonName, ...listed]);
  return { commonName, subjectAltNames, required };
}

/** The `pki csr` line of DOMAIN.md §4: `pki csr <basename> CN:<cn> [OU:] [O:] [ST:] [C:] [subjectAltName:<a>,<b>]`. */
export function cmsCsrCommand(basename: string, names: Pick<CmsExpectedNames, 'commonName' | 'subjectAltNames'>, subject: CmsCsrSubjectDecl = {}): string {
  const parts = [`pki csr ${basename}`, `CN:${names.commonName}`];
  if (subject.organizationalUnit) parts.push(`OU:${subject.organizationalUnit}`);
  if (subject.organization) parts.push(`O:${subject.organization}`);
  if (subject.state) parts.push(`ST:${subject.state}`);
  if (subject.country) parts.push(`C:${subject.country}`);
  if (names.subjectAltNames.length > 0) parts.push(`subjectAltName:${names.subjectAltNames.join(',')}`);
  return parts.join(' ');
}

export interface CmsCsrRequest {
  readonly cluster: CmsClusterDecl;
  readonly service: CmsService;
  readonly scope: CmsCertificateScope;
  /** per-server: the server. */
  readonly server?: CmsServerDecl;
  readonly basename: string;
  readonly subject?: CmsCsrSubjectDecl;
}

export interface CmsCsr extends CmsExpectedNames {
  readonly basename: string;
  readonly command: string;
}

/** The CSR rule as one pure function: the command line and the names it requests. */
export function cmsCsr(req: CmsCsrRequest): CmsCsr {
  const names = cmsExpectedNames(req.cluster, req.service, req.scope, req.server);
  return { ...names, basename: req.basename, command: cmsCsrCommand(req.basename, names, req.subject) };
}

// ---- the database cluster (DOMAIN.md §4) ------------------------------------------------------

/** Fixed basenames of the built-in CA procedure. */
export const CmsDatabaseFiles = {
  CA: 'dbca',
  SERVER: 'dbserver',
  CLIENT: 'dbclient',
} as const;

/** `database cluster certs` for database nodes (server and client pairs) or connecting servers (client pair). */
export function cmsDatabaseCertsCommand(databaseNode: boolean): string {
  const { CA, SERVER, CLIENT } = CmsDatabaseFiles;
  return databaseNode
    ? `database cluster certs ${SERVER}.key ${SERVER}.crt ${CLIENT}.key ${CLIENT}.crt ${CA}.crt`
    : `database cluster certs ${CLIENT}.key ${CLIENT}.crt ${CA}.crt`;
}

function unique(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
}
