import { ClusterDecl, NodeDecl, nodePlatform, nodesInRolloutOrder, publisherOf } from '../model';
import { NodeSelector, PurposeInfo } from './purposes';
import { runsService } from './services';

/** The nodes of the cluster a selector picks, in rollout order. `covered` restricts scope `covered`. */
export function selectNodes(
  cluster: ClusterDecl,
  selector: NodeSelector,
  covered: readonly NodeDecl[],
  service?: string,
): NodeDecl[] {
  let nodes: NodeDecl[];
  if (selector.scope === 'publisher') {
    const platforms = selector.platform ? [selector.platform] : (['cucm', 'imp'] as const);
    nodes = platforms.map((p) => publisherOf(cluster, p)).filter((n): n is NodeDecl => !!n);
  } else if (selector.scope === 'covered') {
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

/** Multi-server CSR common name convention: publisher FQDN with `-ms` appended. */
export function multiServerCommonName(cluster: ClusterDecl, purpose: PurposeInfo): string {
  const pub = uploadNode(cluster, purpose);
  return `${pub ? pub.fqdn : cluster.name}-ms`;
}
