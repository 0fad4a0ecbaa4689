/**
 * The planner: declarations of one cluster → an ordered step graph (DOMAIN.md §3, §5).
 * Pure: same declarations and certificate facts in, byte-identical plan out.
 */
import { PREFLIGHT_SERVICES } from '../../catalog';
import { CertificateDecl, Declarations, NodeDecl, isIssuedCertificate, nodePlatform, nodesInRolloutOrder } from '../../model';
import { PLAN_FORMAT_VERSION } from '../../plan/types';
import { SchedulePhase, scheduleOf } from '../../plan/schedule';
import { scheduleRestarts } from './availability';
import { cucmStepSeconds } from './timing';
import { ClusterPlan, CucmStep, PlanCertificate, PlanNode } from './types';
import { issuedPlanCertificate, issuedPlanFields, signStepsOf } from './issued-steps';
import { validateDeclarations } from './validate';
import { Gates, Group, PlanContext, PlanOptions } from './plan-context';
import { addIdentityUpload, addManualAfter, addPeerTomcatResync, addVerifies } from './certificate-steps';
import { addCleanups } from './cleanup-steps';
import { addCertificateSettings, addManualBeforeUpload, addXmppWildcards } from './seed-steps';
import { addRestarts } from './restart-steps';
import { addCaChain, addIntercluster, addTrustEntries, addTrustEntryRestarts } from './trust-steps';

export type { PlanOptions, DraftStep } from './plan-context';

/** The manual step that confirms the maintenance window is open: the window opens when it ends. */
export const WINDOW_STEP = 'manual/maintenance-window';

export function planCluster(decls: Declarations, clusterName: string, opts: PlanOptions): ClusterPlan {
  validateDeclarations(decls, opts.facts);
  const cluster = decls.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`Cluster '${clusterName}' is not declared`);
  return build(new PlanContext(decls, cluster, opts));
}

function build(ctx: PlanContext): ClusterPlan {
  const groups = ctx.groups();
  addPreflights(ctx);
  const gates = addClusterGates(ctx, groups);
  ctx.changeGate = gates.maintenance;
  for (const g of groups) for (const cert of g.certificates) addCaChain(ctx, cert);
  const trustEntryIds = addTrustEntries(ctx);
  const isa = addIntercluster(ctx);
  // Every identity upload before any restart: the uploads of a cluster go together (DOMAIN.md §3 install 3),
  // and a REST upload must not meet a Tomcat restart on its node.
  const uploadsByGroup = groups.map((g) => g.certificates.map((c) => addIdentityUpload(ctx, c, g, gates, isa)));
  // Checks before the upload also come before an issued certificate is signed (CallManager: the phones trust TVS).
  const checks = groups.flatMap((g, i) => addManualBeforeUpload(ctx, g, [...uploadsByGroup[i], ...signStepsOf(ctx, g)]));
  // What changes nothing comes before the window's confirmation: every CSR and its signing (a pending
  // approval stops the apply before the window is declared open) and the checks a person makes first.
  if (gates.maintenance) for (const id of [...groups.flatMap((g) => signStepsOf(ctx, g).map((s) => s.id)), ...checks]) ctx.graph.depend(gates.maintenance, id);
  const allUploads = uploadsByGroup.flat().map((u) => u.id);
  const ssoGroupEnds: string[] = [];
  const verifiesByCert = new Map<CertificateDecl, string[]>();
  groups.forEach((g, i) => {
    const uploads = uploadsByGroup[i];
    const restartsByNode = addRestarts(ctx, g, uploads, gates, allUploads);
    const verifies = g.certificates.flatMap((c) => {
      const ids = addVerifies(ctx, c, restartsByNode, uploads);
      verifiesByCert.set(c, ids);
      return ids;
    });
    // The group's change is over when every node verified and finished its restarts.
    const ends = [...verifies, ...[...restartsByNode.values()].map((ids) => ids.at(-1)!)];
    addManualAfter(ctx, g, ends);
    addXmppWildcards(ctx, g, ends);
    if (g.family === 'tomcat') addPeerTomcatResync(ctx, g, restartsByNode);
    if (g.purposes.some((p) => p.ssoAround)) ssoGroupEnds.push(...ends);
  });
  addTrustEntryRestarts(ctx, trustEntryIds, gates);
  // Clean-up last: after every restart on the nodes it talks to (./cleanup-steps.ts).
  for (const g of groups) addCleanups(ctx, g, verifiesByCert);
  addCertificateSettings(ctx, [...verifiesByCert.values()].flat());
  if (gates.ssoDisable) {
    const id = ctx.add({
      id: 'manual/sso-enable',
      kind: 'manual',
      node: ctx.publisher().fqdn,
      purpose: 'cluster',
      description: 'Re-enable SSO now that every tomcat certificate is in service',
      command: 'Re-enable SAML SSO (Cisco Unified CM Administration > System > SAML Single Sign-On) and run its test',
      reason: 'DOMAIN.md §3 preflight 2: SSO is re-enabled after the whole tomcat rollout',
      fingerprints: ctx.fingerprintsOf(groups.filter((g) => g.purposes.some((p) => p.ssoAround))),
    });
    for (const e of ssoGroupEnds) ctx.graph.depend(id, e);
  }
  return finish(ctx, groups);
}

/** Per node: the platform web service and Tomcat run, and (publisher) the declared security mode holds. */
function addPreflights(ctx: PlanContext): void {
  for (const node of nodesInRolloutOrder(ctx.cluster)) {
    ctx.preflights.push(
      ctx.add({
        id: `preflight/${ctx.short(node)}`,
        kind: 'preflight',
        node: node.fqdn,
        purpose: 'cluster',
        description: `Check ${PREFLIGHT_SERVICES.join(' and ')} run on ${node.fqdn}${node.role === 'publisher' ? ` and the cluster security mode is ${ctx.cluster.securityMode}` : ''}`,
        command: 'utils service list',
        reason: 'DOMAIN.md §3 preflight 1: the platform web service and Tomcat must run on every node before a change',
        requireServices: PREFLIGHT_SERVICES,
        expectSecurityMode: node.role === 'publisher' ? ctx.cluster.securityMode : undefined,
        fingerprints: ctx.allFingerprints,
      }),
    );
  }
}

function addClusterGates(ctx: PlanContext, groups: Group[]): Gates {
  const gates: { maintenance?: string; ssoDisable?: string } = {};
  const pub = ctx.publisher();
  const windowGroups = groups.filter((g) => g.purposes.some((p) => p.maintenanceWindow));
  const entryNeedsWindow = ctx.trustEntries().some((t) => t.stores.includes('CallManager-trust'));
  if (windowGroups.length > 0 || entryNeedsWindow) {
    gates.maintenance = ctx.add({
      id: WINDOW_STEP,
      kind: 'manual',
      node: pub.fqdn,
      purpose: 'cluster',
      description: `Confirm the maintenance window has started: ${windowCause(windowGroups, entryNeedsWindow)} call processing; nothing on the nodes changes before this (only ${ctx.certificates().some(isIssuedCertificate) ? 'the checks, the CSRs and their signing come' : 'the checks that change nothing come'} first)`,
      command: 'Confirm the maintenance window is open and phone users were told',
      reason: 'DOMAIN.md §3 preflight 3: CallManager / TVS / CAPF work restarts call processing',
      fingerprints: ctx.fingerprintsOf(windowGroups),
    });
    ctx.afterPreflight(gates.maintenance);
  }
  const ssoGroups = groups.filter((g) => g.purposes.some((p) => p.ssoAround));
  if (ctx.cluster.sso && ssoGroups.length > 0) {
    gates.ssoDisable = ctx.add({
      id: 'manual/sso-disable',
      kind: 'manual',
      node: pub.fqdn,
      purpose: 'cluster',
      description: 'Disable SSO before the tomcat certificate changes',
      command: 'Disable SAML SSO (Cisco Unified CM Administration > System > SAML Single Sign-On)',
      reason: 'DOMAIN.md §3 preflight 2: with SSO enabled, disable it before a tomcat change',
      fingerprints: ctx.fingerprintsOf(ssoGroups),
    });
    ctx.afterPreflight(gates.ssoDisable);
    // Users notice SSO going off: in the window, when the change has one.
    if (gates.maintenance) ctx.graph.depend(gates.ssoDisable, gates.maintenance);
  }
  return gates;
}

/** `the CallManager change restarts`, `the CAPF and CallManager changes restart`, `the CallManager-trust entries restart`. */
function windowCause(groups: readonly { readonly family: string }[], trustEntries: boolean): string {
  const changes = groups.map((g) => g.family);
  const parts = [
    ...(changes.length > 0 ? [`the ${changes.join(' and ')} change${changes.length > 1 ? 's' : ''}`] : []),
    ...(trustEntries ? ['the CallManager-trust entries'] : []),
  ];
  const plural = changes.length > 1 || parts.length > 1 || (changes.length === 0 && trustEntries);
  return `${parts.join(' and ')} ${plural ? 'restart' : 'restarts'}`;
}

/**
 * A step's phase where the window's confirmation does not decide it (scheduleOf's window rule: with
 * `manual/maintenance-window`, the steps not after it are before the window): before it the checks,
 * the CSRs, their signing and the confirmation; after it the clean-up and its wait.
 */
export function cucmPhase(step: Pick<CucmStep, 'id' | 'kind'>): SchedulePhase {
  // A CSR made on the node and its signature touch no service: before the window (an approval may take days).
  if (step.kind === 'preflight' || step.kind === 'generate-csr' || step.kind === 'sign' || step.id === WINDOW_STEP) return 'before';
  return step.kind === 'cleanup' ? 'after' : 'in';
}

function finish(ctx: PlanContext, groups: Group[]): ClusterPlan {
  // The scheduler orders the restarts the rules leave free: the window as short as they allow.
  const seconds = cucmStepSeconds(ctx.cluster);
  scheduleRestarts(ctx, seconds, cucmPhase);
  const steps = ctx.graph.steps();
  const c = ctx.cluster;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    platform: 'cucm',
    cluster: {
      name: c.name,
      securityMode: c.securityMode,
      sso: c.sso,
      credentials: c.credentials.file ? { ...c.credentials, file: ctx.opts.fileRef(c.credentials.file) } : c.credentials,
      knownHostsFile: c.knownHostsFile ? ctx.opts.fileRef(c.knownHostsFile) : undefined,
      httpsCaFile: c.httpsCaFile ? ctx.opts.fileRef(c.httpsCaFile) : undefined,
      interclusterPeers: c.interclusterPeers,
      callManagerGroups: c.callManagerGroups,
      impSubclusters: c.impSubclusters,
      nodes: [
        ...nodesInRolloutOrder(c).map((n) => planNode(n)),
        // IM&P nodes of declared intercluster peers that clean-up steps act on (./cleanup-steps.ts).
        ...[...ctx.peerNodes.values()].map(({ node, cluster }) => planNode(node, cluster.name)),
      ],
    },
    purposes: groups.flatMap((g) => g.purposes.map((p) => p.name)).sort(),
    ...issuedPlanFields(ctx),
    certificates: groups.flatMap((g) =>
      g.certificates.map((c): PlanCertificate => {
        if (isIssuedCertificate(c)) return issuedPlanCertificate(ctx, c);
        const f = ctx.opts.facts(c.certificate!);
        return {
          purpose: c.purpose,
          distribution: c.distribution,
          file: ctx.opts.fileRef(c.certificate!),
          subject: f.subject,
          issuer: f.issuer,
          dnsNames: f.dnsNames,
          notBefore: f.notBefore,
          notAfter: f.notAfter,
          sha256: f.sha256,
          ca: c.ca,
          covers: ctx.covered(c).map((n) => n.fqdn),
        };
      }),
    ),
    warnings: [...(ctx.opts.warnings ?? [])],
    steps,
    schedule: scheduleOf(steps, seconds, cucmPhase, ctx.changeGate),
  };
}

function planNode(n: NodeDecl, peerOf?: string): PlanNode {
  return {
    fqdn: n.fqdn,
    role: n.role,
    platform: nodePlatform(n),
    address: n.address ?? n.fqdn,
    api: n.api,
    services: n.services,
    sshHostKeys: n.sshHostKeys,
    ports: n.ports,
    ...(peerOf !== undefined ? { peerOf } : {}),
  };
}
