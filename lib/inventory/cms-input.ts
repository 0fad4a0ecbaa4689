/**
 * One normalizer from the user's Meeting Server description (inventory file or construct props)
 * to the model's CmsClusterDecl / CmsCertificateDecl: both front ends apply the same defaults and
 * single-value checks; whole-declaration rules are the planner's (lib/plan/cms-validate.ts).
 */
import {
  CMS_DATABASE_ROLES,
  CMS_SERVICES,
  CmsCertificateDecl,
  CmsCertificateScope,
  CmsClusterDecl,
  CmsServerDecl,
  CmsService,
  DEFAULT_CREDENTIALS,
  checkCmsBasename,
  checkCmsVersion,
  checkEnvName,
  checkFqdn,
  checkName,
  checkOneOf,
  checkPort,
  throwIfProblems,
} from '../model';
import { unknownKeys } from './cluster-input';

export interface CmsServerInput {
  readonly fqdn: string;
  readonly address?: string;
  readonly services?: readonly string[];
  readonly databaseRole?: string;
  readonly databaseInterface?: string;
  readonly sshHostKeys?: readonly string[];
  readonly ports?: Readonly<Record<string, number>>;
}

export interface CmsClusterInput {
  readonly name: string;
  readonly version: string | number;
  readonly servers: readonly CmsServerInput[];
  readonly clusterFqdn?: string;
  readonly joinUrl?: string;
  readonly xmppDomains?: readonly string[];
  readonly credentials?: { readonly usernameEnv?: string; readonly passwordEnv?: string; readonly file?: string };
  readonly knownHostsFile?: string;
  readonly databaseCertificates?: { readonly caCommonName?: string };
}

export interface CmsCertificateInput {
  readonly cluster: string;
  readonly service: string;
  readonly scope?: string;
  readonly server?: string;
  readonly source?: string;
  readonly certificate: string;
  readonly key?: string;
  readonly ca: string;
  readonly bundle?: string;
  readonly basename?: string;
  readonly renewal?: string;
  readonly subject?: { readonly organizationalUnit?: string; readonly organization?: string; readonly state?: string; readonly country?: string };
}

export const CMS_CLUSTER_KEYS = ['name', 'version', 'servers', 'clusterFqdn', 'joinUrl', 'xmppDomains', 'credentials', 'knownHostsFile', 'databaseCertificates'];
export const CMS_SERVER_KEYS = ['fqdn', 'address', 'services', 'databaseRole', 'databaseInterface', 'sshHostKeys', 'ports'];
export const CMS_CERTIFICATE_KEYS = ['cluster', 'service', 'scope', 'server', 'source', 'certificate', 'key', 'ca', 'bundle', 'basename', 'renewal', 'subject'];
const SUBJECT_KEYS = ['organizationalUnit', 'organization', 'state', 'country'];

/** A word of an MMP command line: the MMP splits arguments at white space and SANs at commas. */
const MMP_WORD = /^[^\s,]+$/;

export function buildCmsCluster(input: CmsClusterInput, where: string): CmsClusterDecl {
  const problems: (string | undefined)[] = [
    checkName(`${where}.name`, input.name),
    checkCmsVersion(`${where}.version`, input.version),
    ...unknownKeys(input, CMS_CLUSTER_KEYS, where),
    ...unknownKeys(input.credentials, ['usernameEnv', 'passwordEnv', 'file'], `${where}.credentials`),
    ...unknownKeys(input.databaseCertificates, ['caCommonName'], `${where}.databaseCertificates`),
  ];
  if (input.clusterFqdn !== undefined) problems.push(checkFqdn(`${where}.clusterFqdn`, input.clusterFqdn));
  if (input.joinUrl !== undefined) {
    problems.push(
      typeof input.joinUrl === 'string' && /^[a-z]+:\/\//i.test(input.joinUrl)
        ? `${where}.joinUrl must be the join URL's host name such as 'join.example.com' (it goes into the webbridge SANs), got ${JSON.stringify(input.joinUrl)}`
        : checkFqdn(`${where}.joinUrl`, input.joinUrl),
    );
  }
  const domains = input.xmppDomains ?? [];
  if (!Array.isArray(domains)) problems.push(`${where}.xmppDomains must be a list of domains such as [example.com], got ${JSON.stringify(domains)}`);
  else domains.forEach((d, i) => problems.push(checkFqdn(`${where}.xmppDomains[${i}]`, d)));
  const db = input.databaseCertificates;
  if (db !== undefined && (typeof db.caCommonName !== 'string' || !/^[A-Za-z0-9._-]+$/.test(db.caCommonName))) {
    problems.push(`${where}.databaseCertificates.caCommonName must be the built-in CA's common name, e.g. the domain 'example.com' (pki selfsigned dbca CN:<domain>), got ${JSON.stringify(db.caCommonName)}`);
  }
  const credentials = { ...DEFAULT_CREDENTIALS, ...(input.credentials ?? {}) };
  problems.push(checkEnvName(`${where}.credentials.usernameEnv`, credentials.usernameEnv), checkEnvName(`${where}.credentials.passwordEnv`, credentials.passwordEnv));

  const raw = input.servers;
  if (!Array.isArray(raw) || raw.length === 0) problems.push(`${where}.servers must list the Meeting Servers (at least one), got ${JSON.stringify(raw)}`);
  const servers = (Array.isArray(raw) ? raw : []).map((s, i) => server(s, `${where}.servers[${i}]`, problems)).filter((s): s is CmsServerDecl => !!s);
  const seen = new Set<string>();
  for (const s of servers) {
    if (seen.has(s.fqdn)) problems.push(`${where}: server '${s.fqdn}' is declared twice: declare each server once`);
    seen.add(s.fqdn);
  }
  throwIfProblems(problems);
  return {
    name: input.name,
    version: String(input.version),
    servers,
    clusterFqdn: input.clusterFqdn?.toLowerCase(),
    joinUrl: input.joinUrl?.toLowerCase(),
    xmppDomains: domains.map((d) => d.toLowerCase()),
    credentials,
    knownHostsFile: input.knownHostsFile,
    databaseCertificates: db && { caCommonName: db.caCommonName! },
  };
}

function server(raw: CmsServerInput | string, at: string, problems: (string | undefined)[]): CmsServerDecl | undefined {
  const s: CmsServerInput = typeof raw === 'string' ? { fqdn: raw } : raw;
  problems.push(...unknownKeys(s, CMS_SERVER_KEYS, at));
  const fqdnProblem = checkFqdn(`${at}.fqdn`, s.fqdn);
  problems.push(fqdnProblem);
  const services = s.services ?? [];
  if (!Array.isArray(services)) problems.push(`${at}.services must be a list such as [webadmin, callbridge], got ${JSON.stringify(services)}`);
  else services.forEach((x, i) => problems.push(checkOneOf(`${at}.services[${i}]`, x, CMS_SERVICES)));
  const role = s.databaseRole ?? 'none';
  problems.push(checkOneOf(`${at}.databaseRole`, role, CMS_DATABASE_ROLES));
  const iface = s.databaseInterface ?? 'a';
  if (typeof iface !== 'string' || !/^[a-e]$/.test(iface)) problems.push(`${at}.databaseInterface must be an MMP interface a to e (database cluster localnode a), got ${JSON.stringify(iface)}`);
  for (const [name, port] of Object.entries(s.ports ?? {})) problems.push(checkPort(`${at}.ports.${name}`, port));
  for (const [i, key] of (s.sshHostKeys ?? []).entries()) {
    if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(key)) problems.push(`${at}.sshHostKeys[${i}] must be an OpenSSH fingerprint 'SHA256:<base64>' (ssh-keygen -lf), got ${JSON.stringify(key)}`);
  }
  if (fqdnProblem) return undefined;
  return {
    fqdn: s.fqdn.toLowerCase(),
    address: s.address ?? s.fqdn.toLowerCase(),
    services: (Array.isArray(services) ? [...new Set(services)] : []) as CmsService[],
    databaseRole: role as CmsServerDecl['databaseRole'],
    sshHostKeys: [...(s.sshHostKeys ?? [])],
    ports: { ...(s.ports ?? {}) },
    databaseInterface: iface,
  };
}

/** xmpp certificates are clustered only; every other service defaults to one per server. */
export function defaultCmsScope(service: string): CmsCertificateScope {
  return service === 'xmpp' ? 'clustered' : 'per-server';
}

export function buildCmsCertificate(input: CmsCertificateInput, where: string): CmsCertificateDecl {
  const scope = input.scope ?? defaultCmsScope(input.service);
  const source = input.source ?? 'ca';
  const subject = input.subject ?? {};
  const problems: (string | undefined)[] = [
    ...unknownKeys(input, CMS_CERTIFICATE_KEYS, where),
    ...unknownKeys(input.subject, SUBJECT_KEYS, `${where}.subject`),
    checkName(`${where}.cluster`, input.cluster),
    checkOneOf(`${where}.service`, input.service, CMS_SERVICES),
    checkOneOf(`${where}.scope`, scope, ['per-server', 'clustered']),
    checkOneOf(`${where}.source`, source, ['ca', 'server-csr']),
    checkPath(`${where}.certificate`, input.certificate),
    checkName(`${where}.ca`, input.ca),
  ];
  if (input.server !== undefined) problems.push(checkFqdn(`${where}.server`, input.server));
  if (input.key !== undefined) problems.push(checkPath(`${where}.key`, input.key));
  if (input.bundle !== undefined) problems.push(checkPath(`${where}.bundle`, input.bundle));
  if (input.basename !== undefined) problems.push(checkCmsBasename(`${where}.basename`, input.basename));
  if (input.renewal !== undefined && (typeof input.renewal !== 'string' || !MMP_WORD.test(input.renewal))) {
    problems.push(`${where}.renewal must be a label without spaces such as '2027', got ${JSON.stringify(input.renewal)}`);
  }
  for (const k of ['organizationalUnit', 'organization', 'state'] as const) {
    const v = subject[k];
    if (v !== undefined && (typeof v !== 'string' || !MMP_WORD.test(v))) {
      problems.push(`${where}.subject.${k} must be one word without spaces or commas (the MMP splits pki csr arguments there), e.g. 'Example_Inc', got ${JSON.stringify(v)}`);
    }
  }
  if (subject.country !== undefined && (typeof subject.country !== 'string' || !/^[A-Z]{2}$/.test(subject.country))) {
    problems.push(`${where}.subject.country must be a two-letter ISO code such as 'US', got ${JSON.stringify(subject.country)}`);
  }
  throwIfProblems(problems);
  return {
    cluster: input.cluster,
    service: input.service as CmsService,
    scope: scope as CmsCertificateScope,
    server: input.server?.toLowerCase(),
    source: source as CmsCertificateDecl['source'],
    certificate: input.certificate,
    key: input.key,
    ca: input.ca,
    bundle: input.bundle,
    basename: input.basename,
    renewal: input.renewal,
    subject: input.subject && { ...input.subject },
  };
}

function checkPath(prop: string, value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? undefined : `${prop} must be a file path (relative to the inventory file), got ${JSON.stringify(value)}`;
}
