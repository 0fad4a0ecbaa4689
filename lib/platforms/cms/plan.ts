/**
 * The CMS planner: declarations of one Meeting Server cluster → an ordered step graph
 * (DOMAIN.md §4). Pure: same declarations and material in, byte-identical plan out.
 *
 * Order: preflight on every server; server-made CSRs and their signing; the database cluster
 * procedure; then each certificate, services in the order of CMS_SERVICES; the confirmation of
 * the maintenance window before the first change a user notices. While a server-made
 * CSR awaits its signature the plan holds only the CSR part (phase 1): the change itself is
 * planned, reviewed and linted once every signed certificate exists (phase 2).
 */
import { cmsExpectedNames, cmsFileNames, cmsPortNumber, cmsServiceInfo } from '../../catalog';
import { CMS_SERVICES, CmsCertificateDecl, CmsClusterDecl, Declarations, cmsDatabasePrimary, findCmsServer, cmsPeers, cmsShortName, throwIfProblems } from '../../model';
import { cmsBasename } from './basename';
import { PlannedCmsCertificate, addAssignmentSteps, addCsrSteps } from './certificate-plan';
import { DATABASE_OUTAGE_STEP, addDatabaseProcedure } from './database-plan';
import { CmsDraftStep, CmsStepGraph, sha256 } from './graph';
import { CmsPlanOptions } from './material';
import { CmsClusterPlan, CmsPlanCertificate, CmsPlanNode, CmsStep } from './types';
import { validateCmsDeclarations } from './validate';
import { PLAN_FORMAT_VERSION } from '../../plan/types';
import { SchedulePhase, descendantsOf, scheduleOf } from '../../plan/schedule';
import { cmsStepSeconds } from './timing';
import type { IssuerDecl } from '../../issuers/types';
import type { StepCertificate } from '../../plan/types';

/** Folder of downloaded CSRs, relative to plan.json. */
export const CMS_CSR_DIR = 'cms-csr';

export function planCmsCluster(decls: Declarations, clusterName: string, opts: CmsPlanOptions): CmsClusterPlan {
  validateCmsDeclarations(decls);
  const cluster = (decls.cmsClusters ?? []).find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`CMS cluster '${clusterName}' is not declared`);
  const certificates = plannedCertificates(decls, cluster, opts);
  const graph = new CmsStepGraph(cluster.name);
  const everything = [
    ...certificates.flatMap((c) => (c.material ? [c.material.leaf.sha256, c.material.caBundleFile.sha256] : [c.basename.basename])),
    ...(cluster.databaseCertificates ? [sha256(JSON.stringify(cluster.databaseCertificates))] : []),
  ];
  const preflights = cluster.servers.map((s) =>
    graph.addStep({
      id: `preflight/${cmsShortName(cluster, s)}`,
      kind: 'mmp',
      node: s.fqdn,
      purpose: 'cluster',
      description: `Log in to the MMP of ${s.fqdn} and list its keys and certificates`,
      command: 'pki list',
      reason: 'DOMAIN.md §6: the MMP answers over SSH (host key pinned, credentials from the environment) before any change',
      mmp: [{ command: 'pki list' }],
      fingerprints: everything,
    }),
  );

  const caOf = (c: PlannedCmsCertificate) => c.decl.ca;
  const signed = new Map<PlannedCmsCertificate, string>();
  for (const c of certificates.filter((x) => x.decl.source === 'server-csr')) {
    signed.set(c, addCsrSteps({ graph, cluster, caName: caOf(c), issuer: issuerOf(decls, c), caChain: c.decl.issuer ? caChainOf(opts, c) : undefined }, c, preflights));
  }
  const awaiting = certificates.filter((c) => !c.material);
  let window: string | undefined;
  if (awaiting.length === 0) {
    const ready = [...preflights, ...signed.values()];
    if (cluster.databaseCertificates) addDatabaseProcedure({ graph, cluster, after: ready });
    for (const c of certificates) {
      const after = signed.has(c) ? [...preflights, signed.get(c)!] : preflights;
      addAssignmentSteps({ graph, cluster, caName: caOf(c) }, c, after);
    }
    window = addMaintenanceWindow(graph, cluster, certificates, everything);
  }

  const steps = graph.steps();
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    platform: 'cms',
    cluster: {
      name: cluster.name,
      version: cluster.version,
      clusterFqdn: cluster.clusterFqdn,
      joinUrl: cluster.joinUrl,
      xmppDomains: cluster.xmppDomains,
      credentials: cluster.credentials.file ? { ...cluster.credentials, file: opts.fileRef(cluster.credentials.file) } : cluster.credentials,
      knownHostsFile: cluster.knownHostsFile ? opts.fileRef(cluster.knownHostsFile) : undefined,
      nodes: cluster.servers.map((s): CmsPlanNode => ({
        fqdn: s.fqdn,
        platform: 'cms',
        address: s.address ?? s.fqdn,
        services: s.services,
        databaseRole: s.databaseRole,
        databaseInterface: s.databaseInterface,
        sshHostKeys: s.sshHostKeys,
        ports: resolvedPorts(s),
      })),
    },
    services: [...new Set(certificates.map((c) => c.decl.service))].sort(),
    certificates: certificates.map(planCertificate),
    databaseCertificates: awaiting.length === 0 && !!cluster.databaseCertificates,
    ...issuerFields(decls, certificates, opts),
    warnings: [...(opts.warnings ?? [])],
    steps,
    schedule: scheduleOf(steps, cmsStepSeconds(), cmsPhase, window),
  };
}

/** The declared issuer of a server-made certificate that names one. */
function issuerOf(decls: Declarations, c: PlannedCmsCertificate): IssuerDecl | undefined {
  if (!c.decl.issuer) return undefined;
  const issuer = (decls.issuers ?? []).find((i) => i.name === c.decl.issuer);
  if (!issuer) throw new Error(`cmsCertificates: issuer '${c.decl.issuer}' is not declared: declare it under issuers`);
  return issuer;
}

function caChainOf(opts: CmsPlanOptions, c: PlannedCmsCertificate): readonly StepCertificate[] {
  if (!opts.caChain) throw new Error(`cmsCertificates: the ${c.decl.service} certificate names issuer '${c.decl.issuer}': the planner needs the facts of CA '${c.decl.ca}' (caChain)`);
  return opts.caChain(c.decl.ca);
}

/** plan.json's `issuers` and `issuerBaseDir` (as a CUCM plan carries them), only in a plan with issued certificates. */
function issuerFields(decls: Declarations, certificates: readonly PlannedCmsCertificate[], opts: CmsPlanOptions): { issuers?: IssuerDecl[]; issuerBaseDir?: string } {
  const names = new Set(certificates.map((c) => c.decl.issuer).filter((n): n is string => !!n));
  if (names.size === 0) return {};
  const issuers = (decls.issuers ?? []).filter((i) => names.has(i.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { issuers, issuerBaseDir: opts.fileRef('.') || '.' };
}

/** The manual step that confirms the maintenance window is open (phase 2): the window opens when it ends. */
export const CMS_WINDOW_STEP = 'manual/maintenance-window';

/**
 * The confirmation that the window is open, before the first change a user notices: a certificate
 * put in service (`<svc> disable / certs / enable`, or `certs` then `restart`: ./certificate-plan.ts)
 * and the database outage. Everything that changes nothing for a user (the preflights, the CSRs and
 * their signing, the database primary's status, the file uploads under new basenames and, where no
 * earlier MMP step of the server comes after the window, the pki checks) runs before it, so a
 * signature that is missing or a check that fails stops the apply before the window. Returns its id,
 * or undefined for a plan that changes nothing.
 */
function addMaintenanceWindow(graph: CmsStepGraph, cluster: CmsClusterDecl, certificates: readonly PlannedCmsCertificate[], fingerprints: readonly string[]): string | undefined {
  const changes = graph.ids().filter((id) => id === DATABASE_OUTAGE_STEP || isAssignment(graph.get(id)));
  if (changes.length === 0) return undefined;
  const services = [...new Set(certificates.map((c) => c.decl.service))];
  const what = [
    ...(services.length > 0 ? [`the new ${services.join(', ')} certificates go into service (a service is down between its disable and enable; callbridge restart drops the calls of its server)`] : []),
    ...(graph.has(DATABASE_OUTAGE_STEP) ? ['the database cluster is removed and built again (outage)'] : []),
  ];
  const server = cmsDatabasePrimary(cluster) ?? cluster.servers[0];
  const id = graph.addStep({
    id: CMS_WINDOW_STEP,
    kind: 'manual',
    node: server.fqdn,
    purpose: 'cluster',
    description: `Confirm the maintenance window has started: ${what.join('; and ')}. Nothing a user notices changes before this (only the checks, the CSRs and their signing, and the file uploads under new basenames come first)`,
    command: 'Confirm the Meeting Server maintenance window is open and users were told',
    reason: 'DOMAIN.md §4: putting a certificate in service interrupts its service (disable / enable, callbridge restart) and re-creating the database certificates is an outage: in a maintenance window, after what can be done before it',
    fingerprints,
  });
  for (const c of changes) graph.depend(c, id);
  // Every step that does not come after the confirmation comes before it: the window rule of lib/plan/schedule.ts.
  // It waits for the last of them (those no other step before it waits for): the others come first through them.
  const all = graph.ids().map((x) => ({ id: x, dependsOn: graph.dependencies(x) }));
  const after = descendantsOf(all, id);
  const before = new Set(all.map((x) => x.id).filter((x) => x !== id && !after.has(x)));
  const waitedFor = new Set(all.filter((x) => before.has(x.id)).flatMap((x) => x.dependsOn));
  for (const x of before) if (!waitedFor.has(x)) graph.depend(id, x);
  return id;
}

function isAssignment(step: CmsDraftStep | ReturnType<CmsStepGraph['get']>): boolean {
  return step.kind === 'mmp' && step.id.split('/')[1] === 'assign';
}

/**
 * A step's phase where no window confirmation decides it (phase 1, which changes nothing for a
 * user): the preflights, the CSRs, their download and signing are before the window.
 */
export function cmsPhase(step: Pick<CmsStep, 'id'>): SchedulePhase {
  const [, kind] = step.id.split('/');
  return step.id.startsWith('preflight/') || ['csr', 'download-csr', 'sign'].includes(kind) || /^[^/]+\/manual\/sign\//.test(step.id) ? 'before' : 'in';
}

/** Certificates in plan order (service order, then first server), with names, basename and files derived. */
function plannedCertificates(decls: Declarations, cluster: CmsClusterDecl, opts: CmsPlanOptions): PlannedCmsCertificate[] {
  const mine = (decls.cmsCertificates ?? []).filter((c) => c.cluster === cluster.name);
  const serverIndex = (c: CmsCertificateDecl) => (c.server ? cluster.servers.findIndex((s) => s.fqdn === c.server) : -1);
  const ordered = [...mine].sort((a, b) => CMS_SERVICES.indexOf(a.service) - CMS_SERVICES.indexOf(b.service) || serverIndex(a) - serverIndex(b));
  const planned = ordered.map((decl): PlannedCmsCertificate => {
    const server = decl.server ? findCmsServer(cluster, decl.server) : undefined;
    const expected = cmsExpectedNames(cluster, decl.service, decl.scope, server);
    // A CA signs the names of the SAN list (an issuer refuses a CSR without one): an issued
    // certificate whose rule has no SANs carries its CN as its only SAN.
    const names = decl.issuer && expected.subjectAltNames.length === 0 ? { ...expected, subjectAltNames: [expected.commonName] } : expected;
    const targets = decl.scope === 'clustered' ? cmsPeers(cluster, decl.service) : [server!];
    const material = opts.material(decl);
    if (!material && decl.source === 'ca') throw new Error(`cmsCertificates: the ${decl.service} certificate ${decl.certificate} has no material: the planner needs its facts`);
    const basename = cmsBasename(decl, names, material?.leaf.sha256);
    return {
      decl,
      names,
      targets,
      basename,
      files: cmsFileNames(decl.service, basename.basename),
      material,
      csrServer: decl.source === 'server-csr' ? targets[0] : undefined,
      csrFile: decl.source === 'server-csr' ? `${CMS_CSR_DIR}/${basename.basename}.csr` : undefined,
      certificateRef: opts.fileRef(decl.certificate),
      keyRef: decl.key ? opts.fileRef(decl.key) : undefined,
    };
  });
  const byName = new Map<string, string>();
  const problems: string[] = [];
  for (const c of planned) {
    for (const t of c.targets) {
      const key = `${t.fqdn}/${c.basename.basename}`;
      const other = byName.get(key);
      if (other) problems.push(`cmsCertificates: the ${c.decl.service} and ${other} certificates both use basename '${c.basename.basename}' on ${t.fqdn}: give one another basename`);
      byName.set(key, c.decl.service);
    }
  }
  throwIfProblems(problems);
  return planned;
}

function planCertificate(c: PlannedCmsCertificate): CmsPlanCertificate {
  return {
    service: c.decl.service,
    scope: c.decl.scope,
    source: c.decl.source,
    servers: c.targets.map((t) => t.fqdn),
    basename: c.basename.basename,
    basenameReason: c.basename.reason,
    certificate: { file: c.certificateRef, sha256: c.material?.leaf.sha256, subject: c.material?.leaf.subject },
    awaitingSignature: !c.material,
    keyFile: c.keyRef,
    ...(c.decl.issuer ? { issuer: c.decl.issuer } : {}),
  };
}

/** `ssh` and every service port of the server, defaults filled in (what a driver and the twin use). */
function resolvedPorts(server: CmsClusterDecl['servers'][number]): Record<string, number> {
  const ports: Record<string, number> = { ssh: server.ports.ssh ?? 22 };
  for (const service of server.services) {
    const port = cmsServiceInfo(service).port;
    const n = cmsPortNumber(server, port);
    if (n !== undefined) ports[port.name] = n;
  }
  for (const [name, n] of Object.entries(server.ports)) ports[name] = n;
  return Object.fromEntries(Object.entries(ports).sort(([a], [b]) => (a < b ? -1 : 1)));
}
