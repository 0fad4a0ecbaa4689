/**
 * Whole-declaration rules of CMS clusters and certificates (DOMAIN.md §4) the planner refuses
 * to break. Every problem is collected and names the declaration, the value and the fix.
 */
import { cmsExpectedNames, cmsPortNumber, cmsServiceInfo } from '../../catalog';
import {
  CMS_SERVICES,
  CmsCertificateDecl,
  CmsClusterDecl,
  CmsService,
  Declarations,
  checkCmsBasename,
  cmsMajor,
  cmsPeers,
  findCmsServer,
  throwIfProblems,
} from '../../model';

export function validateCmsDeclarations(decls: Declarations): void {
  const problems: string[] = [];
  const clusters = new Map<string, CmsClusterDecl>();
  const cucm = new Set(decls.clusters.map((c) => c.name));
  for (const c of decls.cmsClusters ?? []) {
    if (clusters.has(c.name) || cucm.has(c.name)) problems.push(`CMS cluster '${c.name}' is declared twice (cluster names are stack names): give each cluster a unique name`);
    clusters.set(c.name, c);
    problems.push(...clusterProblems(c));
  }
  const cas = new Set(decls.certificateAuthorities.map((c) => c.name));
  const covered = new Map<string, number>();
  (decls.cmsCertificates ?? []).forEach((cert, i) => {
    const at = `cmsCertificates[${i}] (${cert.service} for cluster '${cert.cluster}')`;
    const cluster = clusters.get(cert.cluster);
    if (!cluster) {
      const hint = cucm.has(cert.cluster) ? `'${cert.cluster}' is a CUCM cluster: a CMS certificate names a cmsClusters entry` : `declare it under cmsClusters or use one of ${[...clusters.keys()].join(', ') || '(none declared)'}`;
      problems.push(`${at}: CMS cluster '${cert.cluster}' is not declared: ${hint}`);
    }
    if (!cas.has(cert.ca)) problems.push(`${at}: certificate authority '${cert.ca}' is not declared: declare it under certificateAuthorities`);
    if (cert.issuer !== undefined && !(decls.issuers ?? []).some((d) => d.name === cert.issuer)) {
      problems.push(`${at}: issuer '${cert.issuer}' is not declared: declare it under issuers (${(decls.issuers ?? []).map((d) => d.name).join(', ') || 'none declared'})`);
    }
    if (!CMS_SERVICES.includes(cert.service)) {
      problems.push(`${at}: unknown service '${cert.service}': use one of ${CMS_SERVICES.join(', ')}`);
      return;
    }
    if (!cluster) return;
    const certProblems = cmsCertificateProblems(cert, cluster, at);
    problems.push(...certProblems);
    if (certProblems.length > 0) return;
    const servers = cert.scope === 'clustered' ? cmsPeers(cluster, cert.service).map((s) => s.fqdn) : [cert.server!];
    for (const fqdn of servers) {
      const key = `${cluster.name}/${cert.service}/${fqdn}`;
      if (covered.has(key)) {
        problems.push(`${at}: server '${fqdn}' already gets a ${cert.service} certificate from cmsCertificates[${covered.get(key)}]: declare one certificate per service and server (a clustered one covers every peer)`);
      }
      covered.set(key, i);
    }
  });
  throwIfProblems(problems);
}

function clusterProblems(c: CmsClusterDecl): string[] {
  const at = `CMS cluster '${c.name}'`;
  const problems: string[] = [];
  const major = cmsMajor(c.version);
  if (c.servers.length === 0) problems.push(`${at}: declare at least one server`);
  for (const s of c.servers) {
    for (const service of s.services) {
      const info = cmsServiceInfo(service);
      if (info.majors.includes(major)) continue;
      const fix = service === 'webbridge3' ? 'use webbridge on 2.x, or set version to the 3.x release' : service === 'webbridge' ? 'use webbridge3 on 3.x' : 'drop xmpp from the servers of a 3.x cluster';
      problems.push(`${at}: server '${s.fqdn}' runs ${service}, which Meeting Server ${c.version} does not have (3.0 removed xmpp and webbridge, added webbridge3): ${fix}`);
    }
    problems.push(...portClashes(at, s.fqdn, s.services, (service) => cmsPortNumber(s, cmsServiceInfo(service).port)));
  }
  const primaries = c.servers.filter((s) => s.databaseRole === 'primary');
  if (primaries.length > 1) problems.push(`${at}: ${primaries.map((s) => s.fqdn).join(', ')} are all database primaries: declare one primary, the others replica or connect-only`);
  const others = c.servers.filter((s) => s.databaseRole === 'replica' || s.databaseRole === 'connect-only');
  if (primaries.length === 0 && others.length > 0) {
    problems.push(`${at}: ${others.map((s) => `${s.fqdn} (${s.databaseRole})`).join(', ')} need a database primary: set databaseRole primary on the server whose database is kept (database cluster status names it)`);
  }
  if (c.databaseCertificates && primaries.length === 0) {
    problems.push(`${at}: databaseCertificates needs a database primary (it runs the built-in CA): set databaseRole primary on one server`);
  }
  return problems;
}

/** Two services of a server on one port number (webadmin and webbridge both default to 443). */
function portClashes(at: string, fqdn: string, services: readonly CmsService[], port: (s: CmsService) => number | undefined): string[] {
  const byPort = new Map<number, CmsService[]>();
  for (const s of services) {
    const n = port(s);
    if (n !== undefined) byPort.set(n, [...(byPort.get(n) ?? []), s]);
  }
  return [...byPort]
    .filter(([, list]) => list.length > 1)
    .map(([n, list]) => `${at}: server '${fqdn}' runs ${list.join(' and ')} on port ${n}: move one, e.g. ports: { ${cmsServiceInfo(list[0]).port.name}: 445 }, as configured on the server`);
}

/**
 * One certificate against its cluster (release, scope, server, the names the CSR table needs,
 * source and key). Exported so `ucrollout csr` asks exactly these before it makes a key.
 */
export function cmsCertificateProblems(cert: CmsCertificateDecl, cluster: CmsClusterDecl, at: string): string[] {
  const problems: string[] = [];
  const info = cmsServiceInfo(cert.service);
  if (!info.majors.includes(cmsMajor(cluster.version))) {
    problems.push(`${at}: Meeting Server ${cluster.version} has no ${cert.service}: drop the certificate or fix the cluster's version`);
  }
  if (!info.scopes.includes(cert.scope)) {
    problems.push(`${at}: a ${cert.service} certificate is ${info.scopes.join(' or ')} only (DOMAIN.md §4), not ${cert.scope}: set scope ${info.scopes[0]}`);
  }
  let server;
  if (cert.scope === 'per-server') {
    if (!cert.server) problems.push(`${at}: a per-server certificate needs 'server' (the FQDN it is for)`);
    else {
      server = findCmsServer(cluster, cert.server);
      if (!server) problems.push(`${at}: server '${cert.server}' is not in cluster '${cluster.name}': use one of ${cluster.servers.map((s) => s.fqdn).join(', ')}`);
      else if (!server.services.includes(cert.service)) {
        problems.push(`${at}: server '${server.fqdn}' does not run ${cert.service}: add it to the server's services or pick a server that runs it`);
      }
    }
  } else {
    if (cert.server) problems.push(`${at}: 'server' is for per-server certificates: remove server '${cert.server}' (a clustered certificate goes to every ${cert.service} server) or use scope per-server`);
    if (cmsPeers(cluster, cert.service).length === 0) problems.push(`${at}: no server of cluster '${cluster.name}' runs ${cert.service}: add it to the servers' services`);
  }
  if (problems.length === 0) {
    try {
      cmsExpectedNames(cluster, cert.service, cert.scope, server);
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
    }
  }
  if (cert.source === 'ca' && !cert.key) {
    problems.push(`${at}: a certificate from the CA needs 'key' (the private key file, sent over SFTP; the plan holds only its path), or use source server-csr to make the key on the server`);
  }
  if (cert.source === 'server-csr' && cert.key) {
    problems.push(`${at}: source server-csr makes the key on the server with pki csr: remove key '${cert.key}', or use source ca to send your own key`);
  }
  if (cert.issuer !== undefined && cert.source !== 'server-csr') {
    problems.push(`${at}: 'issuer' signs a CSR made on the server: it is only for source server-csr (a certificate from your CA is signed already)`);
  }
  if (cert.renewal !== undefined && cert.source !== 'server-csr') problems.push(`${at}: 'renewal' names a new server-made key: it is only for source server-csr (a CA certificate's basename follows its fingerprint)`);
  if (cert.basename !== undefined) {
    const p = checkCmsBasename(`${at}: basename`, cert.basename);
    if (p) problems.push(p);
  }
  return problems;
}
