/**
 * What each simulated node is, derived once from the declarations and the catalog: its
 * purposes, trust stores, services, ports and loopback address. Pure data, no I/O.
 */
import { CUCM_NETWORK_SERVICES, IMP_NETWORK_SERVICES, PURPOSES, PurposeInfo, Service, runsService } from '../../catalog';
import { ClusterDecl, Declarations, NodeDecl, isPublisherRole, nodePlatform, nodesInRolloutOrder } from '../../model';
import { nthAddress, standardSshPort } from '../core/topology';

/** One listening port of a node: SSH, HTTPS (REST, SOAP, tomcat) or a purpose's service port. */
export interface TwinPort {
  /** Name in the ready file and in a node's `ports` overrides (`ssh`, `https`, `sip-tls`, …). */
  readonly name: string;
  readonly kind: 'ssh' | 'https' | 'tls' | 'xmpp-starttls';
  /** Port in standard mode (dynamic mode listens on 0). */
  readonly standardPort: number;
  /** The service that must be STARTED for the port to accept connections (none for SSH). */
  readonly servedBy?: string;
  /** Purposes presented there, the RSA one first and its -ECDSA sibling second. */
  readonly purposes: readonly string[];
}

export interface TwinNodeSpec {
  readonly fqdn: string;
  readonly cluster: ClusterDecl;
  readonly decl: NodeDecl;
  readonly platform: 'cucm' | 'imp';
  readonly isPublisher: boolean;
  /** Loopback address the node listens on. */
  readonly address: string;
  /** Major release: < 15 prints `show cert list` in blocks, < 14 has no REST API. */
  readonly major: number;
  readonly purposes: readonly PurposeInfo[];
  readonly trustStores: readonly string[];
  /** Services in `utils service list` order, each running or not activated. */
  readonly services: readonly { readonly name: string; readonly activated: boolean }[];
  readonly ports: readonly TwinPort[];
}

/** Feature services a node of the platform can have; those not declared show `[Not Activated]`. */
const FEATURE_SERVICES: Record<'cucm' | 'imp', readonly string[]> = {
  cucm: [Service.CALLMANAGER, Service.TFTP, Service.CTIMANAGER, Service.CAPF, Service.DRF_MASTER, Service.AXL_WEB_SERVICE, Service.CLIENT_PROFILE_AGENT],
  imp: [
    Service.SIP_PROXY,
    Service.PRESENCE_ENGINE,
    Service.XCP_CONNECTION_MANAGER,
    Service.XCP_WEB_CONNECTION_MANAGER,
    Service.XCP_DIRECTORY_SERVICE,
    Service.XCP_ROUTER,
    Service.XCP_FEDERATION_CONNECTION_MANAGER,
  ],
};

/** Every declared node, in rollout order cluster by cluster, each on the next loopback address. */
export function buildTopology(declarations: Declarations, addressBase: string): TwinNodeSpec[] {
  const nodes = declarations.clusters.flatMap((cluster) => nodesInRolloutOrder(cluster).map((decl) => ({ cluster, decl })));
  const seen = new Set<string>();
  for (const { decl } of nodes) {
    if (seen.has(decl.fqdn)) throw new Error(`Node '${decl.fqdn}' is declared in two clusters: the twin can simulate it once only`);
    seen.add(decl.fqdn);
  }
  return nodes.map(({ cluster, decl }, i) => nodeSpec(cluster, decl, nthAddress(addressBase, i)));
}

function nodeSpec(cluster: ClusterDecl, decl: NodeDecl, address: string): TwinNodeSpec {
  const platform = nodePlatform(decl);
  const purposes = PURPOSES.filter((p) => p.platforms.includes(platform) && (!p.publisherOnly || decl.role === 'publisher'));
  const network = platform === 'imp' ? IMP_NETWORK_SERVICES : CUCM_NETWORK_SERVICES;
  const running = [...new Set([...network, ...decl.services])];
  const services = [
    ...running.map((name) => ({ name, activated: true })),
    ...FEATURE_SERVICES[platform].filter((s) => !running.includes(s)).map((name) => ({ name, activated: false })),
  ];
  return {
    fqdn: decl.fqdn.toLowerCase(),
    cluster,
    decl,
    platform,
    isPublisher: isPublisherRole(decl.role),
    address,
    major: parseInt(decl.version, 10) || 15,
    purposes,
    trustStores: [...new Set(purposes.map((p) => p.trustStore))],
    services,
    ports: nodePorts(decl, purposes),
  };
}

function nodePorts(decl: NodeDecl, purposes: readonly PurposeInfo[]): TwinPort[] {
  const ports: TwinPort[] = [{ name: 'ssh', kind: 'ssh', standardPort: standardSshPort(decl.ports.ssh), purposes: [] }];
  for (const purpose of purposes) {
    for (const port of purpose.ports) {
      if (!runsService(decl, port.servedBy)) continue;
      const existing = ports.findIndex((p) => p.name === port.name);
      if (existing >= 0) {
        const p = ports[existing];
        // The RSA purpose stays first: a default client gets it, an ECDSA-only client the -ECDSA one.
        const names = purpose.keyType === 'EC' ? [...p.purposes, purpose.name] : [purpose.name, ...p.purposes];
        ports[existing] = { ...p, purposes: names };
        continue;
      }
      ports.push({
        name: port.name,
        kind: port.name === 'https' ? 'https' : port.handshake,
        standardPort: decl.ports[port.name] ?? port.port,
        servedBy: port.servedBy,
        purposes: [purpose.name],
      });
    }
  }
  return ports;
}

/** Common name of the node's self-signed certificate of a purpose: the FQDN, `<host>-EC.<domain>` for -ECDSA. */
export function selfSignedCommonName(fqdn: string, purpose: PurposeInfo): string {
  if (purpose.keyType !== 'EC') return fqdn;
  const [host, ...domain] = fqdn.split('.');
  return [`${host}-EC`, ...domain].join('.');
}

export function findSpec(nodes: readonly TwinNodeSpec[], fqdn: string): TwinNodeSpec | undefined {
  const want = fqdn.toLowerCase();
  return nodes.find((n) => n.fqdn === want);
}
