/**
 * The planner: declarations of one cluster → an ordered step graph (DOMAIN.md §3, §5).
 * Pure: same declarations and certificate facts in, byte-identical plan out.
 */
import {
  PREFLIGHT_SERVICES,
  PurposeInfo,
  RestartRule,
  Service,
  TRUST_ENTRY_RESTARTS,
  getPurpose,
  multiServerCoverage,
  runsService,
  selectNodes,
  serviceSlug,
  trustStorePlatforms,
  uploadNode,
} from '../catalog';
import {
  CertificateDecl,
  CertificateFacts,
  CertificateFactsLookup,
  ClusterDecl,
  Declarations,
  NodeDecl,
  findNode,
  isImpRole,
  nodePlatform,
  nodesInRolloutOrder,
  publisherOf,
  shortName,
} from '../model';
import { DependencyGraph } from './graph';
import { computeTriggers } from './triggers';
import { ClusterPlan, PlanFinding, PlanStep, StepCertificate } from './types';
import { validateDeclarations } from './validate';

export interface PlanOptions {
  /** Facts of a declared certificate file, by its declared path. */
  readonly facts: CertificateFactsLookup;
  /** The reference written into the plan for a declared file (relative to plan.json). */
  readonly fileRef: (declaredPath: string) => string;
  /** Lint warnings to show the reviewer. */
  readonly warnings?: readonly PlanFinding[];
}

/** A step before its dependencies and trigger are known. */
export type DraftStep = Omit<PlanStep, 'dependsOn' | 'trigger'> & {
  /** Fingerprints that re-run this step when they change (its purpose's certificates). */
  readonly fingerprints: readonly string[];
};

export function planCluster(decls: Declarations, clusterName: string, opts: PlanOptions): ClusterPlan {
  validateDeclarations(decls, opts.facts);
  const cluster = decls.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`Cluster '${clusterName}' is not declared`);
  return new ClusterPlanner(decls, cluster, opts).build();
}

interface Group {
  /** Purpose family: one set of restarts serves both the RSA and the -ECDSA certificate. */
  readonly family: string;
  readonly purposes: PurposeInfo[];
  readonly certificates: CertificateDecl[];
}

class ClusterPlanner {
  private readonly graph = new DependencyGraph<DraftStep>();
  private readonly preflights: string[] = [];
  /** Trust upload step id by `<store>/<sha256>`. */
  private readonly trustSteps = new Map<string, string>();
  private readonly impTrustSteps: string[] = [];
  /** Per node, the restart sequences of each purpose group in planning order: one node restarts one thing at a time. */
  private readonly restartChains = new Map<string, string[][]>();
  /** Restart step id by `<node fqdn>/<service>`, for restarts the purposes already plan. */
  private readonly restartIndex = new Map<string, string>();
  private readonly allFingerprints: string[];

  constructor(
    private readonly decls: Declarations,
    private readonly cluster: ClusterDecl,
    private readonly opts: PlanOptions,
  ) {
    this.allFingerprints = [
      ...this.certificates().flatMap((c) => this.chainFacts(c).map((f) => f.sha256)),
      ...this.trustEntries().map((t) => this.opts.facts(t.certificate).sha256),
    ];
  }

  build(): ClusterPlan {
    const groups = this.groups();
    this.addPreflights();
    const gates = this.addClusterGates(groups);
    for (const g of groups) for (const cert of g.certificates) this.addCaChain(cert);
    const trustEntryIds = this.addTrustEntries();
    const isa = this.addIntercluster();
    // Every identity upload before any restart: the uploads of a cluster go together (DOMAIN.md §3 install 3),
    // and a REST upload must not meet a Tomcat restart on its node.
    const uploadsByGroup = groups.map((g) => g.certificates.map((c) => this.addIdentityUpload(c, g, gates, isa)));
    const allUploads = uploadsByGroup.flat().map((u) => u.id);
    const ssoGroupEnds: string[] = [];
    const verifiesByCert = new Map<CertificateDecl, string[]>();
    groups.forEach((g, i) => {
      const uploads = uploadsByGroup[i];
      const restartsByNode = this.addRestarts(g, uploads, gates, allUploads);
      const verifies = g.certificates.flatMap((c) => {
        const ids = this.addVerifies(c, restartsByNode, uploads);
        verifiesByCert.set(c, ids);
        return ids;
      });
      // The group's change is over when every node verified and finished its restarts.
      const ends = [...verifies, ...[...restartsByNode.values()].map((ids) => ids.at(-1)!)];
      this.addManualAfter(g, ends);
      if (g.family === 'tomcat') this.addPeerTomcatResync(g, restartsByNode);
      if (g.purposes.some((p) => p.ssoAround)) ssoGroupEnds.push(...ends);
    });
    this.addTrustEntryRestarts(trustEntryIds, gates);
    // Clean-up last: it talks to nodes that must not be restarting anything.
    const lastRestarts = [...this.restartChains.values()].map((chain) => chain.at(-1)!.at(-1)!);
    for (const g of groups) for (const c of g.certificates) this.addCleanups(c, [...verifiesByCert.get(c)!, ...lastRestarts]);
    if (gates.ssoDisable) {
      const id = this.add({
        id: 'manual/sso-enable',
        kind: 'manual',
        node: this.publisher().fqdn,
        purpose: 'cluster',
        description: 'Re-enable SSO now that every tomcat certificate is in service',
        command: 'Re-enable SAML SSO (Cisco Unified CM Administration > System > SAML Single Sign-On) and run its test',
        reason: 'DOMAIN.md §3 preflight 2: SSO is re-enabled after the whole tomcat rollout',
        fingerprints: this.fingerprintsOf(groups.filter((g) => g.purposes.some((p) => p.ssoAround))),
      });
      for (const e of ssoGroupEnds) this.graph.depend(id, e);
    }
    return this.finish(groups);
  }

  // ---- declarations of this cluster -------------------------------------------------

  private certificates(): CertificateDecl[] {
    return this.decls.certificates.filter((c) => c.cluster === this.cluster.name);
  }

  private trustEntries() {
    return this.decls.trustEntries.filter((t) => t.cluster === this.cluster.name);
  }

  private groups(): Group[] {
    const byFamily = new Map<string, Group>();
    for (const cert of this.certificates()) {
      const purpose = getPurpose(cert.purpose);
      const g = byFamily.get(purpose.family) ?? { family: purpose.family, purposes: [], certificates: [] };
      if (!g.purposes.includes(purpose)) g.purposes.push(purpose);
      g.certificates.push(cert);
      byFamily.set(purpose.family, g);
    }
    const groups = [...byFamily.values()].sort((a, b) => cmp(a.family, b.family));
    for (const g of groups) {
      g.purposes.sort((a, b) => cmp(a.name, b.name));
      g.certificates.sort((a, b) => cmp(`${a.purpose}/${a.node ?? ''}`, `${b.purpose}/${b.node ?? ''}`));
    }
    return groups;
  }

  private ca(name: string) {
    const ca = this.decls.certificateAuthorities.find((c) => c.name === name);
    if (!ca) throw new Error(`Certificate authority '${name}' is not declared`);
    return ca;
  }

  /** Leaf, then the CA's intermediates from the root's child down, then the root. */
  private chainFacts(cert: CertificateDecl): CertificateFacts[] {
    const ca = this.ca(cert.ca);
    return [cert.certificate, ...ca.intermediates, ca.root].map((p) => this.opts.facts(p));
  }

  private ref(path: string): StepCertificate {
    const f = this.opts.facts(path);
    return { sha256: f.sha256, subject: f.subject, file: this.opts.fileRef(path) };
  }

  private publisher(): NodeDecl {
    return publisherOf(this.cluster, 'cucm') ?? nodesInRolloutOrder(this.cluster)[0];
  }

  private short(node: NodeDecl): string {
    return shortName(this.cluster, node);
  }

  private fingerprintsOf(groups: Group[]): string[] {
    return groups.flatMap((g) => g.certificates.flatMap((c) => this.certFingerprints(c)));
  }

  /** The leaf and its chain: what re-runs the steps that serve this one certificate. */
  private certFingerprints(cert: CertificateDecl): string[] {
    return this.chainFacts(cert).map((f) => f.sha256);
  }

  private add(step: Omit<DraftStep, 'cluster'>): string {
    this.graph.add(step.id, { ...step, cluster: this.cluster.name });
    return step.id;
  }

  // ---- cluster-wide steps -----------------------------------------------------------

  private addPreflights(): void {
    for (const node of nodesInRolloutOrder(this.cluster)) {
      this.preflights.push(
        this.add({
          id: `preflight/${this.short(node)}`,
          kind: 'preflight',
          node: node.fqdn,
          purpose: 'cluster',
          description: `Check ${PREFLIGHT_SERVICES.join(' and ')} run on ${node.fqdn}${node.role === 'publisher' ? ` and the cluster security mode is ${this.cluster.securityMode}` : ''}`,
          command: 'utils service list',
          reason: 'DOMAIN.md §3 preflight 1: the platform web service and Tomcat must run on every node before a change',
          requireServices: PREFLIGHT_SERVICES,
          expectSecurityMode: node.role === 'publisher' ? this.cluster.securityMode : undefined,
          fingerprints: this.allFingerprints,
        }),
      );
    }
  }

  private afterPreflight(id: string): void {
    for (const p of this.preflights) this.graph.depend(id, p);
  }

  private addClusterGates(groups: Group[]): { maintenance?: string; ssoDisable?: string } {
    const gates: { maintenance?: string; ssoDisable?: string } = {};
    const pub = this.publisher();
    const windowGroups = groups.filter((g) => g.purposes.some((p) => p.maintenanceWindow));
    const entryNeedsWindow = this.trustEntries().some((t) => t.stores.includes('CallManager-trust'));
    if (windowGroups.length > 0 || entryNeedsWindow) {
      gates.maintenance = this.add({
        id: 'manual/maintenance-window',
        kind: 'manual',
        node: pub.fqdn,
        purpose: 'cluster',
        description: `Confirm the maintenance window has started: ${[...windowGroups.map((g) => g.family), ...(entryNeedsWindow ? ['CallManager-trust entry'] : [])].join(', ')} restart phone services`,
        command: 'Confirm the maintenance window is open and phone users were told',
        reason: 'DOMAIN.md §3 preflight 3: CallManager / TVS / CAPF work restarts call processing',
        fingerprints: this.fingerprintsOf(windowGroups),
      });
      this.afterPreflight(gates.maintenance);
    }
    const ssoGroups = groups.filter((g) => g.purposes.some((p) => p.ssoAround));
    if (this.cluster.sso && ssoGroups.length > 0) {
      gates.ssoDisable = this.add({
        id: 'manual/sso-disable',
        kind: 'manual',
        node: pub.fqdn,
        purpose: 'cluster',
        description: 'Disable SSO before the tomcat certificate changes',
        command: 'Disable SAML SSO (Cisco Unified CM Administration > System > SAML Single Sign-On)',
        reason: 'DOMAIN.md §3 preflight 2: with SSO enabled, disable it before a tomcat change',
        fingerprints: this.fingerprintsOf(ssoGroups),
      });
      this.afterPreflight(gates.ssoDisable);
    }
    return gates;
  }

  /** The node where a store's cluster-wide upload happens: the CUCM publisher, or the IM&P database publisher for IM&P-only stores. */
  private trustUploadNode(store: string): NodeDecl {
    const platforms = trustStorePlatforms(store);
    const node = platforms.includes('cucm')
      ? (publisherOf(this.cluster, 'cucm') ?? publisherOf(this.cluster, 'imp'))
      : (publisherOf(this.cluster, 'imp') ?? publisherOf(this.cluster, 'cucm'));
    return node!;
  }

  private reachesImp(store: string): boolean {
    return trustStorePlatforms(store).includes('imp') && this.cluster.nodes.some((n) => isImpRole(n.role));
  }

  private addTrust(store: string, path: string, idTail: string, what: string, after: string | undefined, reason: string): string {
    const cert = this.ref(path);
    const key = `${store}/${cert.sha256}`;
    const existing = this.trustSteps.get(key);
    if (existing) return existing;
    const node = this.trustUploadNode(store);
    const unit = store.replace(/-trust$/, '');
    const id = this.add({
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
    this.afterPreflight(id);
    if (after) this.graph.depend(id, after);
    this.trustSteps.set(key, id);
    if (this.reachesImp(store)) this.impTrustSteps.push(id);
    return id;
  }

  /** Root first, then each intermediate in order, into the purpose's trust store. Returns the last step. */
  private addCaChain(cert: CertificateDecl): string {
    const purpose = getPurpose(cert.purpose);
    const ca = this.ca(cert.ca);
    const reason = 'DOMAIN.md §3 install 1: the CA chain goes into the trust store first, root before intermediates';
    let last = this.addTrust(purpose.trustStore, ca.root, `${ca.name}-root`, `the root of CA '${ca.name}'`, undefined, reason);
    ca.intermediates.forEach((p, i) => {
      last = this.addTrust(purpose.trustStore, p, `${ca.name}-intermediate-${i + 1}`, `intermediate ${i + 1} of CA '${ca.name}'`, last, reason);
    });
    return last;
  }

  private chainTail(cert: CertificateDecl): string {
    const purpose = getPurpose(cert.purpose);
    const ca = this.ca(cert.ca);
    const last = ca.intermediates.length > 0 ? ca.intermediates[ca.intermediates.length - 1] : ca.root;
    return this.trustSteps.get(`${purpose.trustStore}/${this.opts.facts(last).sha256}`)!;
  }

  private addTrustEntries(): Map<string, string[]> {
    const byStore = new Map<string, string[]>();
    for (const entry of [...this.trustEntries()].sort((a, b) => cmp(a.name, b.name))) {
      for (const store of [...entry.stores].sort()) {
        const id = this.addTrust(
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
  private addIntercluster(): string[] {
    const impPub = publisherOf(this.cluster, 'imp');
    if (!impPub || this.impTrustSteps.length === 0) return [];
    const id = this.add({
      id: `isa/restart/${this.short(impPub)}`,
      kind: 'restart-service',
      node: impPub.fqdn,
      purpose: 'cluster',
      service: Service.INTERCLUSTER_SYNC_AGENT,
      description: `Restart ${Service.INTERCLUSTER_SYNC_AGENT} on ${impPub.fqdn} so the new CA certificates sync to the other clusters`,
      command: `utils service restart ${Service.INTERCLUSTER_SYNC_AGENT}`,
      reason: 'DOMAIN.md §3 install 2: after IM&P trust uploads, restart the Intercluster Sync Agent on the IM&P database publisher',
      fingerprints: this.impTrustSteps.map((s) => this.graph.get(s).certificate!.sha256),
    });
    for (const t of this.impTrustSteps) this.graph.depend(id, t);
    const gates = [id];
    for (const peer of [...this.cluster.interclusterPeers].sort()) {
      const m = this.add({
        id: `manual/intercluster-sync/${peer}`,
        kind: 'manual',
        node: impPub.fqdn,
        purpose: 'cluster',
        description: `Check intercluster sync on peer ${peer}: "Connection is secure"`,
        command: `On ${peer}: Diagnostics > System Troubleshooter (intercluster); Force Manual Sync, wait about 60 s; else restart ${Service.INTERCLUSTER_SYNC_AGENT} and retry`,
        reason: "DOMAIN.md §3 install 2: verify on every other cluster's IM&P database publisher",
        fingerprints: this.graph.get(id).fingerprints,
      });
      this.graph.depend(m, id);
      gates.push(m);
    }
    return gates;
  }

  // ---- per purpose --------------------------------------------------------------------

  /** Nodes a declared certificate is for. */
  private covered(cert: CertificateDecl): NodeDecl[] {
    const purpose = getPurpose(cert.purpose);
    if (cert.distribution === 'multi-server') return multiServerCoverage(this.cluster, purpose);
    return [findNode(this.cluster, cert.node!)!];
  }

  private uploadNodeOf(cert: CertificateDecl): NodeDecl {
    return cert.distribution === 'multi-server' ? uploadNode(this.cluster, getPurpose(cert.purpose))! : this.covered(cert)[0];
  }

  private addIdentityUpload(
    cert: CertificateDecl,
    g: Group,
    gates: { maintenance?: string; ssoDisable?: string },
    isa: string[],
  ): { id: string; cert: CertificateDecl; nodes: NodeDecl[] } {
    const purpose = getPurpose(cert.purpose);
    const node = this.uploadNodeOf(cert);
    const covered = this.covered(cert);
    const leaf = this.ref(cert.certificate);
    const ca = this.ca(cert.ca);
    const chain = [...[...ca.intermediates].reverse(), ca.root].map((p) => this.ref(p));
    const multi = cert.distribution === 'multi-server';
    const id = this.add({
      id: `${purpose.name}/identity/${this.short(node)}`,
      kind: 'upload-identity',
      node: node.fqdn,
      purpose: purpose.name,
      description: multi
        ? `Upload the multi-server ${purpose.name} certificate (${leaf.subject}) on ${node.fqdn}; it is distributed to ${covered.map((n) => n.fqdn).join(', ')}`
        : `Upload the ${purpose.name} certificate (${leaf.subject}) on ${node.fqdn}`,
      command: `set cert import own ${purpose.name}`,
      reason: multi
        ? 'DOMAIN.md §3 install 3: a multi-server certificate is uploaded once, on the publisher, after its CA chain is trusted'
        : 'DOMAIN.md §3 install 3: a single-server certificate is uploaded on its node, after its CA chain is trusted',
      certificate: leaf,
      chain,
      distribution: cert.distribution,
      distributeTo: multi ? covered.map((n) => n.fqdn) : undefined,
      fingerprints: this.certFingerprints(cert),
    });
    this.graph.depend(id, this.chainTail(cert));
    if (isa.length > 0 && this.reachesImp(purpose.trustStore)) for (const gate of isa) this.graph.depend(id, gate);
    if (purpose.maintenanceWindow && gates.maintenance) this.graph.depend(id, gates.maintenance);
    if (purpose.ssoAround && gates.ssoDisable) this.graph.depend(id, gates.ssoDisable);
    return { id, cert, nodes: covered };
  }

  /** The restart rules of the group, per node, in rule order; nodes in rollout order. */
  private restartPlan(rules: readonly RestartRule[], covered: NodeDecl[]): Map<NodeDecl, string[]> {
    const perNode = new Map<NodeDecl, string[]>();
    for (const node of nodesInRolloutOrder(this.cluster)) perNode.set(node, []);
    for (const rule of rules) {
      for (const node of selectNodes(this.cluster, rule.on, covered, rule.service)) {
        const list = perNode.get(node)!;
        if (!list.includes(rule.service)) list.push(rule.service);
      }
    }
    for (const [node, list] of perNode) if (list.length === 0) perNode.delete(node);
    return perNode;
  }

  private addRestarts(
    g: Group,
    uploads: { id: string; cert: CertificateDecl; nodes: NodeDecl[] }[],
    gates: { maintenance?: string },
    allUploads: string[],
  ): Map<string, string[]> {
    const purpose = g.purposes[0];
    const covered = uploads.flatMap((u) => u.nodes);
    const perNode = this.restartPlan(purpose.restarts, covered);
    const label = g.purposes.map((p) => p.name).join('+');
    const fingerprints = this.fingerprintsOf([g]);

    const before: string[] = [];
    const pub = this.publisher();
    if (this.cluster.securityMode === 'mixed' && purpose.ctlUpdateInMixedMode) {
      before.push(
        this.add({
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
      before.push(
        this.add({
          id: `${g.family}/manual/${action.key}`,
          kind: 'manual',
          node: pub.fqdn,
          purpose: label,
          description: action.instruction,
          command: action.instruction,
          reason: `DOMAIN.md §3 / §5: checked by a person before the ${g.family} restarts`,
          fingerprints,
        }),
      );
    }
    for (const b of before) {
      for (const u of uploads) this.graph.depend(b, u.id);
      if (gates.maintenance && purpose.maintenanceWindow) this.graph.depend(b, gates.maintenance);
    }

    const byNode = new Map<string, string[]>();
    const multi = uploads.filter((u) => u.cert.distribution === 'multi-server').map((u) => u.id);
    for (const [node, services] of perNode) {
      const ids = services.map((service) =>
        this.add({
          id: `${g.family}/restart/${this.short(node)}/${serviceSlug(service)}`,
          kind: 'restart-service',
          node: node.fqdn,
          purpose: label,
          service,
          description: `Restart ${service} on ${node.fqdn} so it presents the new ${label} certificate`,
          command: `utils service restart ${service}`,
          reason: `DOMAIN.md §3 install 4 / §5: after a ${g.family} change, restart ${services.join(', ')} on this node, publisher first`,
          fingerprints,
        }),
      );
      services.forEach((service, i) => this.restartIndex.set(`${node.fqdn}/${service}`, ids[i]));
      for (let i = 1; i < ids.length; i++) this.graph.depend(ids[i], ids[i - 1]);
      const own = uploads.filter((u) => u.cert.distribution === 'single-server' && u.nodes.includes(node)).map((u) => u.id);
      const reaching = [...multi, ...own];
      for (const u of reaching.length > 0 ? reaching : uploads.map((x) => x.id)) this.graph.depend(ids[0], u);
      for (const u of allUploads) this.graph.depend(ids[0], u);
      for (const b of before) this.graph.depend(ids[0], b);
      this.chainAfterOtherRestarts(node, ids);
      byNode.set(node.fqdn, ids);
    }
    this.orderAcrossNodes(perNode, byNode, purpose.restartOneAtATime);
    return byNode;
  }

  /** A node's restarts for this group start after its restarts for the groups planned before. */
  private chainAfterOtherRestarts(node: NodeDecl, ids: string[]): void {
    const chains = this.restartChains.get(node.fqdn) ?? [];
    const previous = chains.at(-1);
    if (previous) this.graph.depend(ids[0], previous.at(-1)!);
    chains.push(ids);
    this.restartChains.set(node.fqdn, chains);
  }

  /** Publisher first; subscribers one at a time (tomcat) or together after their publisher. */
  private orderAcrossNodes(perNode: Map<NodeDecl, string[]>, byNode: Map<string, string[]>, oneAtATime: boolean): void {
    const nodes = [...perNode.keys()];
    const first = (n: NodeDecl) => byNode.get(n.fqdn)![0];
    const last = (n: NodeDecl) => byNode.get(n.fqdn)!.at(-1)!;
    if (oneAtATime) {
      for (let i = 1; i < nodes.length; i++) this.graph.depend(first(nodes[i]), last(nodes[i - 1]));
      return;
    }
    const cucmPub = nodes.find((n) => n.role === 'publisher');
    const impPub = nodes.find((n) => n.role === 'imp-database-publisher');
    for (const n of nodes) {
      const pub = n.role === 'subscriber' ? cucmPub : n.role === 'imp-subscriber' ? (impPub ?? cucmPub) : n.role === 'imp-database-publisher' ? cucmPub : undefined;
      if (pub && pub !== n) this.graph.depend(first(n), last(pub));
    }
  }

  private addVerifies(
    cert: CertificateDecl,
    restarts: Map<string, string[]>,
    uploads: { id: string; cert: CertificateDecl }[],
  ): string[] {
    const purpose = getPurpose(cert.purpose);
    const ca = this.ca(cert.ca);
    const leaf = this.ref(cert.certificate);
    const expectChain = [leaf.sha256, ...[...ca.intermediates].reverse().map((p) => this.ref(p).sha256)];
    const upload = uploads.find((u) => u.cert === cert)!.id;
    const ids: string[] = [];
    for (const node of this.covered(cert)) {
      const nodeRestarts = restarts.get(node.fqdn) ?? [];
      const ports = purpose.ports.filter((p) => runsService(node, p.servedBy));
      const base = { kind: 'verify' as const, node: node.fqdn, purpose: purpose.name, expectChain, fingerprints: this.certFingerprints(cert) };
      if (ports.length === 0) {
        const id = this.add({
          ...base,
          id: `${purpose.name}/verify/${this.short(node)}/identity`,
          description: `Check ${node.fqdn} holds the new ${purpose.name} certificate (${leaf.sha256.slice(0, 16)}…)`,
          command: `show cert own ${purpose.name}`,
          reason: 'DOMAIN.md §3 install 5: verify each node has the new certificate',
        });
        this.graph.depend(id, nodeRestarts.at(-1) ?? upload);
        ids.push(id);
        continue;
      }
      for (const port of ports) {
        const number = node.ports[port.name] ?? port.port;
        const id = this.add({
          ...base,
          id: `${purpose.name}/verify/${this.short(node)}/${port.name}`,
          description: `Check ${node.fqdn}:${number} (${port.name}) presents the new ${purpose.name} chain`,
          command: `openssl s_client -connect ${node.fqdn}:${number} -servername ${node.fqdn}${port.handshake === 'xmpp-starttls' ? ' -starttls xmpp' : ''} -sigalgs ${purpose.keyType === 'EC' ? 'ECDSA+SHA256' : 'RSA+SHA256:RSA-PSS+SHA256'} -showcerts`,
          reason: 'DOMAIN.md §3 install 5: each node presents the new chain on its service port',
          port: { name: port.name, port: number, handshake: port.handshake, keyType: purpose.keyType },
        });
        const servedBy = nodeRestarts.find((r) => this.graph.get(r).service === port.servedBy);
        this.graph.depend(id, servedBy ?? nodeRestarts.at(-1) ?? upload);
        ids.push(id);
      }
    }
    return ids;
  }

  private addManualAfter(g: Group, ends: string[]): void {
    const pub = this.publisher();
    const label = g.purposes.map((p) => p.name).join('+');
    for (const action of g.purposes[0].manualAfter) {
      const id = this.add({
        id: `${g.family}/manual/${action.key}`,
        kind: 'manual',
        node: pub.fqdn,
        purpose: label,
        description: action.instruction,
        command: action.instruction,
        reason: `DOMAIN.md §5: after a ${g.family} change`,
        fingerprints: this.fingerprintsOf([g]),
      });
      for (const e of ends) this.graph.depend(id, e);
    }
  }

  /** IM&P: after the Tomcat restarts, each intercluster peer resyncs this cluster's Tomcat certificates. */
  private addPeerTomcatResync(g: Group, restarts: Map<string, string[]>): void {
    const impPub = publisherOf(this.cluster, 'imp');
    const impEnds = [...restarts].filter(([fqdn]) => isImpRole(findNode(this.cluster, fqdn)!.role)).map(([, ids]) => ids.at(-1)!);
    if (!impPub || impEnds.length === 0) return;
    for (const peer of [...this.cluster.interclusterPeers].sort()) {
      const id = this.add({
        id: `tomcat/manual/intercluster-resync/${peer}`,
        kind: 'manual',
        node: impPub.fqdn,
        purpose: g.purposes.map((p) => p.name).join('+'),
        description: `Resync the new Tomcat certificates with intercluster peer ${peer}`,
        command: `On ${peer}: intercluster troubleshooter, Force Manual Sync with "Also resync peer's Tomcat certificates"; expect "Connection is secure"`,
        reason: "DOMAIN.md §3 install 4: after the IM&P Tomcat restarts, verify intercluster sync with 'Also resync peer's Tomcat certificates'",
        fingerprints: this.fingerprintsOf([g]),
      });
      for (const e of impEnds) this.graph.depend(id, e);
    }
  }

  private addCleanups(cert: CertificateDecl, verifies: string[]): void {
    const purpose = getPurpose(cert.purpose);
    const ca = this.ca(cert.ca);
    const keep = [ca.root, ...ca.intermediates, ...this.trustEntries().map((t) => t.certificate)].map((p) => this.ref(p).sha256);
    const covered = this.covered(cert);
    const subjects = covered.flatMap((n) => [n.fqdn, n.fqdn.split('.')[0]]);
    const mine = verifies.filter((v) => this.graph.get(v).purpose === purpose.name);
    for (const node of covered) {
      const id = this.add({
        id: `${purpose.name}/cleanup/${this.short(node)}`,
        kind: 'cleanup',
        node: node.fqdn,
        purpose: purpose.name,
        store: purpose.trustStore,
        description: `Delete the old self-signed ${purpose.name} certificates from ${purpose.trustStore} on ${node.fqdn}`,
        command: `show cert list trust; set cert delete trust ${purpose.trustStore}/<self-signed file>`,
        reason: 'DOMAIN.md §3 clean-up: a multi-server upload leaves the old self-signed trust certificates behind (CSCur97909)',
        waitSeconds: this.cluster.cleanupDelaySeconds,
        selfSignedSubjects: [...new Set(subjects)].sort(),
        keep: [...new Set(keep)].sort(),
        fingerprints: this.certFingerprints(cert),
      });
      for (const v of mine) this.graph.depend(id, v);
    }
  }

  private addTrustEntryRestarts(byStore: Map<string, string[]>, gates: { maintenance?: string }): void {
    for (const [store, entryIds] of [...byStore].sort((a, b) => cmp(a[0], b[0]))) {
      const rule = TRUST_ENTRY_RESTARTS[store];
      if (!rule) continue;
      const nodes = selectNodes(this.cluster, rule.on, [], rule.service);
      const fingerprints = entryIds.map((e) => this.graph.get(e).certificate!.sha256);
      const perNode = new Map<NodeDecl, string[]>();
      const byNode = new Map<string, string[]>();
      for (const node of nodes) {
        // The purpose rollout restarts this service here anyway: let that restart read the entry too.
        const existing = this.restartIndex.get(`${node.fqdn}/${rule.service}`);
        if (existing) {
          for (const e of entryIds) this.graph.depend(existing, e);
          continue;
        }
        const id = this.add({
          id: `${store}/restart/${this.short(node)}/${serviceSlug(rule.service)}`,
          kind: 'restart-service',
          node: node.fqdn,
          purpose: store,
          service: rule.service,
          description: `Restart ${rule.service} on ${node.fqdn} so it reads the new entries of ${store}`,
          command: `utils service restart ${rule.service}`,
          reason: `DOMAIN.md §3 install 4: a certificate imported into ${store} is read after ${rule.service} restarts`,
          fingerprints,
        });
        for (const e of entryIds) this.graph.depend(id, e);
        if (store === 'CallManager-trust' && gates.maintenance) this.graph.depend(id, gates.maintenance);
        this.chainAfterOtherRestarts(node, [id]);
        perNode.set(node, [rule.service]);
        byNode.set(node.fqdn, [id]);
      }
      this.orderAcrossNodes(perNode, byNode, false);
    }
  }

  // ---- output -----------------------------------------------------------------------

  private finish(groups: Group[]): ClusterPlan {
    const order = this.graph.order();
    const triggers = computeTriggers(order, (id) => this.graph.get(id));
    const steps: PlanStep[] = order.map((id) => {
      const { fingerprints: _f, ...draft } = this.graph.get(id);
      void _f;
      return { ...draft, dependsOn: this.graph.dependencies(id), trigger: triggers.get(id)! };
    });
    const c = this.cluster;
    return {
      formatVersion: 1,
      cluster: {
        name: c.name,
        securityMode: c.securityMode,
        sso: c.sso,
        credentials: c.credentials.file ? { ...c.credentials, file: this.opts.fileRef(c.credentials.file) } : c.credentials,
        knownHostsFile: c.knownHostsFile ? this.opts.fileRef(c.knownHostsFile) : undefined,
        httpsCaFile: c.httpsCaFile ? this.opts.fileRef(c.httpsCaFile) : undefined,
        interclusterPeers: c.interclusterPeers,
        nodes: nodesInRolloutOrder(c).map((n) => ({
          fqdn: n.fqdn,
          role: n.role,
          platform: nodePlatform(n),
          address: n.address ?? n.fqdn,
          api: n.api,
          services: n.services,
          sshHostKeys: n.sshHostKeys,
          ports: n.ports,
        })),
      },
      purposes: groups.flatMap((g) => g.purposes.map((p) => p.name)).sort(),
      warnings: [...(this.opts.warnings ?? [])],
      steps,
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
