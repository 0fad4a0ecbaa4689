/**
 * The CMS planner: declarations of one Meeting Server cluster → an ordered step graph
 * (DOMAIN.md §4). Pure: same declarations and material in, byte-identical plan out.
 *
 * Order: preflight on every server; server-made CSRs and their signing; the database cluster
 * procedure; then each certificate, services in the order of CMS_SERVICES. While a server-made
 * CSR awaits its signature the plan holds only the CSR part (phase 1): the change itself is
 * planned, reviewed and linted once every signed certificate exists (phase 2).
 */
import { cmsExpectedNames, cmsFileNames, cmsPortNumber, cmsServiceInfo } from '../../catalog';
import { CMS_SERVICES, CmsCertificateDecl, CmsClusterDecl, Declarations, findCmsServer, cmsPeers, cmsShortName, throwIfProblems } from '../../model';
import { cmsBasename } from './basename';
import { PlannedCmsCertificate, addAssignmentSteps, addCsrSteps } from './certificate-plan';
import { addDatabaseProcedure } from './database-plan';
import { CmsStepGraph, sha256 } from './graph';
import { CmsPlanOptions } from './material';
import { CmsClusterPlan, CmsPlanCertificate, CmsPlanNode, CmsStep } from './types';
import { validateCmsDeclarations } from './validate';
import { PLAN_FORMAT_VERSION } from '../../plan/types';
import { SchedulePhase, scheduleOf } from '../../plan/schedule';
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
  if (awaiting.length === 0) {
    const ready = [...preflights, ...signed.values()];
    if (cluster.databaseCertificates) addDatabaseProcedure({ graph, cluster, after: ready });
    for (const c of certificates) {
      const after = signed.has(c) ? [...preflights, signed.get(c)!] : preflights;
      addAssignmentSteps({ graph, cluster, caName: caOf(c) }, c, after);
    }
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
    schedule: scheduleOf(steps, cmsStepSeconds(), cmsPhase),
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

/** Before the window: the MMP logins of the preflight; nothing of a Meeting Server change waits past it. */
export function cmsPhase(step: Pick<CmsStep, 'id'>): SchedulePhase {
  return step.id.startsWith('preflight/') ? 'before' : 'in';
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
