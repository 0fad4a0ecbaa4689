/** Trust steps: CA chains and trust entries into the stores, and the Intercluster Sync Agent after IM&P trust changes. */
import { Service, TRUST_ENTRY_RESTARTS, getPurpose, selectNodes, serviceSlug } from '../../catalog';
import { CertificateDecl, NodeDecl, publisherOf } from '../../model';
import { Gates, PlanContext, cmp } from './plan-context';
import { orderAcrossNodes } from './restart-steps';

export function addTrust(ctx: PlanContext, store: string, path: string, idTail: string, what: string, after: string | undefined, reason: string): string {
  const cert = ctx.ref(path);
  const key = `${store}/${cert.sha256}`;
  const existing = ctx.trustSteps.get(key);
  if (existing) return existing;
  const node = ctx.trustUploadNode(store);
  const unit = store.replace(/-trust$/, '');
  const id = ctx.add({
    id: `trust/${store}/${idTail}`,
    kind: 'upload-trust',
    node: node.fqdn,
    purpose: unit,
    store,
    description: `Upload ${what} (${cert.subject}) to ${store} on ${node.fqdn}; it is distributed to every node of the cluster`,
    command: `set cert import trust ${unit}`,
    reason,
    certificate: cert,
    fingerprints: [cert.sha256],
  });
  ctx.afterPreflight(id);
  if (ctx.changeGate) ctx.graph.depend(id, ctx.changeGate);
  if (after) ctx.graph.depend(id, after);
  ctx.trustSteps.set(key, id);
  if (ctx.reachesImp(store)) ctx.impTrustSteps.push(id);
  return id;
}

/** Root first, then each intermediate in order, into the purpose's trust store. Returns the last step. */
export function addCaChain(ctx: PlanContext, cert: CertificateDecl): string {
  const purpose = getPurpose(cert.purpose);
  const ca = ctx.ca(cert.ca);
  const reason = 'DOMAIN.md §3 install 1: the CA chain goes into the trust store first, root before intermediates';
  let last = addTrust(ctx, purpose.trustStore, ca.root, `${ca.name}-root`, `the root of CA '${ca.name}'`, undefined, reason);
  ca.intermediates.forEach((p, i) => {
    last = addTrust(ctx, purpose.trustStore, p, `${ca.name}-intermediate-${i + 1}`, `intermediate ${i + 1} of CA '${ca.name}'`, last, reason);
  });
  return last;
}

export function chainTail(ctx: PlanContext, cert: CertificateDecl): string {
  const purpose = getPurpose(cert.purpose);
  const ca = ctx.ca(cert.ca);
  const last = ca.intermediates.length > 0 ? ca.intermediates[ca.intermediates.length - 1] : ca.root;
  return ctx.trustSteps.get(`${purpose.trustStore}/${ctx.opts.facts(last).sha256}`)!;
}

export function addTrustEntries(ctx: PlanContext): Map<string, string[]> {
  const byStore = new Map<string, string[]>();
  for (const entry of [...ctx.trustEntries()].sort((a, b) => cmp(a.name, b.name))) {
    for (const store of [...entry.stores].sort()) {
      const id = addTrust(ctx, 
        store,
        entry.certificate,
        entry.name,
        `trust entry '${entry.name}'`,
        undefined,
        'DOMAIN.md §5: certificates of peers (e.g. the Expressway-C root) belong in the stores that check them',
      );
      byStore.set(store, [...(byStore.get(store) ?? []), id]);
    }
  }
  return byStore;
}

/** ISA restart on the IM&P database publisher after trust reached IM&P, then the peers' checks. Returns the gate ids. */
export function addIntercluster(ctx: PlanContext): string[] {
  const impPub = publisherOf(ctx.cluster, 'imp');
  if (!impPub || ctx.impTrustSteps.length === 0) return [];
  const id = ctx.add({
    id: `isa/restart/${ctx.short(impPub)}`,
    kind: 'restart-service',
    node: impPub.fqdn,
    purpose: 'cluster',
    service: Service.INTERCLUSTER_SYNC_AGENT,
    description: `Restart ${Service.INTERCLUSTER_SYNC_AGENT} on ${impPub.fqdn} so the new CA certificates sync to the other clusters`,
    command: `utils service restart ${Service.INTERCLUSTER_SYNC_AGENT}`,
    reason: 'DOMAIN.md §3 install 2: after IM&P trust uploads, restart the Intercluster Sync Agent on the IM&P database publisher',
    fingerprints: ctx.impTrustSteps.map((s) => ctx.trustCertificate(s).sha256),
  });
  for (const t of ctx.impTrustSteps) ctx.graph.depend(id, t);
  const gates = [id];
  for (const peer of [...ctx.cluster.interclusterPeers].sort()) {
    const m = ctx.add({
      id: `manual/intercluster-sync/${peer}`,
      kind: 'manual',
      node: impPub.fqdn,
      purpose: 'cluster',
      description: `Check intercluster sync on peer ${peer}: "Connection is secure"`,
      command: `On ${peer}: Diagnostics > System Troubleshooter (intercluster); Force Manual Sync, wait about 60 s; else restart ${Service.INTERCLUSTER_SYNC_AGENT} and retry`,
      reason: "DOMAIN.md §3 install 2: verify on every other cluster's IM&P database publisher",
      fingerprints: ctx.graph.get(id).fingerprints,
    });
    ctx.graph.depend(m, id);
    gates.push(m);
  }
  return gates;
}

// ---- per purpose --------------------------------------------------------------------

export function addTrustEntryRestarts(ctx: PlanContext, byStore: Map<string, string[]>, gates: Gates): void {
  for (const [store, entryIds] of [...byStore].sort((a, b) => cmp(a[0], b[0]))) {
    const rule = TRUST_ENTRY_RESTARTS[store];
    if (!rule) continue;
    const nodes = selectNodes(ctx.cluster, rule.on, [], rule.service);
    const fingerprints = entryIds.map((e) => ctx.trustCertificate(e).sha256);
    const perNode = new Map<NodeDecl, string[]>();
    const byNode = new Map<string, string[]>();
    for (const node of nodes) {
      // The purpose rollout restarts this service here anyway: let that restart read the entry too.
      const existing = ctx.restartIndex.get(`${node.fqdn}/${rule.service}`);
      if (existing) {
        for (const e of entryIds) ctx.graph.depend(existing, e);
        continue;
      }
      const id = ctx.add({
        id: `${store}/restart/${ctx.short(node)}/${serviceSlug(rule.service)}`,
        kind: 'restart-service',
        node: node.fqdn,
        purpose: store,
        service: rule.service,
        description: `Restart ${rule.service} on ${node.fqdn} so it reads the new entries of ${store}`,
        command: `utils service restart ${rule.service}`,
        reason: `DOMAIN.md §3 install 4: a certificate imported into ${store} is read after ${rule.service} restarts`,
        fingerprints,
      });
      for (const e of entryIds) ctx.graph.depend(id, e);
      if (store === 'CallManager-trust' && gates.maintenance) ctx.graph.depend(id, gates.maintenance);
      ctx.recordRestarts(node, [id]);
      perNode.set(node, [rule.service]);
      byNode.set(node.fqdn, [id]);
    }
    // CallManager restarts take call processing down: one node at a time as for the purposes, unless CallManager groups are declared.
    orderAcrossNodes(ctx, perNode, byNode, store === 'CallManager-trust' && !ctx.hasCallManagerGroups());
  }
}

// ---- output -----------------------------------------------------------------------

