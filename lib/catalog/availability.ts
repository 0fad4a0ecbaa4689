/**
 * Availability rules as data: which restarts must never overlap, so that phones, Jabber and CTI
 * applications always have a node to fail over to. The CUCM scheduler
 * (lib/platforms/cucm/availability.ts) turns them into resources with a capacity.
 */
import { ClusterDecl, findNode, isImpRole, nodePlatform } from '../model';
import { Service, runsService } from './services';

/**
 * Restarted on one node at a time across the cluster, publisher first (DOMAIN.md §5: Cisco Tomcat
 * "publisher first, then subscribers one at a time"). The other services of the tomcat row
 * (UDS / AXL Tomcat, DRF) follow Cisco Tomcat on each node and are not serialized across nodes.
 */
export const ONE_NODE_AT_A_TIME_SERVICES: readonly string[] = [Service.TOMCAT];

/**
 * Never restarted on every node that runs it at once, so a phone or a CTI application always
 * reaches one: Cisco TFTP (issue 12: "never every TFTP node at once"); the Cisco CTIManager and
 * Cisco Trust Verification Service that phones and CTI applications fail over between, likewise.
 */
export const NEVER_EVERYWHERE_AT_ONCE_SERVICES: readonly string[] = [Service.TFTP, Service.CTIMANAGER, Service.TVS];

/** The service whose restarts follow the declared CallManager groups: never every member of a group at once. */
export const CALLMANAGER_GROUP_SERVICE: string = Service.CALLMANAGER;

/** Declared CallManager groups and IM&P subclusters that cannot be right; empty when none. */
export function availabilityProblems(cluster: ClusterDecl, at?: string): string[] {
  const problems: string[] = [];
  const where = at ?? `Cluster '${cluster.name}'`;
  const names = new Set<string>();
  (cluster.callManagerGroups ?? []).forEach((g, i) => {
    const here = `${where}.callManagerGroups[${i}] '${g.name}'`;
    if (names.has(g.name)) problems.push(`${here}: the group name is used twice: give each group its own name`);
    names.add(g.name);
    if (new Set(g.members.map((m) => m.toLowerCase())).size < 2) {
      problems.push(`${here} has ${g.members.length === 0 ? 'no members' : 'one member'}: phones of a group need a second member to fail over to; list at least two CUCM nodes`);
    }
    for (const m of g.members) {
      const node = findNode(cluster, m);
      if (!node) problems.push(`${here}: member '${m}' is not a node of the cluster: use the FQDN of a declared CUCM node`);
      else if (nodePlatform(node) !== 'cucm') problems.push(`${here}: member '${m}' is an IM and Presence node: a CallManager group lists CUCM nodes`);
      else if (!runsService(node, CALLMANAGER_GROUP_SERVICE)) problems.push(`${here}: member '${m}' does not run ${CALLMANAGER_GROUP_SERVICE}: add the service to the node or take the node out of the group`);
    }
  });
  const inSubcluster = new Map<string, string>();
  const subNames = new Set<string>();
  (cluster.impSubclusters ?? []).forEach((s, i) => {
    const here = `${where}.imPresence.subclusters[${i}] '${s.name}'`;
    if (subNames.has(s.name)) problems.push(`${here}: the subcluster name is used twice: give each subcluster its own name`);
    subNames.add(s.name);
    if (s.members.length < 1 || s.members.length > 2) problems.push(`${here} has ${s.members.length} members: an IM and Presence subcluster has one or two nodes`);
    for (const m of s.members) {
      const node = findNode(cluster, m);
      if (!node) problems.push(`${here}: member '${m}' is not a node of the cluster: use the FQDN of a declared IM and Presence node`);
      else if (!isImpRole(node.role)) problems.push(`${here}: member '${m}' is a CUCM node: a subcluster lists IM and Presence nodes`);
      else {
        const other = inSubcluster.get(node.fqdn);
        if (other) problems.push(`${here}: member '${m}' is already in subcluster '${other}': a node is in one subcluster`);
        inSubcluster.set(node.fqdn, s.name);
      }
    }
  });
  return problems;
}

