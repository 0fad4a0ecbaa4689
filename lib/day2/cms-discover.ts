/**
 * Discovery of Meeting Servers (`ucrollout discover --cms FQDN,…`): reads each server over the
 * MMP with the executor's connection setup, read-only: `pki list`, each service's status (is it
 * configured and enabled, its port), `pki inspect` of the certificate in use, the XMPP domain
 * and `database cluster status` (its role, its interface). Writes `cmsClusters` and, as
 * comments, the `cmsCertificates` a server cannot give the whole of (its key, its CA chain),
 * and comments for what must be typed (clusterFqdn, joinUrl where the server does not say).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { CmsDatabaseRole, CmsService } from '../model';
import { cmsServiceInfo } from '../catalog/cms';
import { MmpDriver, MmpTimeouts } from '../drivers/mmp-driver';
import { NodeAccess } from '../drivers/node-access';
import { shortFingerprint } from '../pki/fingerprint';
import { runLimited } from './collect';
import { CMS_SERVICES, CmsServiceReading, readCmsServices } from './cms-live';
import { DiscoverOptions, clusterNameOf, cn, credentialsFrom, credentialsText, discoverySetup, relPath, yamlScalar as q } from './discover';
import { LiveCertificate } from './live';

export interface DiscoveredCmsServer {
  readonly fqdn: string;
  readonly services: readonly CmsService[];
  /** Port overrides that differ from the defaults (`webadmin-https: 445`). */
  readonly ports: Readonly<Record<string, number>>;
  /** undefined: `database cluster status` did not say. */
  readonly databaseRole?: CmsDatabaseRole;
  readonly databaseInterface?: string;
  readonly major: 2 | 3;
  readonly xmppDomain?: string;
  readonly certificates: readonly { readonly service: CmsService; readonly cert: LiveCertificate; readonly keyFile?: string; readonly certificateFile?: string }[];
}

export interface DiscoveredCmsCluster {
  readonly name: string;
  readonly version: string;
  readonly servers: readonly DiscoveredCmsServer[];
}

/** The role `database cluster status` gives this server: its own line with `(me)`. */
export function parseDatabaseRole(text: string): { role?: CmsDatabaseRole; iface?: string } {
  const iface = /^\s*Interface\s*:\s*([a-e])\s*$/im.exec(text)?.[1];
  if (/^\s*Status\s*:\s*Disabled/im.test(text)) return { role: 'none', iface };
  const me = text.split('\n').find((l) => /\(me\)/.test(l)) ?? '';
  if (/primary/i.test(me)) return { role: 'primary', iface };
  if (/replica/i.test(me)) return { role: 'replica', iface };
  if (/no local database/i.test(text)) return { role: 'connect-only', iface };
  return { iface };
}

const PORT_LINE: Partial<Record<CmsService, RegExp>> = {
  webadmin: /^\s*TLS listening port\s*:\s*(\d+)/im,
  webbridge: /^\s*TLS listening port\s*:\s*(\d+)/im,
  xmpp: /^\s*TLS listening port\s*:\s*(\d+)/im,
  turn: /^\s*TLS listening port\s*:\s*(\d+)/im,
  webbridge3: /^\s*HTTPS listening ports and interfaces\s*:\s*[a-e]:(\d+)/im,
};

/** Reads one server: services it runs (a certificate configured, not disabled), their ports and certificates. */
export async function readCmsServerForDiscovery(access: NodeAccess, fqdn: string, timeouts: MmpTimeouts): Promise<DiscoveredCmsServer> {
  const mmp = await MmpDriver.connect(access.sshTarget(fqdn), timeouts);
  try {
    const { services: read } = await readCmsServices(mmp, CMS_SERVICES);
    const running = read.filter((r) => r.status.certificateFile && r.status.enabled !== false);
    const ports: Record<string, number> = {};
    let xmppDomain: string | undefined;
    for (const r of running) {
      const info = cmsServiceInfo(r.service);
      const pattern = PORT_LINE[r.service];
      if (pattern || r.service === 'xmpp') {
        const status = await mmp.run(r.service);
        const n = pattern ? Number(pattern.exec(status)?.[1]) : NaN;
        if (Number.isInteger(n) && n > 0 && n !== info.port.port) ports[info.port.name] = n;
        if (r.service === 'xmpp') xmppDomain = /^\s*Domain\s*:\s*(\S+)\s*$/im.exec(status)?.[1];
        if (xmppDomain === 'none') xmppDomain = undefined;
      }
    }
    const db = parseDatabaseRole(await mmp.run('database cluster status'));
    const knows3 = read.some((r) => r.service === 'webbridge3');
    return {
      fqdn: fqdn.toLowerCase(),
      services: running.map((r) => r.service),
      ports,
      databaseRole: db.role,
      databaseInterface: db.iface,
      major: knows3 ? 3 : 2,
      xmppDomain,
      certificates: running.filter((r): r is CmsServiceReading & { cert: LiveCertificate } => !!r.cert).map((r) => ({ service: r.service, cert: r.cert, keyFile: r.status.keyFile, certificateFile: r.status.certificateFile })),
    };
  } finally {
    mmp.close();
  }
}

export async function discoverCmsServers(access: NodeAccess, name: string, fqdns: readonly string[], opts: { parallel?: number; timeouts?: MmpTimeouts; log?: (line: string) => void }): Promise<DiscoveredCmsCluster> {
  const servers = await runLimited(fqdns, opts.parallel ?? 8, async (fqdn) => {
    opts.log?.(`${fqdn}: pki list, <service>, pki inspect, database cluster status`);
    return readCmsServerForDiscovery(access, fqdn, opts.timeouts ?? {});
  });
  const major = servers.some((s) => s.major === 3) ? 3 : 2;
  return { name, version: major === 3 ? '3.0' : '2.9', servers };
}

/** The `cmsClusters:` and `cmsCertificates:` sections of an inventory (YAML lines). */
export function renderCmsInventory(c: DiscoveredCmsCluster, extra: { credentials?: string; knownHostsFile?: string } = {}): string[] {
  const lines: string[] = [];
  const domains = [...new Set(c.servers.map((s) => s.xmppDomain).filter((d): d is string => !!d))];
  // A clustered certificate: one certificate held by several servers for a service (xmpp always is).
  const bySha = new Map<string, { service: CmsService; cert: LiveCertificate; holders: string[] }>();
  for (const s of c.servers) {
    for (const x of s.certificates) {
      const key = `${x.service} ${x.cert.sha256}`;
      const e = bySha.get(key);
      if (e) e.holders.push(s.fqdn);
      else bySha.set(key, { service: x.service, cert: x.cert, holders: [s.fqdn] });
    }
  }
  const clusteredCa = [...bySha.values()].find((e) => !e.cert.selfSigned && (e.holders.length > 1 || e.service === 'xmpp'));
  lines.push(`# Meeting Servers read over the MMP: services from their status (a certificate configured, not disabled),`);
  lines.push(`# ports from their status, database roles from 'database cluster status', certificates from 'pki inspect'.`);
  lines.push('cmsClusters:', `  - name: ${q(c.name)}`, `    version: "${c.version}"    # read from the services the MMP offers; set the exact release ('version' on the MMP)`);
  if (clusteredCa) lines.push(`    clusterFqdn: ${q(cn(clusteredCa.cert.subject))}    # the CN of the clustered ${clusteredCa.service} certificate`);
  else lines.push(`    # clusterFqdn: cms.example.com    # needed by clustered certificates (callbridge, xmpp, turn): the servers do not say it`);
  const needsJoin = c.servers.some((s) => s.services.some((x) => x === 'webbridge' || x === 'webbridge3'));
  lines.push(`    # joinUrl: join.example.com    # ${needsJoin ? 'needed by webbridge certificates: ' : ''}the host name of the join URL; the servers do not say it`);
  lines.push(`    xmppDomains: [${domains.map(q).join(', ')}]${domains.length ? "    # from 'xmpp'" : ''}`);
  if (extra.credentials) lines.push(`    credentials: ${extra.credentials}`);
  if (extra.knownHostsFile) lines.push(`    knownHostsFile: ${q(extra.knownHostsFile)}`);
  lines.push('    servers:');
  for (const s of c.servers) {
    const fields = [`fqdn: ${q(s.fqdn)}`, `services: [${s.services.join(', ')}]`];
    if (s.databaseRole) fields.push(`databaseRole: ${s.databaseRole}`);
    if (s.databaseInterface && s.databaseInterface !== 'a') fields.push(`databaseInterface: ${s.databaseInterface}`);
    const ports = Object.entries(s.ports);
    if (ports.length) fields.push(`ports: { ${ports.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
    if (!s.databaseRole) lines.push(`      # ${s.fqdn}: 'database cluster status' did not give its role: set databaseRole (primary, replica, connect-only, none)`);
    lines.push(`      - { ${fields.join(', ')} }`);
  }
  const entries = [...bySha.values()];
  lines.push('', '# Certificates in use, per service:');
  for (const e of entries) {
    const where = e.holders.map((h) => h.split('.')[0]).join(', ');
    lines.push(`#   ${e.service}: ${cn(e.cert.subject)} on ${where}, ${e.cert.selfSigned ? 'self-signed' : `issued by ${cn(e.cert.issuer)}`}, expires ${e.cert.notAfter.slice(0, 10)}, sha256 ${shortFingerprint(e.cert.sha256)}…`);
  }
  const signed = entries.filter((e) => !e.cert.selfSigned);
  lines.push(`cmsCertificates: []${signed.length ? '' : '    # only self-signed certificates in use: declare the CA-signed ones you roll out'}`);
  if (signed.length) {
    lines.push('# CA-signed certificates in use: declare each with its signed file, its key (or source: server-csr) and its CA');
    lines.push('# (certificateAuthorities); the servers give neither the key nor the CA chain over the MMP:');
    for (const e of signed) {
      const clustered = e.holders.length > 1 || e.service === 'xmpp';
      const fields = [`cluster: ${q(c.name)}`, `service: ${e.service}`, clustered ? 'scope: clustered' : `server: ${q(e.holders[0])}`, `certificate: certs/${c.name}-${e.service}${clustered ? '' : `-${e.holders[0].split('.')[0]}`}.pem`, 'key: keys/FILE.key', 'ca: CA-NAME'];
      lines.push(`#  - { ${fields.join(', ')} }`);
    }
  }
  return lines;
}

export interface CmsDiscoverOptions extends Omit<DiscoverOptions, 'publisher' | 'timeouts'> {
  /** The Meeting Servers' FQDNs. */
  readonly servers: readonly string[];
  /** Append to `out` (written by a CUCM discovery just before) instead of writing it. */
  readonly append?: boolean;
  readonly timeouts?: MmpTimeouts & { readonly connectMs?: number };
}

/** Reads the Meeting Servers and writes (or appends) their inventory sections; returns what it found. */
export async function discoverCms(opts: CmsDiscoverOptions): Promise<DiscoveredCmsCluster> {
  const log = opts.log ?? (() => undefined);
  const { credentialsRef, outFile, outDir, firstContactFile, access } = discoverySetup(opts, { address: (fqdn) => fqdn, console: 'server' });
  const servers = [...new Set(opts.servers.map((s) => s.toLowerCase()))];
  const name = opts.clusterName ?? clusterNameOf(servers[0]);
  const found = await discoverCmsServers(access, name, servers, { parallel: opts.parallel, timeouts: opts.timeouts, log });
  const knownHosts = firstContactFile ?? opts.knownHosts?.[0];
  const body = renderCmsInventory(found, { credentials: credentialsText(credentialsFrom(outDir, credentialsRef)), knownHostsFile: knownHosts ? relPath(outDir, knownHosts) : undefined });
  mkdirSync(outDir, { recursive: true });
  if (opts.append) {
    appendFileSync(outFile, ['', ...body].join('\n') + '\n');
  } else {
    const head = [
      `# Discovered from ${servers.join(', ')} by 'ucrollout discover --cms', ${new Date().toISOString().slice(0, 10)}.`,
      '# Review it, then: ucrollout lint --inventory THIS, ucrollout status --inventory THIS, ucrollout plan --inventory THIS',
    ];
    writeFileSync(outFile, [...head, ...body].join('\n') + '\n');
  }
  return found;
}
