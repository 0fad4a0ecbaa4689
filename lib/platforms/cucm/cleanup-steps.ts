/**
 * Clean-up steps: the old self-signed trust certificates of the replaced identities are
 * deleted (seed 002, CSCur97909: a multi-server upload leaves them), on every node whose
 * platform the purpose cleans, and on every IM&P node of the intercluster peers.
 */
import { PurposeInfo, selfSignedCommonNames, trustStorePlatforms } from '../../catalog';
import { CertificateDecl, ClusterDecl, NodeDecl, isImpRole, nodePlatform, nodesInRolloutOrder, publisherOf } from '../../model';
import { Group, PlanContext } from './plan-context';

/** seed 002: wait 30 minutes for the Intercluster Sync Agent's clean-up task and the propagation to the CUCM nodes. */
export const SEED_CLEANUP_WAIT_SECONDS = 1800;

/** The clean-ups of a group: per purpose, one step per node, for every certificate of the purpose. */
export function addCleanups(ctx: PlanContext, g: Group, verifiesByCert: ReadonlyMap<CertificateDecl, readonly string[]>): void {
  for (const purpose of g.purposes) {
    const certs = g.certificates.filter((c) => c.purpose === purpose.name);
    if (certs.length > 0) addPurposeCleanups(ctx, g, purpose, certs, certs.flatMap((c) => verifiesByCert.get(c) ?? []));
  }
}

function addPurposeCleanups(ctx: PlanContext, g: Group, purpose: PurposeInfo, certs: readonly CertificateDecl[], verifies: readonly string[]): void {
  if (purpose.cleanupOn.length === 0) return;
  if (purpose.cleanupOptIn && ctx.cluster.cleanupCallManagerTrust !== true) return;
  const keep = certs.flatMap((cert) => {
    const ca = ctx.ca(cert.ca);
    return [ca.root, ...ca.intermediates];
  });
  keep.push(...ctx.trustEntries().map((t) => t.certificate));
  const covered = [...new Set(certs.flatMap((c) => ctx.covered(c)))];
  // Seed 002 cleans the self-signed certificates of its platforms' nodes (an ipsec certificate of a CUCM node: none).
  if (!covered.some((n) => purpose.cleanupOn.includes(nodePlatform(n)))) return;
  const subjects = [...new Set(covered.flatMap((n) => selfSignedCommonNames(n.fqdn, purpose)))].sort();
  const mine = verifies.filter((v) => ctx.graph.get(v).purpose === purpose.name);
  // The store is on every node of its platforms (a cluster-wide trust store): the old entries are on each.
  const storePlatforms = trustStorePlatforms(purpose.trustStore);
  const nodes = nodesInRolloutOrder(ctx.cluster).filter((n) => purpose.cleanupOn.includes(nodePlatform(n)) && storePlatforms.includes(nodePlatform(n)));
  const before = [...mine, ...cleanupGates(ctx, g, purpose)];
  const common = {
    kind: 'cleanup' as const,
    purpose: purpose.name,
    store: purpose.trustStore,
    command: `show cert list trust; set cert delete trust ${purpose.trustStore}/<self-signed file>`,
    waitSeconds: ctx.cluster.cleanupDelaySeconds,
    selfSignedSubjects: subjects,
    keep: [...new Set(keep.map((p) => ctx.ref(p).sha256))].sort(),
    fingerprints: [...new Set(certs.flatMap((c) => ctx.certFingerprints(c)))],
  };
  const own: string[] = [];
  for (const node of nodes) {
    const id = ctx.add({
      ...common,
      id: `${purpose.name}/cleanup/${ctx.short(node)}`,
      node: node.fqdn,
      description: `Delete the old self-signed ${purpose.name} certificates from ${purpose.trustStore} on ${node.fqdn}${ecNote(purpose)}`,
      reason: `${purpose.cleanupReason}; after every restart on this node and on the nodes it names`,
    });
    for (const b of before) ctx.graph.depend(id, b);
    // After every restart, of any purpose, on this node and on the nodes whose identity it reads.
    for (const n of new Set([node.fqdn, ...covered.map((c) => c.fqdn)])) {
      // Every one of them: their order on the node is the scheduler's, chosen after the graph is built.
      for (const r of ctx.restartsOn(n)) ctx.graph.depend(id, r);
    }
    own.push(id);
  }
  if (own.length > 0 && purpose.cleanupOn.includes('imp') && ctx.cluster.nodes.some((n) => isImpRole(n.role))) {
    addPeerCleanups(ctx, purpose, common, subjects, own);
  }
}

/** Manual steps of the group the clean-up must wait for: the peers' Tomcat resync, the phone reset. */
function cleanupGates(ctx: PlanContext, g: Group, purpose: PurposeInfo): string[] {
  const gates: string[] = [];
  if (g.family === 'tomcat') {
    for (const peer of ctx.cluster.interclusterPeers) {
      const resync = `tomcat/manual/intercluster-resync/${peer}`;
      if (ctx.graph.has(resync)) gates.push(resync);
    }
  }
  if (purpose.cleanupOptIn) {
    // CallManager-trust: never before the phones were reset and re-registered.
    const reset = `${g.family}/manual/reset-phones`;
    if (ctx.graph.has(reset)) gates.push(reset);
  }
  return gates;
}

type CleanupCommon = {
  readonly kind: 'cleanup';
  readonly purpose: string;
  readonly store: string;
  readonly command: string;
  readonly waitSeconds: number;
  readonly selfSignedSubjects: readonly string[];
  readonly keep: readonly string[];
  readonly fingerprints: readonly string[];
};

const PEER_REASON =
  "seed 002: repeat the deletion of the self-signed trust certificates on each IM&P node of the cluster and of the intercluster peers, so they are gone from the whole deployment";

/** Each intercluster peer: steps on its IM&P nodes when its cluster is declared with the same access, else a manual step. */
function addPeerCleanups(ctx: PlanContext, purpose: PurposeInfo, common: CleanupCommon, subjects: readonly string[], own: readonly string[]): void {
  for (const peer of [...ctx.cluster.interclusterPeers].sort()) {
    const resync = `tomcat/manual/intercluster-resync/${peer}`;
    const after = [...own, ...(purpose.family === 'tomcat' && ctx.graph.has(resync) ? [resync] : [])];
    const peerCluster = declaredPeer(ctx, peer);
    if (peerCluster && sameAccess(ctx.cluster, peerCluster)) {
      for (const node of nodesInRolloutOrder(peerCluster).filter((n) => isImpRole(n.role))) {
        ctx.peerNodes.set(node.fqdn, { node, cluster: peerCluster });
        const id = ctx.add({
          ...common,
          id: `${purpose.name}/cleanup/peer/${node.fqdn}`,
          node: node.fqdn,
          description: `Delete the old self-signed ${purpose.name} certificates of cluster ${ctx.cluster.name} from ${purpose.trustStore} on ${node.fqdn} (intercluster peer cluster ${peerCluster.name})${ecNote(purpose)}`,
          reason: PEER_REASON,
        });
        for (const a of after) ctx.graph.depend(id, a);
      }
      continue;
    }
    const why = peerCluster
      ? ` (cluster ${peerCluster.name} is declared, but with other credentials or known_hosts: done by hand)`
      : '';
    const id = ctx.add({
      id: `${purpose.name}/manual/peer-cleanup/${peer}`,
      kind: 'manual',
      node: (publisherOf(ctx.cluster, 'imp') ?? ctx.publisher()).fqdn,
      purpose: purpose.name,
      description: `On every IM&P node of the intercluster peer ${peer}: delete the old self-signed ${purpose.name} certificates of cluster ${ctx.cluster.name} from ${purpose.trustStore}${why}`,
      command: `On each IM&P node of ${peer}'s cluster, after the ${common.waitSeconds} s clean-up wait: show cert list trust; for each self-signed (Issuer CN = Subject CN) ${purpose.trustStore} certificate named ${subjects.join(', ')}: set cert delete trust ${purpose.trustStore}/<file>`,
      reason: PEER_REASON,
      fingerprints: common.fingerprints,
    });
    for (const a of after) ctx.graph.depend(id, a);
  }
}

/** The declared cluster (other than this one) whose node the peer FQDN names. */
function declaredPeer(ctx: PlanContext, peer: string): ClusterDecl | undefined {
  const want = peer.toLowerCase();
  return ctx.decls.clusters.find((c) => c.name !== ctx.cluster.name && c.nodes.some((n: NodeDecl) => n.fqdn.toLowerCase() === want));
}

/** The executor reaches the peer's nodes with this plan's credentials and host keys: only when they are the same. */
function sameAccess(a: ClusterDecl, b: ClusterDecl): boolean {
  return JSON.stringify(a.credentials) === JSON.stringify(b.credentials) && a.knownHostsFile === b.knownHostsFile;
}

/** -ECDSA: the self-signed certificates are named `<host>-EC.<domain>` (DOMAIN.md §3 clean-up). */
function ecNote(purpose: PurposeInfo): string {
  return purpose.keyType === 'EC' ? ' (self-signed -ECDSA certificates are named <host>-EC.<domain>)' : '';
}
