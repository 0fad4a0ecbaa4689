/**
 * One normalizer from the user's Meeting Server description (inventory file or construct props)
 * to the model's CmsClusterDecl / CmsCertificateDecl: both front ends apply the same defaults and
 * single-value checks; whole-declaration rules are the planner's (lib/platforms/cms/validate.ts).
 */
import {
  CMS_DATABASE_ROLES,
  CMS_SERVICES,
  CmsCertificateDecl,
  CmsCertificateScope,
  CmsClusterDecl,
  CmsServerDecl,
  CmsService,
  checkCmsBasename,
  checkCmsVersion,
  checkFqdn,
  checkName,
  checkOneOf,
  shown,
  throwIfProblems,
} from '../model';
import { checkAddress, checkHostKeys, checkMapping, checkPath, checkPorts, credentialsRef, isMapping, unknownKeys } from './input-checks';

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

/** A Meeting Server certificate as the user writes it: the declaration's inventory fields (model/cms.ts), unchecked, with their defaults left out. */
export interface CmsCertificateInput extends Omit<CmsCertificateDecl, 'service' | 'scope' | 'source' | 'signAgain'> {
  readonly service: string;
  /** @default clustered for xmpp, else per-server */
  readonly scope?: string;
  /** @default ca */
  readonly source?: string;
}

export const CMS_CLUSTER_KEYS = ['name', 'version', 'servers', 'clusterFqdn', 'joinUrl', 'xmppDomains', 'credentials', 'knownHostsFile', 'databaseCertificates'];
export const CMS_SERVER_KEYS = ['fqdn', 'address', 'services', 'databaseRole', 'databaseInterface', 'sshHostKeys', 'ports'];
export const CMS_CERTIFICATE_KEYS = ['cluster', 'service', 'scope', 'server', 'source', 'certificate', 'key', 'ca', 'bundle', 'basename', 'renewal', 'subject', 'issuer'];
const SUBJECT_KEYS = ['organizationalUnit', 'organization', 'state', 'country'];

/** A word of an MMP command line: the MMP splits arguments at white space and SANs at commas. */
const MMP_WORD = /^[^\s,]+$/;

export function buildCmsCluster(input: CmsClusterInput, where: string): CmsClusterDecl {
  const c = input as unknown as Record<string, unknown>;
  const problems: (string | undefined)[] = [
    checkName(`${where}.name`, c.name),
    checkCmsVersion(`${where}.version`, c.version),
    ...unknownKeys(c, CMS_CLUSTER_KEYS, where),
    checkMapping(`${where}.databaseCertificates`, c.databaseCertificates, '{ caCommonName: example.com }'),
    ...unknownKeys(c.databaseCertificates, ['caCommonName'], `${where}.databaseCertificates`),
    c.knownHostsFile === undefined ? undefined : checkPath(`${where}.knownHostsFile`, c.knownHostsFile),
  ];
  if (c.clusterFqdn !== undefined) problems.push(checkFqdn(`${where}.clusterFqdn`, c.clusterFqdn));
  if (c.joinUrl !== undefined) {
    problems.push(
      typeof c.joinUrl === 'string' && /^[a-z]+:\/\//i.test(c.joinUrl)
        ? `${where}.joinUrl must be the join URL's host name such as 'join.example.com' (it goes into the webbridge SANs), got ${shown(c.joinUrl)}`
        : checkFqdn(`${where}.joinUrl`, c.joinUrl),
    );
  }
  const domains = c.xmppDomains ?? [];
  if (!Array.isArray(domains)) problems.push(`${where}.xmppDomains must be a list of domains such as [example.com], got ${shown(domains)}`);
  else domains.forEach((d, i) => problems.push(checkFqdn(`${where}.xmppDomains[${i}]`, d)));
  const db = isMapping(c.databaseCertificates) ? c.databaseCertificates : undefined;
  if (db !== undefined && (typeof db.caCommonName !== 'string' || !/^[A-Za-z0-9._-]+$/.test(db.caCommonName))) {
    problems.push(`${where}.databaseCertificates.caCommonName must be the built-in CA's common name, e.g. the domain 'example.com' (pki selfsigned dbca CN:<domain>), got ${shown(db.caCommonName)}`);
  }
  const { credentials, problems: credentialProblems } = credentialsRef(c.credentials, `${where}.credentials`);
  problems.push(...credentialProblems);

  const raw = c.servers;
  if (!Array.isArray(raw) || raw.length === 0) problems.push(`${where}.servers must list the Meeting Servers (at least one), got ${shown(raw)}`);
  const servers = (Array.isArray(raw) ? raw : []).map((s, i) => server(s, `${where}.servers[${i}]`, problems)).filter((s): s is CmsServerDecl => !!s);
  const seen = new Set<string>();
  for (const s of servers) {
    if (seen.has(s.fqdn)) problems.push(`${where}: server '${s.fqdn}' is declared twice: declare each server once`);
    seen.add(s.fqdn);
  }
  throwIfProblems(problems);
  return {
    name: c.name as string,
    version: String(c.version),
    servers,
    clusterFqdn: (c.clusterFqdn as string | undefined)?.toLowerCase(),
    joinUrl: (c.joinUrl as string | undefined)?.toLowerCase(),
    xmppDomains: (domains as string[]).map((d) => d.toLowerCase()),
    credentials,
    knownHostsFile: c.knownHostsFile as string | undefined,
    databaseCertificates: db && { caCommonName: db.caCommonName as string },
  };
}

const CMS_PORTS_EXAMPLE = '{ webadmin-https: 445 }';

function server(raw: unknown, at: string, problems: (string | undefined)[]): CmsServerDecl | undefined {
  if (typeof raw !== 'string' && !isMapping(raw)) {
    problems.push(`${at} must be a server: a mapping with fqdn (and services, databaseRole, …), got ${shown(raw)}`);
    return undefined;
  }
  const s: Record<string, unknown> = typeof raw === 'string' ? { fqdn: raw } : raw;
  problems.push(...unknownKeys(s, CMS_SERVER_KEYS, at));
  const fqdnProblem = checkFqdn(`${at}.fqdn`, s.fqdn);
  problems.push(fqdnProblem);
  const services = s.services ?? [];
  if (!Array.isArray(services)) problems.push(`${at}.services must be a list such as [webadmin, callbridge], got ${shown(services)}`);
  else services.forEach((x, i) => problems.push(checkOneOf(`${at}.services[${i}]`, x, CMS_SERVICES)));
  const role = s.databaseRole ?? 'none';
  problems.push(checkOneOf(`${at}.databaseRole`, role, CMS_DATABASE_ROLES));
  const iface = s.databaseInterface ?? 'a';
  if (typeof iface !== 'string' || !/^[a-e]$/.test(iface)) problems.push(`${at}.databaseInterface must be an MMP interface a to e (database cluster localnode a), got ${shown(iface)}`);
  problems.push(checkAddress(`${at}.address`, s.address), ...checkPorts(`${at}.ports`, s.ports, CMS_PORTS_EXAMPLE), ...checkHostKeys(`${at}.sshHostKeys`, s.sshHostKeys));
  if (fqdnProblem) return undefined;
  const fqdn = (s.fqdn as string).toLowerCase();
  return {
    fqdn,
    address: typeof s.address === 'string' ? s.address : fqdn,
    services: (Array.isArray(services) ? [...new Set(services)] : []) as CmsService[],
    databaseRole: role as CmsServerDecl['databaseRole'],
    sshHostKeys: Array.isArray(s.sshHostKeys) ? [...(s.sshHostKeys as string[])] : [],
    ports: isMapping(s.ports) ? ({ ...s.ports } as Record<string, number>) : {},
    databaseInterface: iface as string,
  };
}

/** xmpp certificates are clustered only; every other service defaults to one per server. */
export function defaultCmsScope(service: string): CmsCertificateScope {
  return service === 'xmpp' ? 'clustered' : 'per-server';
}

export function buildCmsCertificate(input: CmsCertificateInput, where: string): CmsCertificateDecl {
  const c = input as unknown as Record<string, unknown>;
  const scope = c.scope ?? defaultCmsScope(c.service as string);
  const source = c.source ?? 'ca';
  const subject = isMapping(c.subject) ? c.subject : {};
  const problems: (string | undefined)[] = [
    ...unknownKeys(c, CMS_CERTIFICATE_KEYS, where),
    checkMapping(`${where}.subject`, c.subject, '{ organization: Example_Inc, country: US }'),
    ...unknownKeys(c.subject, SUBJECT_KEYS, `${where}.subject`),
    checkName(`${where}.cluster`, c.cluster),
    checkOneOf(`${where}.service`, c.service, CMS_SERVICES),
    checkOneOf(`${where}.scope`, scope, ['per-server', 'clustered']),
    checkOneOf(`${where}.source`, source, ['ca', 'server-csr']),
    checkPath(`${where}.certificate`, c.certificate),
    checkName(`${where}.ca`, c.ca),
  ];
  if (c.server !== undefined) problems.push(checkFqdn(`${where}.server`, c.server));
  if (c.key !== undefined) problems.push(checkPath(`${where}.key`, c.key));
  if (c.bundle !== undefined) problems.push(checkPath(`${where}.bundle`, c.bundle));
  if (c.basename !== undefined) problems.push(checkCmsBasename(`${where}.basename`, c.basename));
  if (c.issuer !== undefined) problems.push(checkName(`${where}.issuer`, c.issuer));
  if (c.renewal !== undefined && (typeof c.renewal !== 'string' || !MMP_WORD.test(c.renewal))) {
    problems.push(`${where}.renewal must be a label without spaces such as '2027', got ${shown(c.renewal)}`);
  }
  for (const k of ['organizationalUnit', 'organization', 'state'] as const) {
    const v = subject[k];
    if (v !== undefined && (typeof v !== 'string' || !MMP_WORD.test(v))) {
      problems.push(`${where}.subject.${k} must be one word without spaces or commas (the MMP splits pki csr arguments there), e.g. 'Example_Inc', got ${shown(v)}`);
    }
  }
  if (subject.country !== undefined && (typeof subject.country !== 'string' || !/^[A-Z]{2}$/.test(subject.country))) {
    problems.push(`${where}.subject.country must be a two-letter ISO code such as 'US', got ${shown(subject.country)}`);
  }
  throwIfProblems(problems);
  return {
    cluster: c.cluster as string,
    service: c.service as CmsService,
    scope: scope as CmsCertificateScope,
    server: (c.server as string | undefined)?.toLowerCase(),
    source: source as CmsCertificateDecl['source'],
    certificate: c.certificate as string,
    key: c.key as string | undefined,
    ca: c.ca as string,
    bundle: c.bundle as string | undefined,
    basename: c.basename as string | undefined,
    renewal: c.renewal as string | undefined,
    ...(c.issuer !== undefined ? { issuer: c.issuer as string } : {}),
    subject: isMapping(c.subject) ? ({ ...c.subject } as CmsCertificateDecl['subject']) : undefined,
  };
}
