import { ClusterDecl, NodeDecl, nodePlatform, nodesInRolloutOrder, publisherOf } from '../model';
import { NodeSelector, PurposeInfo } from './purposes';
import { runsService } from './services';

/**
 * The nodes of the cluster a selector picks, in rollout order. `covered` restricts scope `covered`,
 * except for a multi-server certificate when the selector reaches `beyondSanList`.
 */
export function selectNodes(
  cluster: ClusterDecl,
  selector: NodeSelector,
  covered: readonly NodeDecl[],
  service?: string,
  multiServer = false,
): NodeDecl[] {
  let nodes: NodeDecl[];
  if (selector.scope === 'publisher') {
    const platforms = selector.platform ? [selector.platform] : (['cucm', 'imp'] as const);
    nodes = platforms.map((p) => publisherOf(cluster, p)).filter((n): n is NodeDecl => !!n);
  } else if (selector.scope === 'covered' && !(multiServer && selector.beyondSanList)) {
    const want = new Set(covered.map((n) => n.fqdn));
    nodes = nodesInRolloutOrder(cluster).filter((n) => want.has(n.fqdn));
  } else {
    nodes = nodesInRolloutOrder(cluster);
  }
  if (selector.platform) nodes = nodes.filter((n) => nodePlatform(n) === selector.platform);
  if (selector.whereActivated && service) nodes = nodes.filter((n) => runsService(n, service));
  return nodesInRolloutOrder(cluster).filter((n) => nodes.includes(n));
}

/**
 * The nodes a multi-server certificate of this purpose must list in its SANs (DOMAIN.md §2):
 * tomcat every node, CallManager/TVS the CUCM nodes, cup-xmpp(-s2s) the IM&P nodes.
 * CallManager: nodes without the CallManager service only when the cluster says to keep them.
 */
export function multiServerCoverage(cluster: ClusterDecl, purpose: PurposeInfo): NodeDecl[] {
  let nodes = selectNodes(cluster, purpose.covers, []);
  if (purpose.family === 'CallManager' && cluster.callManagerIncludeInactiveNodes === false) {
    nodes = nodes.filter((n) => n.services.includes('Cisco CallManager'));
  }
  return nodes;
}

/** CUCM nodes without the CallManager service: the ones DOMAIN.md §2 says need an explicit keep/drop choice. */
export function nodesWithoutCallManager(cluster: ClusterDecl): NodeDecl[] {
  return nodesInRolloutOrder(cluster).filter((n) => nodePlatform(n) === 'cucm' && !n.services.includes('Cisco CallManager'));
}

/** The node where a multi-server certificate (and cluster-wide trust) of this purpose is uploaded. */
export function uploadNode(cluster: ClusterDecl, purpose: PurposeInfo): NodeDecl | undefined {
  const platform = purpose.platforms.includes('cucm') ? 'cucm' : 'imp';
  return publisherOf(cluster, platform) ?? publisherOf(cluster, platform === 'cucm' ? 'imp' : 'cucm');
}

/**
 * The multi-server CSR common name by the release of the node that generates it (seed 000's
 * listings): 10.5 appends `-ms` to the publisher FQDN (`cs-ccm-pub.example.com-ms`); 11.5 and
 * later append it to the host name (`115pub-ms.example.com`). Releases between the two, which the
 * seeds do not show, take the 10.5 form. Rows in release order: the last one at or below wins.
 */
export const MULTI_SERVER_CN_FORMS: readonly { readonly from: string; readonly form: 'fqdn-ms' | 'host-ms.domain' }[] = [
  { from: '0', form: 'fqdn-ms' },
  { from: '11.5', form: 'host-ms.domain' },
];

/** Multi-server CSR common name of the purpose's upload node (the publisher), by its declared `version`. */
export function multiServerCommonName(cluster: ClusterDecl, purpose: PurposeInfo): string {
  const pub = uploadNode(cluster, purpose);
  if (!pub) return `${cluster.name}-ms`;
  return multiServerCommonNameOf(pub.fqdn, pub.version);
}

export function multiServerCommonNameOf(fqdn: string, version: string): string {
  const form = [...MULTI_SERVER_CN_FORMS].reverse().find((r) => compareRelease(version, r.from) >= 0)?.form ?? 'fqdn-ms';
  if (form === 'fqdn-ms') return `${fqdn}-ms`;
  const [host, ...domain] = fqdn.split('.');
  return [`${host}-ms`, ...domain].join('.');
}

/** `14.0` < `14.10` < `15.0`: releases compare number by number (`15.0.1.12900-234` too). */
export function compareRelease(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.\-]/).map((x) => Number.parseInt(x, 10)).map((n) => (Number.isFinite(n) ? n : 0));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Common names of a node's self-signed certificate of a purpose, as the clean-up looks for them:
 * the FQDN (and host name) for RSA; `<host>-EC.<domain>` (and `<host>-EC`) for -ECDSA (DOMAIN.md §3 clean-up).
 */
export function selfSignedCommonNames(fqdn: string, purpose: PurposeInfo): string[] {
  const [host, ...domain] = fqdn.toLowerCase().split('.');
  if (purpose.keyType !== 'EC') return [fqdn.toLowerCase(), host];
  return [[`${host}-EC`, ...domain].join('.'), `${host}-EC`];
}
