/**
 * `ucrollout csr` for a Meeting Server cluster: a Meeting Server takes a key file (a certificate
 * of source `ca`, docs/cms.md), so the key and its CSR are made here, for a service and scope,
 * with the names of the CSR table (DOMAIN.md §4) that the planner and the CMS lint require.
 */
import { relative, resolve } from 'node:path';
import { CMS_SERVICES, CmsCertificateDecl, CmsCertificateScope, CmsClusterDecl, CmsService, Declarations, cmsPeers, findCmsServer } from '../../model';
import { cmsServiceInfo } from '../../catalog';
import { generateCsrFor } from '../../pki';
import { cmsKeyFileCsr, cmsKeyFileName } from '../../platforms/cms/key-file-csr';
import { cmsCertificateProblems } from '../../platforms/cms/validate';
import { CliError } from '../errors';
import { LocalCsrPaths, LocalKeyArgs, SECRET_MODE_TEXT, localCsrPaths, localKeyOptions, refuseExisting, writeLocalCsr } from './csr-local';

export interface CmsCsrArgs extends LocalKeyArgs {
  readonly service?: string;
  readonly purpose?: string;
  readonly server?: string;
  readonly scope?: string;
  readonly o?: string;
  readonly ou?: string;
  readonly st?: string;
  readonly c?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

const ON_NODE_ONLY = 'it is for --on-node, which a Meeting Server does not take';
const TABLE_NAMES = "the names are the CSR table's for the service and scope (DOMAIN.md §4), which the plan's lint checks";

/** Options of a CUCM or IM&P CSR, with what to use on a Meeting Server instead. */
const NOT_FOR_CMS: Readonly<Record<string, string>> = {
  'on-node': 'a Meeting Server takes a key file, so the key is made here; to have the server make it, declare the certificate with source: server-csr and plan (pki csr)',
  distribution: 'a Meeting Server certificate is per server (--server FQDN) or clustered (--scope clustered)',
  node: 'name the server with --server FQDN',
  resolve: ON_NODE_ONLY,
  'known-hosts': ON_NODE_ONLY,
  l: "the server's pki csr has no L: field (OU, O, ST and C only)",
  'other-domains': TABLE_NAMES,
  'other-domain': TABLE_NAMES,
  'wildcard-domain': TABLE_NAMES,
};

/** The options a Meeting Server CSR refuses, checked before the inventory's rules. */
export function refuseCucmOptions(values: Readonly<Record<string, unknown>>, cluster: CmsClusterDecl): void {
  const given = Object.keys(NOT_FOR_CMS).filter((o) => values[o] !== undefined);
  if (given.length === 0) return;
  throw new CliError(`cluster '${cluster.name}' is a Meeting Server cluster: ${given.map((o) => `--${o} is not for it (${NOT_FOR_CMS[o]})`).join('; ')}`);
}

/** `baseDir`: the inventory's folder, which the paths of a declaration start from. */
export async function runCms(declarations: Declarations, cluster: CmsClusterDecl, out: string, values: CmsCsrArgs, baseDir: string): Promise<number> {
  const service = serviceOf(values, cluster);
  const scope = scopeOf(values, service);
  const at = ['--service', service, ...(values.server ? ['--server', values.server] : []), ...(values.scope ? ['--scope', values.scope] : [])].join(' ');
  const declared = declaredCertificate(declarations, cluster, service, scope, values.server);
  // The planner's own checks of a certificate with a key file: the release has the service, the
  // server runs it, the cluster has the names the table needs (the key's path is not known yet).
  const candidate: CmsCertificateDecl = { cluster: cluster.name, service, scope, server: values.server, source: 'ca', certificate: '-', key: '-', ca: declared?.ca ?? '-', basename: declared?.basename };
  const problems = cmsCertificateProblems(candidate, cluster, at);
  if (problems.length > 0) throw new CliError(problems.join('; '));
  const server = values.server ? findCmsServer(cluster, values.server) : undefined;
  const paths = localCsrPaths(out, cmsKeyFileName({ cluster, service, scope, server, basename: declared?.basename }));

  let request;
  try {
    request = cmsKeyFileCsr({ cluster, service, scope, server, basename: declared?.basename, subject: { O: values.o, OU: values.ou, ST: values.st, C: values.c }, key: localKeyOptions(values) });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  refuseExisting(paths, values.force);
  const csr = await generateCsrFor(request);
  writeLocalCsr(paths, csr);

  const servers = scope === 'clustered' ? cmsPeers(cluster, service).map((s) => s.fqdn) : [server!.fqdn];
  const next = nextSteps(cluster, service, server?.fqdn, paths, declared, baseDir);
  if (values.json) {
    process.stdout.write(JSON.stringify({ name: csr.name, csr: paths.csr, key: paths.key, service, scope, servers, commonName: csr.commonName, sans: csr.sans, next: next.replace(/\n\s*/g, ' ') }, null, 2) + '\n');
  } else {
    const sans = csr.sans.length > 0 ? csr.sans.join(', ') : `none (the CSR table gives a ${scope} ${service} certificate its CN only)`;
    process.stdout.write(`wrote ${paths.csr}\n  CN ${csr.commonName}\n  SANs ${sans}\n  for ${servers.join(', ')}\nwrote ${paths.key} (${SECRET_MODE_TEXT})\n\n${next}\n`);
  }
  return 0;
}

/** --service, or a CMS service given as --purpose (as users try); a CUCM purpose gets a message naming --service. */
function serviceOf(values: CmsCsrArgs, cluster: CmsClusterDecl): CmsService {
  const choices = CMS_SERVICES.join(', ');
  const isService = (s: string | undefined): s is CmsService => !!s && (CMS_SERVICES as readonly string[]).includes(s);
  if (values.service && values.purpose && values.service !== values.purpose) {
    throw new CliError(`give the Meeting Server service once: --service ${values.service} and --purpose ${values.purpose} differ`);
  }
  const name = values.service ?? values.purpose;
  if (!name) throw new CliError(`missing --service S: cluster '${cluster.name}' is a Meeting Server cluster, name the service (${choices}): see 'ucrollout csr --help'`);
  if (isService(name)) return name;
  const flag = values.service ? '--service' : '--purpose';
  throw new CliError(`unknown Meeting Server service '${name}' (${flag}): cluster '${cluster.name}' is a Meeting Server cluster: use --service with one of ${choices}${values.service ? '' : ' (--purpose names CUCM and IM and Presence purposes)'}`);
}

/** --scope; else per-server with --server, clustered without (every server of a clustered certificate). */
function scopeOf(values: CmsCsrArgs, service: CmsService): CmsCertificateScope {
  if (values.scope !== undefined) {
    if (values.scope !== 'per-server' && values.scope !== 'clustered') throw new CliError(`--scope must be per-server or clustered, got '${values.scope}'`);
    return values.scope;
  }
  const scopes = cmsServiceInfo(service).scopes;
  if (values.server) {
    if (!scopes.includes('per-server')) throw new CliError(`${service} certificates are clustered only (DOMAIN.md §4): one certificate for every ${service} server, so leave out --server`);
    return 'per-server';
  }
  if (!scopes.includes('clustered')) throw new CliError(`${service} certificates are per server only (DOMAIN.md §4): give --server FQDN, the server it is for`);
  return 'clustered';
}

/** The declared certificate for this service and scope (and server): its basename, CA and source. */
function declaredCertificate(decls: Declarations, cluster: CmsClusterDecl, service: CmsService, scope: CmsCertificateScope, server: string | undefined): CmsCertificateDecl | undefined {
  const want = scope === 'per-server' ? server?.toLowerCase() : undefined;
  return (decls.cmsCertificates ?? []).find((c) => c.cluster === cluster.name && c.service === service && c.scope === scope && c.server?.toLowerCase() === want);
}

/** What to do with the pair: have it signed with these names, declare the key and certificate, lint and plan. */
function nextSteps(cluster: CmsClusterDecl, service: CmsService, server: string | undefined, paths: LocalCsrPaths, declared: CmsCertificateDecl | undefined, baseDir: string): string {
  // As the inventory names it: relative to the inventory's folder, not to where this ran.
  const keyRef = relative(baseDir, resolve(paths.key)) || paths.key;
  const where = server ? `server: ${server}` : 'scope: clustered';
  const ca = declared?.ca ?? '<declared CA>';
  const certificate = declared?.source === 'ca' ? declared.certificate : '<the signed file>';
  const lines = [
    `next: have CA '${ca}' sign ${paths.csr} for server and client authentication, keeping exactly these names`,
    `(the plan's lint checks them), and declare the pair under cmsCertificates:`,
    `  - { cluster: ${cluster.name}, service: ${service}, ${where}, certificate: ${certificate}, key: ${keyRef}, ca: ${ca} }`,
    `then ucrollout lint --inventory FILE and ucrollout plan. The plan sends the key over SFTP by its path.`,
  ];
  if (declared?.source === 'server-csr') {
    lines.push(`note: the inventory declares this certificate with source server-csr (the plan makes its key on the server with pki csr):`, `to send this key instead, declare it source: ca with key: ${keyRef}.`);
  } else if (declared?.key && declared.key !== keyRef) {
    lines.push(`note: the inventory names its key ${declared.key}: move ${paths.key} there, or point key: at ${keyRef}.`);
  }
  return lines.join('\n');
}
