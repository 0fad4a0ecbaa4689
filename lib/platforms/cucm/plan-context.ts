/**
 * The state the planner's step builders share for one cluster: the step graph, the
 * cluster's declarations, and lookups of certificates, nodes and ids.
 */
import { ManualAction, PurposeInfo, getPurpose, multiServerCoverage, trustStorePlatforms, uploadNode } from '../../catalog';
import {
  CertificateDecl,
  CertificateFacts,
  CertificateFactsLookup,
  ClusterDecl,
  Declarations,
  NodeDecl,
  findNode,
  isImpRole,
  nodesInRolloutOrder,
  publisherOf,
  shortName,
} from '../../model';
import { Draft, StepGraph } from '../../plan/step-graph';
import { PlanFinding, StepCertificate } from '../../plan/types';
import { CucmStep } from './types';
import { requestFingerprint } from './issued-steps';

export interface PlanOptions {
  /** Facts of a declared certificate file, by its declared path. */
  readonly facts: CertificateFactsLookup;
  /** The reference written into the plan for a declared file (relative to plan.json). */
  readonly fileRef: (declaredPath: string) => string;
  /** Lint warnings to show the reviewer. */
  readonly warnings?: readonly PlanFinding[];
}

/** A CUCM step as its builders write it: the context adds the cluster. */
export type DraftStep = Draft<CucmStep> extends infer D ? (D extends unknown ? Omit<D, 'cluster'> : never) : never;

export interface Group {
  /** Purpose family: one set of restarts serves both the RSA and the -ECDSA certificate. */
  readonly family: string;
  readonly purposes: PurposeInfo[];
  readonly certificates: CertificateDecl[];
}

/** The cluster-wide manual gates some steps wait for. */
export interface Gates {
  readonly maintenance?: string;
  readonly ssoDisable?: string;
}

/** What the step builders share: the graph, the declarations of one cluster, and lookups. */
export class PlanContext {
  readonly graph = new StepGraph<CucmStep>();
  readonly preflights: string[] = [];
  /** Trust upload step id by `<store>/<sha256>`. */
  readonly trustSteps = new Map<string, string>();
  readonly impTrustSteps: string[] = [];
  /**
   * Per node, the restart sequence of each purpose group (each in its own order), in planning order. The
   * sequences are not ordered among themselves here: the scheduler (availability.ts) orders them.
   */
  readonly restartChains = new Map<string, string[][]>();
  /** Restart step id by `<node fqdn>/<service>`, for restarts the purposes already plan. */
  readonly restartIndex = new Map<string, string>();
  /** The maintenance window's manual step: when the change needs one, nothing is touched before it. */
  changeGate?: string;
  /** IM&P nodes of declared intercluster peer clusters that clean-up steps act on, by FQDN. */
  readonly peerNodes = new Map<string, { readonly node: NodeDecl; readonly cluster: ClusterDecl }>();
  readonly allFingerprints: string[];

  constructor(
    readonly decls: Declarations,
    readonly cluster: ClusterDecl,
    readonly opts: PlanOptions,
  ) {
    this.allFingerprints = [
      ...this.certificates().flatMap((c) => this.certFingerprints(c)),
      ...this.trustEntries().map((t) => this.opts.facts(t.certificate).sha256),
    ];
  }

  certificates(): CertificateDecl[] {
    return this.decls.certificates.filter((c) => c.cluster === this.cluster.name);
  }

  trustEntries() {
    return this.decls.trustEntries.filter((t) => t.cluster === this.cluster.name);
  }

  groups(): Group[] {
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

  ca(name: string) {
    const ca = this.decls.certificateAuthorities.find((c) => c.name === name);
    if (!ca) throw new Error(`Certificate authority '${name}' is not declared`);
    return ca;
  }

  /** Leaf, then the CA's intermediates from the root's child down, then the root (an issued certificate: no leaf yet). */
  chainFacts(cert: CertificateDecl): CertificateFacts[] {
    const ca = this.ca(cert.ca);
    return [...(cert.certificate !== undefined ? [cert.certificate] : []), ...ca.intermediates, ca.root].map((p) => this.opts.facts(p));
  }

  ref(path: string): StepCertificate {
    const f = this.opts.facts(path);
    return { sha256: f.sha256, subject: f.subject, file: this.opts.fileRef(path) };
  }

  publisher(): NodeDecl {
    return publisherOf(this.cluster, 'cucm') ?? nodesInRolloutOrder(this.cluster)[0];
  }

  short(node: NodeDecl): string {
    return shortName(this.cluster, node);
  }

  fingerprintsOf(groups: Group[]): string[] {
    return groups.flatMap((g) => g.certificates.flatMap((c) => this.certFingerprints(c)));
  }

  /** The leaf (an issued certificate: its request, ./issued-steps.ts) and its chain: what re-runs the steps that serve this one certificate. */
  certFingerprints(cert: CertificateDecl): string[] {
    const request = requestFingerprint(this, cert);
    return [...(request !== undefined ? [request] : []), ...this.chainFacts(cert).map((f) => f.sha256)];
  }

  add(step: DraftStep): string {
    return this.graph.add({ ...step, cluster: this.cluster.name } as Draft<CucmStep>);
  }

  /** The certificate a trust upload step uploads. */
  trustCertificate(id: string): StepCertificate {
    const step = this.graph.get(id);
    if (step.kind !== 'upload-trust') throw new Error(`Step '${id}' is not a trust upload`);
    return step.certificate;
  }

  /** A person's action of a purpose group (the catalog's manual actions), on the publisher. */
  addGroupAction(g: Group, action: ManualAction, reason: string): string {
    return this.add({
      id: `${g.family}/manual/${action.key}`,
      kind: 'manual',
      node: this.publisher().fqdn,
      purpose: g.purposes.map((p) => p.name).join('+'),
      description: action.instruction,
      command: action.instruction,
      reason,
      fingerprints: this.fingerprintsOf([g]),
    });
  }

  /** The step waits for every node's preflight. */
  afterPreflight(id: string): void {
    for (const p of this.preflights) this.graph.depend(id, p);
  }

  /** Nodes a declared certificate is for. */
  covered(cert: CertificateDecl): NodeDecl[] {
    const purpose = getPurpose(cert.purpose);
    if (cert.distribution === 'multi-server') return multiServerCoverage(this.cluster, purpose);
    return [findNode(this.cluster, cert.node!)!];
  }

  uploadNodeOf(cert: CertificateDecl): NodeDecl {
    return cert.distribution === 'multi-server' ? uploadNode(this.cluster, getPurpose(cert.purpose))! : this.covered(cert)[0];
  }

  /** The node where a store's cluster-wide upload happens: the CUCM publisher, or the IM&P database publisher for IM&P-only stores. */
  trustUploadNode(store: string): NodeDecl {
    const platforms = trustStorePlatforms(store);
    const node = platforms.includes('cucm')
      ? (publisherOf(this.cluster, 'cucm') ?? publisherOf(this.cluster, 'imp'))
      : (publisherOf(this.cluster, 'imp') ?? publisherOf(this.cluster, 'cucm'));
    return node!;
  }

  reachesImp(store: string): boolean {
    return trustStorePlatforms(store).includes('imp') && this.cluster.nodes.some((n) => isImpRole(n.role));
  }

  /** A node's restart sequence for one group; one node restarts one thing at a time, in the order the scheduler picks. */
  recordRestarts(node: NodeDecl, ids: string[]): void {
    const chains = this.restartChains.get(node.fqdn) ?? [];
    chains.push(ids);
    this.restartChains.set(node.fqdn, chains);
  }

  /**
   * Every restart step planned on the node, of any purpose, in no particular order: the scheduler
   * (availability.ts) orders a node's restarts once the graph is built, so a step that must come
   * after the node's restarts depends on all of them (there is no "last restart" before then).
   */
  restartsOn(fqdn: string): string[] {
    return (this.restartChains.get(fqdn) ?? []).flat();
  }

  /** The cluster declares CallManager groups: call processing restarts in parallel, never a whole group at once. */
  hasCallManagerGroups(): boolean {
    return (this.cluster.callManagerGroups ?? []).length > 0;
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
