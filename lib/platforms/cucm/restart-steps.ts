/** Restart steps: the purpose's services in catalog order on each node, publisher first; the scheduler orders the rest. */
import { RestartRule, selectNodes, serviceSlug } from '../../catalog';
import { CertificateDecl, NodeDecl, nodesInRolloutOrder } from '../../model';
import { Gates, Group, PlanContext } from './plan-context';

/** The restart rules of the group, per node, in rule order; nodes in rollout order. */
export function restartPlan(ctx: PlanContext, rules: readonly RestartRule[], covered: NodeDecl[], multiServer = false): Map<NodeDecl, string[]> {
  const perNode = new Map<NodeDecl, string[]>();
  for (const node of nodesInRolloutOrder(ctx.cluster)) perNode.set(node, []);
  for (const rule of rules) {
    for (const node of selectNodes(ctx.cluster, rule.on, covered, rule.service, multiServer)) {
      const list = perNode.get(node)!;
      if (!list.includes(rule.service)) list.push(rule.service);
    }
  }
  for (const [node, list] of perNode) if (list.length === 0) perNode.delete(node);
  return perNode;
}

export function addRestarts(
  ctx: PlanContext,
  g: Group,
  uploads: { id: string; cert: CertificateDecl; nodes: NodeDecl[] }[],
  gates: Gates,
  allUploads: string[],
): Map<string, string[]> {
  const purpose = g.purposes[0];
  const covered = uploads.flatMap((u) => u.nodes);
  const perNode = restartPlan(ctx, purpose.restarts, covered, uploads.some((u) => u.cert.distribution === 'multi-server'));
  const label = g.purposes.map((p) => p.name).join('+');
  const fingerprints = ctx.fingerprintsOf([g]);

  const before: string[] = [];
  const pub = ctx.publisher();
  if (ctx.cluster.securityMode === 'mixed' && purpose.ctlUpdateInMixedMode) {
    before.push(
      ctx.add({
        id: `${g.family}/manual/ctl-update`,
        kind: 'manual',
        node: pub.fqdn,
        purpose: label,
        description: `Update the CTL file (mixed mode) before the ${g.family} services restart`,
        command: 'utils ctl update CTLFile (tokenless) or run the CTL client with the USB tokens',
        reason: 'DOMAIN.md §3 preflight 3 / §5: in mixed mode the CTL is updated before CallManager, CAPF restarts',
        fingerprints,
      }),
    );
  }
  for (const action of purpose.manualBeforeRestarts) {
    before.push(ctx.addGroupAction(g, action, `DOMAIN.md §3 / §5: checked by a person before the ${g.family} restarts`));
  }
  for (const b of before) {
    for (const u of uploads) ctx.graph.depend(b, u.id);
    if (gates.maintenance && purpose.maintenanceWindow) ctx.graph.depend(b, gates.maintenance);
  }

  const byNode = new Map<string, string[]>();
  const multi = uploads.filter((u) => u.cert.distribution === 'multi-server').map((u) => u.id);
  for (const [node, services] of perNode) {
    const ids = services.map((service) =>
      ctx.add({
        id: `${g.family}/restart/${ctx.short(node)}/${serviceSlug(service)}`,
        kind: 'restart-service',
        node: node.fqdn,
        purpose: label,
        service,
        description: covered.includes(node)
          ? `Restart ${service} on ${node.fqdn} so it presents the new ${label} certificate`
          : `Restart ${service} on ${node.fqdn} so it reads the new ${label} certificates of the cluster (it keeps its own)`,
        command: `utils service restart ${service}`,
        reason: restartReason(g.family, services, covered.includes(node)),
        fingerprints,
      }),
    );
    services.forEach((service, i) => ctx.restartIndex.set(`${node.fqdn}/${service}`, ids[i]));
    for (let i = 1; i < ids.length; i++) ctx.graph.depend(ids[i], ids[i - 1]);
    const own = uploads.filter((u) => u.cert.distribution === 'single-server' && u.nodes.includes(node)).map((u) => u.id);
    const reaching = [...multi, ...own];
    for (const u of reaching.length > 0 ? reaching : uploads.map((x) => x.id)) ctx.graph.depend(ids[0], u);
    for (const u of allUploads) ctx.graph.depend(ids[0], u);
    for (const b of before) ctx.graph.depend(ids[0], b);
    ctx.recordRestarts(node, ids);
    byNode.set(node.fqdn, ids);
  }
  // Call processing one node at a time, unless CallManager groups say which nodes may restart together.
  orderAcrossNodes(ctx, perNode, byNode, purpose.restartOneAtATime && purpose.maintenanceWindow && !ctx.hasCallManagerGroups());
  return byNode;
}

/**
 * Publisher first: a node's sequence starts after its publisher's (CUCM subscribers and the IM&P database
 * publisher after the CUCM publisher, IM&P subscribers after the IM&P database publisher). `oneAtATime`: one
 * node after the other in rollout order (call processing without CallManager groups). Tomcat on one node at a
 * time and the other availability rules are the scheduler's (availability.ts): it picks the order.
 */
export function orderAcrossNodes(ctx: PlanContext, perNode: Map<NodeDecl, string[]>, byNode: Map<string, string[]>, oneAtATime: boolean): void {
  const nodes = [...perNode.keys()];
  const first = (n: NodeDecl) => byNode.get(n.fqdn)![0];
  const last = (n: NodeDecl) => byNode.get(n.fqdn)!.at(-1)!;
  if (oneAtATime) {
    for (let i = 1; i < nodes.length; i++) ctx.graph.depend(first(nodes[i]), last(nodes[i - 1]));
    return;
  }
  const cucmPub = nodes.find((n) => n.role === 'publisher');
  const impPub = nodes.find((n) => n.role === 'imp-database-publisher');
  for (const n of nodes) {
    const pub = n.role === 'subscriber' ? cucmPub : n.role === 'imp-subscriber' ? (impPub ?? cucmPub) : n.role === 'imp-database-publisher' ? cucmPub : undefined;
    if (pub && pub !== n) ctx.graph.depend(first(n), last(pub));
  }
}

/** Why a node restarts the group's services; a node the certificate is not for cites the rule that reaches it. */
export function restartReason(family: string, services: readonly string[], covered: boolean): string {
  if (covered) return `DOMAIN.md §3 install 4 / §5: after a ${family} change, restart ${services.join(', ')} on this node, publisher first`;
  if (family === 'CallManager') {
    return `seed 000 (CallManager multi-server SAN): after the CA-signed certificate is installed, ${services.join(', ')} restart on every node where activated, also one left out of the SAN list (it serves the new trust list)`;
  }
  return `DOMAIN.md §5: after a ${family} change, ${services.join(', ')} restart on every node, also one the certificate is not for`;
}
