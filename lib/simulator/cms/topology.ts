/**
 * What each simulated Cisco Meeting Server is, derived once from the declarations and the
 * catalog: its services, its TLS ports (catalog/cms.ts, overridable per server) and its
 * loopback address after the CUCM nodes. Pure data, no I/O.
 */
import { cmsPortNumber, cmsServiceInfo } from '../../catalog';
import { CmsClusterDecl, CmsServerDecl, CmsService, Declarations, cmsMajor, cmsShortName } from '../../model';
import { nthAddress, standardSshPort } from '../core/topology';

/** One listening port of a CMS server: the MMP/SFTP over SSH, or a service's TLS port. */
export interface CmsTwinPort {
  /** Name in the ready file and in a server's `ports` overrides (`ssh`, `webadmin-https`, `sip-tls`, …). */
  readonly name: string;
  readonly kind: 'ssh' | 'https' | 'tls';
  /** Port in standard mode (dynamic mode listens on 0). */
  readonly standardPort: number;
  /** The port the declarations give (the plan's number); below 1024 standard mode listens higher. */
  readonly declaredPort: number;
  /** The service presenting its certificate there (none for SSH). */
  readonly service?: CmsService;
}

export interface CmsServerSpec {
  readonly fqdn: string;
  readonly cluster: CmsClusterDecl;
  readonly decl: CmsServerDecl;
  /** Loopback address the server listens on. */
  readonly address: string;
  /** 2 (2.9+: webbridge, xmpp) or 3 (webbridge3). */
  readonly major: number;
  /** The MMP prompt's host name: the first DNS label. */
  readonly hostname: string;
  /** The MMP services this release has, declared or not. */
  readonly available: readonly CmsService[];
  readonly ports: readonly CmsTwinPort[];
}

/** Standard mode: a port below 1024 needs privileges, so it listens this much higher (443 → 8443). */
export const CMS_UNPRIVILEGED_OFFSET = 8000;

const SERVICES_BY_MAJOR: Record<number, readonly CmsService[]> = {
  2: ['webadmin', 'callbridge', 'webbridge', 'xmpp', 'turn'],
  3: ['webadmin', 'callbridge', 'webbridge3', 'turn'],
};

/** Every server of every CMS cluster, in declaration order, on the addresses after the first `offset`. */
export function buildCmsTopology(declarations: Declarations, addressBase: string, offset: number, taken: ReadonlySet<string> = new Set()): CmsServerSpec[] {
  const servers = (declarations.cmsClusters ?? []).flatMap((cluster) => cluster.servers.map((decl) => ({ cluster, decl })));
  const seen = new Set(taken);
  for (const { decl } of servers) {
    const fqdn = decl.fqdn.toLowerCase();
    if (seen.has(fqdn)) throw new Error(`Server '${decl.fqdn}' is declared twice (in CMS clusters or as a CUCM node): the twin can simulate it once only`);
    seen.add(fqdn);
  }
  return servers.map(({ cluster, decl }, i) => serverSpec(cluster, decl, nthAddress(addressBase, offset + i)));
}

function serverSpec(cluster: CmsClusterDecl, decl: CmsServerDecl, address: string): CmsServerSpec {
  const major = cmsMajor(cluster.version) >= 3 ? 3 : 2;
  return {
    fqdn: decl.fqdn.toLowerCase(),
    cluster,
    decl,
    address,
    major,
    hostname: cmsShortName(cluster, decl).split('.')[0],
    available: SERVICES_BY_MAJOR[major],
    ports: serverPorts(decl),
  };
}

function serverPorts(decl: CmsServerDecl): CmsTwinPort[] {
  const ports: CmsTwinPort[] = [{ name: 'ssh', kind: 'ssh', standardPort: standardSshPort(decl.ports.ssh), declaredPort: decl.ports.ssh ?? 22 }];
  for (const service of decl.services) {
    const info = cmsServiceInfo(service);
    const number = cmsPortNumber(decl, info.port);
    if (number === undefined) continue; // turn: only where its port is declared
    const clash = ports.find((p) => p.name === info.port.name);
    if (clash) throw new Error(`Server '${decl.fqdn}': ${service} and ${clash.service} both use port '${info.port.name}'`);
    ports.push({
      name: info.port.name,
      kind: info.port.name.endsWith('-https') ? 'https' : 'tls',
      standardPort: number < 1024 ? number + CMS_UNPRIVILEGED_OFFSET : number,
      declaredPort: number,
      service,
    });
  }
  return ports;
}

export function findCmsSpec(servers: readonly CmsServerSpec[], fqdnOrAddress: string): CmsServerSpec | undefined {
  const want = fqdnOrAddress.toLowerCase();
  return servers.find((s) => s.fqdn === want || (s.decl.address ?? s.fqdn).toLowerCase() === want || s.address === want);
}
