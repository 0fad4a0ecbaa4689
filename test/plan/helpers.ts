/**
 * Test fixtures for the pure planner: declarations built in code, certificate facts from a
 * fake lookup (no certificate files), and graph queries on the resulting plan.
 *
 * The node sets a certificate must cover are written here from DOMAIN.md §2, not taken
 * from lib/catalog, so a wrong catalog row shows up as a planner refusal or a wrong plan.
 */
import { createHash } from 'node:crypto';
import {
  CertificateAuthorityDecl,
  CertificateDecl,
  CertificateFacts,
  CertificateFactsLookup,
  ClusterDecl,
  Declarations,
  Distribution,
  NodeDecl,
  NodeRole,
  TrustEntryDecl,
} from '../../lib/model';
import { ClusterPlan, CucmStep, PlanStep, StepKind, planCluster } from '../../lib/platforms';

// ---- service names, as `utils service list` prints them (DOMAIN.md §2, §3, §5) --------

export const SVC = {
  TOMCAT: 'Cisco Tomcat',
  UDS_TOMCAT: 'Cisco UDS Tomcat',
  AXL_TOMCAT: 'Cisco AXL Tomcat',
  DRF_MASTER: 'Cisco DRF Master',
  DRF_LOCAL: 'Cisco DRF Local',
  CALLMANAGER: 'Cisco CallManager',
  TFTP: 'Cisco TFTP',
  CTIMANAGER: 'Cisco CTIManager',
  TVS: 'Cisco Trust Verification Service',
  CAPF: 'Cisco Certificate Authority Proxy Function',
  SIP_PROXY: 'Cisco SIP Proxy',
  PRESENCE_ENGINE: 'Cisco Presence Engine',
  XCP_CM: 'Cisco XCP Connection Manager',
  XCP_ROUTER: 'Cisco XCP Router',
  XCP_FEDERATION: 'Cisco XCP XMPP Federation Connection Manager',
  ISA: 'Cisco Intercluster Sync Agent',
} as const;

// ---- the standard cluster `dc1` -----------------------------------------------------

export const PUB = 'cs-ccm-pub.example.com';
export const SUB = 'cs-ccm-sub.example.com';
export const SUB2 = 'cs-ccm-sub2.example.com';
/** A CUCM subscriber that runs TFTP only (no Cisco CallManager): only with `tftpNode`. */
export const TFTP_NODE = 'cs-ccm-tftp.example.com';
export const IMP = 'cs-imp.example.com';
export const IMP_SUB = 'cs-imp-sub.example.com';

export const CUCM_PUB_SERVICES = [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER, SVC.CAPF, SVC.DRF_MASTER];
export const CUCM_SUB_SERVICES = [SVC.CALLMANAGER, SVC.TFTP, SVC.CTIMANAGER];
/** The IM&P database publisher runs XMPP federation; the IM&P subscriber does not. */
export const IMP_PUB_SERVICES = [SVC.SIP_PROXY, SVC.PRESENCE_ENGINE, SVC.XCP_CM, SVC.XCP_ROUTER, SVC.XCP_FEDERATION];
export const IMP_SUB_SERVICES = [SVC.SIP_PROXY, SVC.PRESENCE_ENGINE, SVC.XCP_CM, SVC.XCP_ROUTER];

export function node(fqdn: string, role: NodeRole, services: readonly string[], extra: Partial<NodeDecl> = {}): NodeDecl {
  return { fqdn, role, services, api: 'cli', sshHostKeys: [], version: '15.0', ports: {}, ...extra };
}

export interface ClusterOptions {
  readonly name?: string;
  /** Include the IM&P nodes (default true). */
  readonly imp?: boolean;
  /** Add the TFTP-only CUCM subscriber. */
  readonly tftpNode?: boolean;
  readonly securityMode?: ClusterDecl['securityMode'];
  readonly sso?: boolean;
  readonly callManagerIncludeInactiveNodes?: boolean;
  readonly interclusterPeers?: readonly string[];
  readonly cleanupDelaySeconds?: number;
  /** Replace the node list entirely. */
  readonly nodes?: readonly NodeDecl[];
}

export function cluster(o: ClusterOptions = {}): ClusterDecl {
  const nodes =
    o.nodes ??
    [
      node(PUB, 'publisher', CUCM_PUB_SERVICES),
      node(SUB, 'subscriber', CUCM_SUB_SERVICES),
      node(SUB2, 'subscriber', CUCM_SUB_SERVICES),
      ...(o.tftpNode ? [node(TFTP_NODE, 'subscriber', [SVC.TFTP])] : []),
      ...(o.imp === false
        ? []
        : [node(IMP, 'imp-database-publisher', IMP_PUB_SERVICES), node(IMP_SUB, 'imp-subscriber', IMP_SUB_SERVICES)]),
    ];
  return {
    name: o.name ?? 'dc1',
    nodes,
    securityMode: o.securityMode ?? 'non-secure',
    sso: o.sso ?? false,
    credentials: { usernameEnv: 'DC1_USER', passwordEnv: 'DC1_PASSWORD' },
    interclusterPeers: o.interclusterPeers ?? [],
    callManagerIncludeInactiveNodes: o.callManagerIncludeInactiveNodes,
    cleanupDelaySeconds: o.cleanupDelaySeconds ?? 1800,
  };
}

export const isImp = (n: NodeDecl) => n.role === 'imp-database-publisher' || n.role === 'imp-subscriber';

/**
 * The FQDNs a multi-server certificate of this purpose must list (DOMAIN.md §2): tomcat every
 * node; CallManager the CUCM nodes (those without Cisco CallManager only when kept); TVS the
 * CUCM nodes; cup-xmpp / cup-xmpp-s2s the IM&P nodes.
 */
export function domainCoverage(c: ClusterDecl, purpose: string): string[] {
  const family = purpose.replace(/-ECDSA$/, '');
  const cucm = c.nodes.filter((n) => !isImp(n));
  const imp = c.nodes.filter(isImp);
  switch (family) {
    case 'tomcat':
      return c.nodes.map((n) => n.fqdn);
    case 'CallManager':
      return cucm.filter((n) => c.callManagerIncludeInactiveNodes !== false || n.services.includes(SVC.CALLMANAGER)).map((n) => n.fqdn);
    case 'TVS':
      return cucm.map((n) => n.fqdn);
    case 'cup-xmpp':
    case 'cup-xmpp-s2s':
      return imp.map((n) => n.fqdn);
    default:
      return [];
  }
}

// ---- fake certificate facts ---------------------------------------------------------

/** Certificate facts by path, chosen by the test; a re-issued file gets a new fingerprint. */
export class FakePki {
  private readonly facts = new Map<string, CertificateFacts>();
  private readonly generation = new Map<string, number>();

  /** Register a leaf with these SAN DNS names. */
  leaf(path: string, dnsNames: readonly string[], commonName = dnsNames[0] ?? 'leaf'): void {
    this.set(path, { commonName, dnsNames, isCa: false, issuer: 'CN=Corp Issuing CA' });
  }

  ca(path: string, commonName: string): void {
    this.set(path, { commonName, dnsNames: [], isCa: true, issuer: `CN=${commonName}` });
  }

  /** The same file path now holds a different certificate (new fingerprint, same names). */
  reissue(path: string): void {
    const old = this.lookup(path);
    this.generation.set(path, (this.generation.get(path) ?? 0) + 1);
    this.set(path, { commonName: old.commonName, dnsNames: old.dnsNames, isCa: old.isCa, issuer: old.issuer });
  }

  readonly lookup: CertificateFactsLookup = (path) => {
    const f = this.facts.get(path);
    if (!f) throw new Error(`FakePki: no certificate registered at '${path}'`);
    return f;
  };

  private set(path: string, p: { commonName: string; dnsNames: readonly string[]; isCa: boolean; issuer: string }): void {
    const sha256 = createHash('sha256').update(`${path}#${this.generation.get(path) ?? 0}`).digest('hex');
    const subject = `CN=${p.commonName}, O=Example`;
    this.facts.set(path, {
      path,
      sha256,
      subject,
      issuer: p.isCa ? subject : p.issuer,
      commonName: p.commonName,
      dnsNames: [...p.dnsNames],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
      selfIssued: p.isCa,
      isCa: p.isCa,
    });
  }
}

// ---- declarations ---------------------------------------------------------------------

export interface CertSpec {
  readonly purpose: string;
  readonly distribution?: Distribution;
  /** Single-server: the node FQDN. */
  readonly node?: string;
  /** SAN DNS names; default: DOMAIN.md coverage (multi-server) or the node (single-server). */
  readonly sans?: readonly string[];
  readonly file?: string;
  readonly ca?: string;
  readonly cluster?: string;
}

export interface Scenario {
  readonly decls: Declarations;
  readonly pki: FakePki;
}

export interface ScenarioOptions extends ClusterOptions {
  readonly certs: readonly CertSpec[];
  /** Number of intermediates of CA `corp` (default 1). */
  readonly intermediates?: number;
  readonly trustEntries?: readonly TrustEntryDecl[];
  /** Extra clusters declared beside `dc1`. */
  readonly otherClusters?: readonly ClusterDecl[];
}

export function caDecl(name: string, intermediates: number): CertificateAuthorityDecl {
  return {
    name,
    root: `ca/${name}-root.pem`,
    intermediates: Array.from({ length: intermediates }, (_, i) => `ca/${name}-intermediate-${i + 1}.pem`),
  };
}

/** Default leaf file of a declared certificate: `certs/<purpose>[-<node label>].pem`. */
export function leafFile(spec: CertSpec): string {
  return spec.file ?? `certs/${spec.purpose}${spec.node ? `-${spec.node.split('.')[0]}` : ''}.pem`;
}

export function scenario(o: ScenarioOptions): Scenario {
  const c = cluster(o);
  const pki = new FakePki();
  const ca = caDecl('corp', o.intermediates ?? 1);
  pki.ca(ca.root, 'Corp Root CA');
  ca.intermediates.forEach((p, i) => pki.ca(p, `Corp Intermediate CA ${i + 1}`));
  const certificates: CertificateDecl[] = o.certs.map((s) => {
    const distribution = s.distribution ?? 'multi-server';
    const file = leafFile(s);
    const sans = s.sans ?? (distribution === 'multi-server' ? domainCoverage(c, s.purpose) : s.node ? [s.node] : []);
    pki.leaf(file, sans, distribution === 'multi-server' ? `${PUB}-ms` : (s.node ?? 'leaf'));
    return { cluster: s.cluster ?? c.name, purpose: s.purpose, distribution, node: s.node, certificate: file, ca: s.ca ?? ca.name };
  });
  for (const t of o.trustEntries ?? []) pki.ca(t.certificate, t.name);
  return {
    pki,
    decls: {
      clusters: [c, ...(o.otherClusters ?? [])],
      certificateAuthorities: [ca],
      certificates,
      trustEntries: [...(o.trustEntries ?? [])],
    },
  };
}

export function planOf(s: Scenario, clusterName = 'dc1'): ClusterPlan {
  return planCluster(s.decls, clusterName, { facts: s.pki.lookup, fileRef: (p) => p });
}

/** Plan a scenario built from these options. */
export function plan(o: ScenarioOptions): ClusterPlan {
  return planOf(scenario(o));
}

// ---- step kinds ----------------------------------------------------------------------

/** The step type of a kind: a kind's fields exist only on its own type (plan.json format 2). */
export type StepOf<K extends StepKind> = Extract<PlanStep, { readonly kind: K }>;

/** A type guard for `steps.filter(isKind('restart-service'))`: narrows to the kind's type. */
export function isKind<K extends StepKind>(...kinds: readonly K[]): (s: PlanStep) => s is StepOf<K> {
  return (s: PlanStep): s is StepOf<K> => (kinds as readonly string[]).includes(s.kind);
}

/** The steps of a plan (any platform) of this kind, narrowed, that match the predicate. */
export function stepsOf<K extends StepKind>(
  p: { readonly steps: readonly PlanStep[] },
  kind: K,
  pred: (s: StepOf<K>) => boolean = () => true,
): StepOf<K>[] {
  return p.steps.filter(isKind(kind)).filter(pred);
}

/** The step of this id in a plan of any platform, which must be of this kind. */
export function stepOf<K extends StepKind>(p: { readonly steps: readonly PlanStep[] }, id: string, kind: K): StepOf<K> {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step '${id}' in the plan; steps: ${p.steps.map((x) => x.id).join(', ')}`);
  if (!isKind(kind)(s)) throw new Error(`step '${id}' is of kind '${s.kind}', not '${kind}'`);
  return s;
}

// ---- graph queries --------------------------------------------------------------------

/** The step of this id; with a kind, it must be of that kind and is narrowed to it. */
export function step(p: ClusterPlan, id: string): CucmStep;
export function step<K extends CucmStep['kind']>(p: ClusterPlan, id: string, kind: K): StepOf<K>;
export function step(p: ClusterPlan, id: string, kind?: CucmStep['kind']): CucmStep {
  if (kind !== undefined) return stepOf(p, id, kind) as CucmStep;
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step '${id}' in the plan; steps: ${p.steps.map((x) => x.id).join(', ')}`);
  return s;
}

export function has(p: ClusterPlan, id: string): boolean {
  return p.steps.some((s) => s.id === id);
}

/** toId is a transitive dependency of fromId (fromId runs after toId). */
export function reaches(p: ClusterPlan, fromId: string, toId: string): boolean {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  if (!byId.has(fromId)) throw new Error(`no step '${fromId}' in the plan`);
  if (!byId.has(toId)) throw new Error(`no step '${toId}' in the plan`);
  const seen = new Set<string>();
  const stack = [...byId.get(fromId)!.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === toId) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}

export function steps(p: ClusterPlan, pred: (s: CucmStep) => boolean): CucmStep[] {
  return p.steps.filter(pred);
}

/** `<node label>: <service>` of every restart step matching the predicate, sorted. */
export function restartSet(p: ClusterPlan, pred: (s: StepOf<'restart-service'>) => boolean = () => true): string[] {
  return stepsOf(p, 'restart-service', pred)
    .map((s) => `${s.node.split('.')[0]}: ${s.service}`)
    .sort();
}

/** The restart step of a service on a node (by node FQDN and service name), within a family's steps. */
export function restartStep(p: ClusterPlan, family: string, fqdn: string, service: string): StepOf<'restart-service'> {
  const s = stepsOf(p, 'restart-service').find((x) => x.id.startsWith(`${family}/`) && x.node === fqdn && x.service === service);
  if (!s) throw new Error(`no ${family} restart of ${service} on ${fqdn}; restarts: ${restartSet(p).join('; ')}`);
  return s;
}
