/**
 * `show network cluster` (docs/node-interfaces.md): one line per node of the cluster, CUCM and
 * IM and Presence, as the publisher knows them:
 *   `10.10.0.10 cucm-pub.example.com cucm-pub Publisher callmanager DBPub authenticated`
 *   `10.10.0.20 imp-pub.example.com imp-pub Subscriber cups DBPub authenticated using TCP since …`
 * then a `Server Table (processnode) Entries` section (ignored). A pure parser.
 */
import { NodeRole } from '../model';

export interface ClusterMember {
  /** The address the cluster knows the node by. */
  readonly address: string;
  /** Lower case. */
  readonly fqdn: string;
  readonly role: NodeRole;
}

const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)$/;

export function parseNetworkCluster(text: string): ClusterMember[] {
  const members: ClusterMember[] = [];
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    const line = raw.trim();
    if (/^Server Table/i.test(line)) break;
    const [address, fqdn, , serverRole, product, replication] = line.split(/\s+/);
    if (!address || !ADDRESS.test(address) || !fqdn || !product || !replication) continue;
    const role = roleOf(serverRole, product, replication);
    if (!role || members.some((m) => m.fqdn === fqdn.toLowerCase())) continue;
    members.push({ address, fqdn: fqdn.toLowerCase(), role });
  }
  return members;
}

/** CUCM: Publisher / Subscriber; IM&P (`cups`): the database publisher is the one replicating as DBPub. */
function roleOf(serverRole: string, product: string, replication: string): NodeRole | undefined {
  const p = product.toLowerCase();
  if (p === 'callmanager') return /^publisher$/i.test(serverRole) ? 'publisher' : /^subscriber$/i.test(serverRole) ? 'subscriber' : undefined;
  if (p === 'cups' || p === 'imp') return /^dbpub$/i.test(replication) ? 'imp-database-publisher' : 'imp-subscriber';
  return undefined;
}
