import { ClusterDecl, Declarations, NodeDecl, isImpRole } from './declarations';

const ROLE_RANK: Record<NodeDecl['role'], number> = {
  publisher: 0,
  subscriber: 1,
  'imp-database-publisher': 2,
  'imp-subscriber': 3,
};

/** Nodes in rollout order: CUCM publisher, CUCM subscribers, IM&P database publisher, IM&P subscribers (declaration order within a role). */
export function nodesInRolloutOrder(cluster: ClusterDecl): NodeDecl[] {
  return cluster.nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => ROLE_RANK[a.n.role] - ROLE_RANK[b.n.role] || a.i - b.i)
    .map((x) => x.n);
}

export function nodePlatform(node: NodeDecl): 'cucm' | 'imp' {
  return isImpRole(node.role) ? 'imp' : 'cucm';
}

export function publisherOf(cluster: ClusterDecl, platform: 'cucm' | 'imp'): NodeDecl | undefined {
  const role = platform === 'cucm' ? 'publisher' : 'imp-database-publisher';
  return cluster.nodes.find((n) => n.role === role);
}

export function findNode(cluster: ClusterDecl, fqdn: string): NodeDecl | undefined {
  return findByFqdn(cluster.nodes, fqdn);
}

/** First DNS label of the FQDN, or the whole FQDN when two nodes of the cluster share a first label. */
export function shortName(cluster: ClusterDecl, node: NodeDecl): string {
  return shortLabel(cluster.nodes, node.fqdn);
}

/** The host (CUCM node, Meeting Server) of `hosts` with this FQDN, in any case. */
export function findByFqdn<H extends { readonly fqdn: string }>(hosts: readonly H[], fqdn: string): H | undefined {
  const want = fqdn.toLowerCase();
  return hosts.find((h) => h.fqdn.toLowerCase() === want);
}

/** The first DNS label of `fqdn`, lowercase, or the whole FQDN when two of `hosts` share that label (step ids). */
export function shortLabel(hosts: readonly { readonly fqdn: string }[], fqdn: string): string {
  const label = fqdn.split('.')[0].toLowerCase();
  const clash = hosts.filter((h) => h.fqdn.split('.')[0].toLowerCase() === label).length > 1;
  return clash ? fqdn.toLowerCase() : label;
}

/**
 * A node (or Meeting Server) FQDN declared in more than one cluster: each cluster would plan
 * and restart it on its own. One problem per FQDN, naming every cluster it is in.
 */
export function nodesInSeveralClusters(decls: Pick<Declarations, 'clusters' | 'cmsClusters'>): string[] {
  const clustersOf = new Map<string, string[]>();
  const add = (fqdn: string, cluster: string) => {
    const key = fqdn.toLowerCase();
    const list = clustersOf.get(key) ?? [];
    if (!list.includes(cluster)) list.push(cluster);
    clustersOf.set(key, list);
  };
  for (const c of decls.clusters) for (const n of c.nodes) add(n.fqdn, c.name);
  for (const c of decls.cmsClusters ?? []) for (const s of c.servers) add(s.fqdn, c.name);
  return [...clustersOf]
    .filter(([, clusters]) => clusters.length > 1)
    .map(([fqdn, clusters]) => `Node '${fqdn}' is declared in ${clusters.map((c) => `cluster '${c}'`).join(' and in ')}: a node belongs to one cluster; remove it from all but one`);
}
