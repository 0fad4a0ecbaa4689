/**
 * The status of the declared clusters: what each node holds and presents, judged against the
 * declarations and the clock. Pure: the readings come in (./collect.ts), a report comes out
 * with the state of every certificate, the findings (each with its fix) and the exit code of a
 * monitoring plugin (0 ok, 1 warning, 2 critical; 3 unknown is the CLI's, for bad input).
 */
import { PurposeInfo, findPurpose, multiServerCoverage } from '../catalog';
import { CertificateDecl, ClusterDecl, CmsCertificateDecl, CmsClusterDecl, Declarations, describeRenewBefore, nodesInRolloutOrder, renewalTime } from '../model';
import { shortFingerprint } from '../pki/fingerprint';
import { FindingPlace, addExpiryFindings, day, daysLeft, declaredFiles, presentedBy, reachableReading } from './judge';
import { LiveCertificate, LiveIdentity, NodeReading, PresentedPort } from './live';
import { DeclaredCertificateStatus as DeclaredStatus, RenewalReasons, dueReason } from './renewal-reasons';

export type IdentityState = 'ok' | 'due' | 'expired' | 'drift' | 'pending-restart' | 'unmanaged';

export const STATUS_FORMAT_VERSION = 1;

/** One identity certificate of a node, as `--json` prints it: its facts as read, and the judgement. */
export interface StatusIdentity extends LiveCertificate {
  readonly purpose: string;
  /** SHA-256 of the leaf seen on the purpose's port; null where the node serves none (or it did not answer). */
  readonly presented: string | null;
  readonly state: IdentityState;
}

export interface StatusTrust extends Pick<LiveCertificate, 'sha256' | 'subject' | 'notAfter' | 'selfSigned'> {
  readonly store: string;
}

export interface StatusNode {
  readonly fqdn: string;
  readonly reachable: boolean;
  readonly identities: readonly StatusIdentity[];
  readonly trust: readonly StatusTrust[];
}

export interface StatusCluster {
  readonly name: string;
  readonly nodes: readonly StatusNode[];
}

export type Severity = 'critical' | 'warning';

export interface StatusFinding {
  readonly severity: Severity;
  /** Stable: node-unreachable, certificate-expired, certificate-expiring, renewal-due, drift, pending-restart, declared-not-held, san-missing-node, self-signed-fallback, trust-expired, trust-expiring, node-not-declared, node-not-in-cluster, port-not-answering, declared-file-unreadable. */
  readonly code: string;
  readonly cluster: string;
  readonly nodes: readonly string[];
  readonly purpose?: string;
  readonly store?: string;
  readonly message: string;
  readonly fix: string;
}

/** Why a declared certificate needs a renewal plan (`ucrollout renew`), node by node (./renewal-reasons.ts). */
export type DeclaredCertificateStatus<D = CertificateDecl> = DeclaredStatus<D>;

export interface StatusReport {
  readonly formatVersion: 1;
  readonly generatedAt: string;
  readonly warnDays: number;
  readonly criticalDays: number;
  readonly clusters: readonly StatusCluster[];
  readonly findings: readonly StatusFinding[];
}

export interface Evaluation {
  readonly report: StatusReport;
  readonly certificates: readonly DeclaredCertificateStatus[];
  /** The same for the declared Meeting Server certificates. */
  readonly cmsCertificates: readonly DeclaredCertificateStatus<CmsCertificateDecl>[];
}

/** What the evaluation knows of a declared certificate file (the facts; undefined when unreadable). */
export interface DeclaredFile {
  readonly sha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subject: string;
}

export interface EvaluateOptions {
  readonly now: Date;
  /** @default 30 */
  readonly warnDays?: number;
  /** @default 7 */
  readonly criticalDays?: number;
  /** The facts of a declared certificate file; throws (or returns undefined) when it cannot be read. */
  readonly declaredFile: (decl: CertificateDecl) => DeclaredFile | undefined;
  /** The same for a declared Meeting Server certificate (undefined: not there yet, judged as drift). @default none readable */
  readonly declaredCmsFile?: (decl: CmsCertificateDecl) => DeclaredFile | undefined;
  /**
   * The subjects of a declared CA's root and intermediates: an issued certificate is the declared
   * one when a certificate of that CA issued it. @default - unknown: any CA-signed identity passes
   */
  readonly declaredCa?: (caName: string) => readonly string[] | undefined;
}

export const DEFAULT_WARN_DAYS = 30;
export const DEFAULT_CRITICAL_DAYS = 7;

/** The monitoring-plugin exit code of a report: 2 on any critical finding, 1 on any warning, else 0. */
export function exitCodeOf(report: Pick<StatusReport, 'findings'>): 0 | 1 | 2 {
  if (report.findings.some((f) => f.severity === 'critical')) return 2;
  return report.findings.length > 0 ? 1 : 0;
}

/** The declared certificate that applies to this node and purpose: its single-server one, else the multi-server one covering it. */
export function declaredFor(decls: Declarations, cluster: ClusterDecl, fqdn: string, purpose: string): { decl: CertificateDecl; index: number } | undefined {
  const mine = decls.certificates.map((decl, index) => ({ decl, index })).filter((c) => c.decl.cluster === cluster.name && c.decl.purpose === purpose);
  const single = mine.find((c) => c.decl.distribution === 'single-server' && c.decl.node?.toLowerCase() === fqdn);
  if (single) return single;
  const info = findPurpose(purpose);
  if (!info) return undefined;
  return mine.find((c) => c.decl.distribution === 'multi-server' && coverageOf(cluster, info).includes(fqdn));
}

/** FQDNs a multi-server certificate of the purpose must name; a CallManager node without the service only when the cluster keeps it. */
export function coverageOf(cluster: ClusterDecl, purpose: PurposeInfo): string[] {
  let nodes = multiServerCoverage(cluster, purpose);
  if (purpose.family === 'CallManager' && cluster.callManagerIncludeInactiveNodes !== true) nodes = nodes.filter((n) => n.services.includes('Cisco CallManager'));
  return nodes.map((n) => n.fqdn.toLowerCase());
}

export function evaluateStatus(decls: Declarations, readings: ReadonlyMap<string, NodeReading>, opts: EvaluateOptions): Evaluation {
  const now = opts.now.getTime();
  const warnDays = opts.warnDays ?? DEFAULT_WARN_DAYS;
  const criticalDays = opts.criticalDays ?? DEFAULT_CRITICAL_DAYS;
  const findings = new FindingList();
  const renewals = new RenewalReasons();
  const add = (f: FindingInput) => findings.add(f);
  const readDeclared = declaredFiles<{ decl: CertificateDecl; index: number }>(
    ({ decl }) => opts.declaredFile(decl),
    ({ decl }) => ({ cluster: decl.cluster, node: decl.node ?? '', purpose: decl.purpose, file: decl.certificate, judged: 'its nodes are judged as drift' }),
    add,
  );
  const declaredByIndex = new Map<number, { decl: CertificateDecl; index: number }>();
  const fileOf = (index: number, decl: CertificateDecl): DeclaredFile | undefined => {
    if (!declaredByIndex.has(index)) declaredByIndex.set(index, { decl, index });
    return readDeclared(declaredByIndex.get(index)!);
  };

  const clusters: StatusCluster[] = decls.clusters.map((cluster) => {
    const ordered = nodesInRolloutOrder(cluster);
    const nodes: StatusNode[] = ordered.map((node) => {
      const fqdn = node.fqdn.toLowerCase();
      const reading = reachableReading(readings.get(fqdn), cluster.name, fqdn, 'node is up and answers SSH on its admin CLI', add);
      if (!reading) {
        for (const c of decls.certificates.map((decl, index) => ({ decl, index }))) {
          const info = findPurpose(c.decl.purpose);
          if (c.decl.cluster !== cluster.name || !info) continue;
          const covers = c.decl.distribution === 'single-server' ? [c.decl.node?.toLowerCase()] : coverageOf(cluster, info);
          if (covers.includes(fqdn)) renewals.notRead(c.index, fqdn);
        }
        return { fqdn, reachable: false, identities: [], trust: [] };
      }
      const identities = reading.identities.map((id) => judgeIdentity(id));
      // A declared certificate for a purpose the node does not hold at all.
      for (const c of decls.certificates.map((decl, index) => ({ decl, index }))) {
        if (c.decl.cluster !== cluster.name || reading.identities.some((i) => i.purpose === c.decl.purpose)) continue;
        if (declaredFor(decls, cluster, fqdn, c.decl.purpose)?.index !== c.index) continue;
        findings.add({
          severity: 'warning',
          code: 'declared-not-held',
          cluster: cluster.name,
          node: fqdn,
          purpose: c.decl.purpose,
          message: `no ${c.decl.purpose} identity on the node ('show cert list own' does not list it), though one is declared for it`,
          fix: `check the node's release supports ${c.decl.purpose}, or remove the declaration`,
        });
        renewals.notHeld(c.index, fqdn, c.decl.purpose);
      }
      const trust = reading.trust.map((t) => {
        const left = daysLeft(t.notAfter, now);
        if (left < 0 || left <= warnDays) {
          const expired = t.notAfter !== '' && Date.parse(t.notAfter) <= now;
          findings.add({
            severity: expired || left <= criticalDays ? 'critical' : 'warning',
            code: expired ? 'trust-expired' : 'trust-expiring',
            cluster: cluster.name,
            node: fqdn,
            store: t.store,
            key: t.sha256,
            message: expired
              ? `trust certificate '${t.subject}' (${shortFingerprint(t.sha256)}…) in ${t.store} expired on ${day(t.notAfter)}`
              : `trust certificate '${t.subject}' (${shortFingerprint(t.sha256)}…) in ${t.store} expires on ${day(t.notAfter)}, in ${left} days`,
            fix: `if it is still needed, import its CA's renewed certificate into ${t.store} (a trust entry or the CA of the inventory, then plan); if not, delete it on each node: set cert delete trust ${t.file}`,
          });
        }
        return { store: t.store, sha256: t.sha256, subject: t.subject, notAfter: t.notAfter, selfSigned: t.selfSigned };
      });
      return { fqdn, reachable: true, identities, trust };

      function judgeIdentity(id: LiveIdentity): StatusIdentity {
        const declared = declaredFor(decls, cluster, fqdn, id.purpose);
        const file = declared ? fileOf(declared.index, declared.decl) : undefined;
        const place = { cluster: cluster.name, node: fqdn, purpose: id.purpose };
        const { presented, stale } = presentedBy(id, place, `check the service that serves it is started ('utils service list' on the node)`, add);
        const renewAt = declared && id.notBefore && id.notAfter ? renewalTime(id.notBefore, id.notAfter, declared.decl.renewBefore) : undefined;
        const renewalDue = !!renewAt && renewAt.getTime() <= now;
        const { expired, left } = addExpiryFindings(
          id,
          place,
          { now, warnDays, criticalDays },
          declared && renewAt ? { renewalDue, why: `since ${day(renewAt.toISOString())}: ${describeRenewBefore(declared.decl.renewBefore)}` } : undefined,
          renewFix(declared?.decl),
          add,
        );
        // An issued certificate (issuer:) has no declared file: its leaf is known only after its sign step, so
        // the node drifts when it holds no CA-signed identity (self-signed: not issued, or fallen back).
        // the node drifts when it holds no CA-signed identity (self-signed: not issued, or fallen back),
        // or one another CA signed (not the declared CA's root or intermediates).
        const issuedBy = declared?.decl.issuer !== undefined ? opts.declaredCa?.(declared.decl.ca) : undefined;
        const foreign = !!issuedBy && issuedBy.length > 0 && !id.selfSigned && !issuedBy.includes(id.issuer);
        const drift = !!declared && (declared.decl.issuer !== undefined ? id.selfSigned || foreign : file?.sha256 !== id.sha256);
        const state = identityState({ drift, expired, due: left <= warnDays || renewalDue, declared: !!declared, stale: !!stale });
        if (declared && !drift) renewals.installedDue(declared.index, dueReason(id.notAfter, { expired, left, warnDays, renewAt, now, renewBefore: declared.decl.renewBefore }), !!file);
        if (drift && declared && declared.decl.issuer !== undefined) {
          findings.add({
            severity: 'warning',
            code: 'drift',
            ...place,
            key: `${declared.decl.issuer}/${declared.decl.ca}`,
            message: `the ${id.purpose} certificate from issuer '${declared.decl.issuer}' (CA '${declared.decl.ca}') is not the one installed: the node holds ${id.selfSigned ? 'a self-signed one' : `one issued by '${id.issuer}'`}`,
            fix: `apply it: ucrollout renew --inventory FILE --out DIR (or ucrollout plan), then terraform apply in each stack`,
          });
          renewals.notInstalled(declared.index, fqdn, id);
        } else if (drift && declared) {
          findings.add(
            driftFinding(place, declared.decl.certificate, file, {
              unsigned: '',
              held: 'installed',
              fix: `apply it: ucrollout renew --inventory FILE --out DIR (or ucrollout plan), then terraform apply in each stack`,
            }),
          );
          renewals.notInstalled(declared.index, fqdn, id);
          if (file && file.notAfter && (Date.parse(file.notAfter) <= now || renewalTime(file.notBefore, file.notAfter, declared.decl.renewBefore).getTime() <= now)) {
            findings.add({
              severity: 'warning',
              code: 'declared-file-due',
              cluster: cluster.name,
              node: '',
              purpose: id.purpose,
              key: file.sha256,
              message: `the declared ${id.purpose} certificate '${declared.decl.certificate}' is itself due for renewal (it expires on ${day(file.notAfter)})`,
              fix: renewFix(declared.decl),
            });
          }
        }
        if (state === 'pending-restart' && stale) {
          findings.add(
            pendingRestartFinding(place, id, stale, {
              held: 'installed',
              fix: `restart the services of ${id.purpose} on the node (the plan's restart steps: apply again), or 'utils service restart <service>'`,
            }),
          );
          if (declared) renewals.pendingRestart(declared.index, fqdn, stale.port);
        }
        return statusIdentity(id, presented, state);
      }
    });
    reissueChecks(cluster, readings, findings);
    return { name: cluster.name, nodes };
  });

  const cmsRenewals = new RenewalReasons();
  for (const cms of decls.cmsClusters ?? []) clusters.push(evaluateCmsCluster(decls, cms, readings, opts, findings, cmsRenewals, { now, warnDays, criticalDays }));

  const certificates = renewals.statuses(decls.certificates, decls.clusters);
  const cmsCertificates = cmsRenewals.statuses(decls.cmsCertificates ?? [], decls.cmsClusters ?? []);

  return {
    report: { formatVersion: STATUS_FORMAT_VERSION, generatedAt: opts.now.toISOString(), warnDays, criticalDays, clusters, findings: findings.list() },
    certificates,
    cmsCertificates,
  };
}

/** The declared Meeting Server certificate of a server's service: its per-server one, else the clustered one of the service. */
export function declaredCmsFor(decls: Declarations, cluster: CmsClusterDecl, fqdn: string, service: string): CmsCertificateDecl | undefined {
  const mine = (decls.cmsCertificates ?? []).filter((c) => c.cluster === cluster.name && c.service === service);
  const runs = cluster.servers.find((s) => s.fqdn.toLowerCase() === fqdn)?.services.includes(service as never) ?? false;
  return mine.find((c) => c.scope === 'per-server' && c.server?.toLowerCase() === fqdn) ?? (runs ? mine.find((c) => c.scope === 'clustered') : undefined);
}

/** A Meeting Server cluster: each server's services judged as CUCM identities are (the service is the purpose; no trust stores). */
function evaluateCmsCluster(
  decls: Declarations,
  cluster: CmsClusterDecl,
  readings: ReadonlyMap<string, NodeReading>,
  opts: EvaluateOptions,
  findings: FindingList,
  renewals: RenewalReasons,
  limits: { now: number; warnDays: number; criticalDays: number },
): StatusCluster {
  const { now, warnDays } = limits;
  const add = (f: FindingInput) => findings.add(f);
  const fileOf = declaredFiles<CmsCertificateDecl>(
    (decl) => opts.declaredCmsFile?.(decl),
    (decl) => ({ cluster: cluster.name, node: decl.server ?? '', purpose: decl.service, file: decl.certificate, judged: 'its servers are judged as drift' }),
    add,
  );
  const apply = `plan it: ucrollout renew --inventory FILE --out DIR (or ucrollout plan), then terraform apply in the stack ${cluster.name}`;
  const indexOf = (decl: CmsCertificateDecl) => (decls.cmsCertificates ?? []).indexOf(decl);
  const nodes: StatusNode[] = cluster.servers.map((server) => {
    const fqdn = server.fqdn.toLowerCase();
    const reading = reachableReading(readings.get(fqdn), cluster.name, fqdn, 'Meeting Server is up and answers SSH on its MMP', add);
    if (!reading) {
      for (const declared of server.services.map((service) => declaredCmsFor(decls, cluster, fqdn, service))) if (declared) renewals.notRead(indexOf(declared), fqdn);
      return { fqdn, reachable: false, identities: [], trust: [] };
    }
    for (const service of server.services) {
      const declared = declaredCmsFor(decls, cluster, fqdn, service);
      if (reading.identities.some((i) => i.purpose === service) || !declared) continue;
      renewals.notHeld(indexOf(declared), fqdn, service);
      findings.add({
        severity: 'warning',
        code: 'declared-not-held',
        cluster: cluster.name,
        node: fqdn,
        purpose: service,
        message: `${service} on the server is configured with no certificate ('${service}' names no certificate file), though one is declared for it`,
        fix: apply,
      });
    }
    const identities = reading.identities.map((id): StatusIdentity => {
      const declared = declaredCmsFor(decls, cluster, fqdn, id.purpose);
      const file = declared ? fileOf(declared) : undefined;
      const place = { cluster: cluster.name, node: fqdn, purpose: id.purpose };
      const { presented, stale } = presentedBy(id, place, `check ${id.purpose} is enabled and running ('${id.purpose}' on the MMP)`, add);
      // A Meeting Server certificate declares no renewBefore: due once two thirds of its lifetime passed.
      const renewAt = declared && id.notBefore && id.notAfter ? renewalTime(id.notBefore, id.notAfter, undefined) : undefined;
      const renewalDue = !!renewAt && renewAt.getTime() <= now;
      const renew = declared
        ? `renew it: put the renewed certificate at '${declared.certificate}' (a server-csr one: a new renewal label, plan and apply to make the CSR), then ${apply}`
        : `replace it: declare a cmsCertificates entry for ${id.purpose}, then ${apply}`;
      const { expired, left } = addExpiryFindings(id, place, limits, { renewalDue, why: '(two thirds of its lifetime passed)' }, renew, add);
      const drift = !!declared && file?.sha256 !== id.sha256;
      const state = identityState({ drift, expired, due: left <= warnDays || renewalDue, declared: !!declared, stale: !!stale });
      if (declared && !drift) renewals.installedDue(indexOf(declared), dueReason(id.notAfter, { expired, left, warnDays, renewAt, now }), true);
      if (drift && declared) {
        findings.add(driftFinding(place, declared.certificate, file, { unsigned: ' (not signed yet)', held: 'in use', fix: apply }));
        renewals.notInstalled(indexOf(declared), fqdn, id);
      }
      if (state === 'pending-restart' && stale) {
        findings.add(pendingRestartFinding(place, id, stale, { held: 'configured', fix: `restart the service: '${id.purpose} restart' on the MMP (or apply the plan again)` }));
        if (declared) renewals.pendingRestart(indexOf(declared), fqdn, stale.port);
      }
      return statusIdentity(id, presented, state);
    });
    return { fqdn, reachable: true, identities, trust: [] };
  });
  return { name: cluster.name, nodes };
}

/** The state of an identity, in the order the judgement weighs what it found (both platforms). */
function identityState(j: { drift: boolean; expired: boolean; due: boolean; declared: boolean; stale: boolean }): IdentityState {
  if (j.drift) return 'drift';
  if (j.expired) return 'expired';
  if (j.due) return 'due';
  if (j.declared && j.stale) return 'pending-restart';
  return j.declared ? 'ok' : 'unmanaged';
}

/** An identity as the report prints it: its facts as read, what its ports present, its state. */
function statusIdentity(id: LiveIdentity, presented: string | null, state: IdentityState): StatusIdentity {
  return { purpose: id.purpose, sha256: id.sha256, subject: id.subject, issuer: id.issuer, sans: id.sans, notBefore: id.notBefore, notAfter: id.notAfter, selfSigned: id.selfSigned, presented, state };
}

/** The declared certificate (`file`: its facts; undefined: not readable, or not signed yet) is not the one the node holds. */
function driftFinding(
  place: FindingPlace,
  certificate: string | undefined,
  file: DeclaredFile | undefined,
  words: { readonly unsigned: string; readonly held: string; readonly fix: string },
): FindingInput {
  return {
    severity: 'warning',
    code: 'drift',
    ...place,
    key: file?.sha256 ?? certificate,
    message: `the declared ${place.purpose} certificate${file ? ` ${shortFingerprint(file.sha256)}…` : words.unsigned} ('${certificate}') is not the one ${words.held}`,
    fix: words.fix,
  };
}

/** The node holds the identity, but a port still presents the one before it (a restart is pending). */
function pendingRestartFinding(place: FindingPlace, id: LiveIdentity, stale: PresentedPort, words: { readonly held: string; readonly fix: string }): FindingInput {
  const what = `${id.purpose} certificate ${shortFingerprint(id.sha256)}… ('${id.subject}')`;
  return {
    severity: 'warning',
    code: 'pending-restart',
    ...place,
    key: id.sha256,
    message: `the ${what} is ${words.held}, but port ${stale.port} ${stale.number} still presents ${shortFingerprint(stale.sha256!)}…`,
    fix: words.fix,
  };
}

function renewFix(decl: CertificateDecl | undefined): string {
  if (!decl) return `replace it (it is not declared: declare it in the inventory, then ucrollout plan), or let the node regenerate it if it is self-signed`;
  if (decl.issuer) return `renew it: ucrollout renew --inventory FILE --out DIR (a fresh CSR on the node, signed by '${decl.issuer}'), then terraform apply`;
  return `renew it: put the renewed certificate at '${decl.certificate}' (ucrollout csr --on-node has the node make the CSR), then ucrollout renew --inventory FILE --out DIR and terraform apply`;
}

/**
 * The re-issue triggers of the seeds (DOMAIN.md §3): a node of the cluster absent from a
 * multi-server certificate's SANs (a node was added), a node back on a self-signed certificate
 * while its peers hold CA-signed ones (hostname or domain change, restore without backup), and
 * the publisher's view of the cluster against the inventory.
 */
function reissueChecks(cluster: ClusterDecl, readings: ReadonlyMap<string, NodeReading>, findings: FindingList): void {
  const nodes = nodesInRolloutOrder(cluster).map((n) => n.fqdn.toLowerCase());
  const held = nodes.flatMap((fqdn) => (readings.get(fqdn)?.identities ?? []).map((id) => ({ fqdn, id })));
  for (const { fqdn, id } of held) {
    const purpose = findPurpose(id.purpose);
    if (!purpose) continue;
    const sans = new Set(id.sans.map((s) => s.toLowerCase()));
    const named = nodes.filter((n) => sans.has(n));
    if (purpose.multiServer && !id.selfSigned && named.length > 1) {
      const missing = coverageOf(cluster, purpose).filter((n) => !sans.has(n));
      if (missing.length > 0) {
        findings.add({
          severity: 'warning',
          code: 'san-missing-node',
          cluster: cluster.name,
          node: fqdn,
          purpose: id.purpose,
          key: `${id.sha256} ${missing.join(',')}`,
          message: `the multi-server ${id.purpose} certificate ${shortFingerprint(id.sha256)}… does not name ${missing.join(', ')} in its SANs (a node joined the cluster after it was issued)`,
          fix: `re-issue it with every node: ucrollout csr --inventory FILE --cluster ${cluster.name} --purpose ${id.purpose} --on-node --out csr/, have it signed, declare it, then ucrollout plan (or renew) and apply`,
        });
      }
    }
    if (id.selfSigned) {
      const signedPeers = held.filter((h) => h.fqdn !== fqdn && h.id.purpose === id.purpose && !h.id.selfSigned).map((h) => h.fqdn);
      if (signedPeers.length > 0) {
        findings.add({
          severity: 'warning',
          code: 'self-signed-fallback',
          cluster: cluster.name,
          node: fqdn,
          purpose: id.purpose,
          message: `${fqdn} holds a self-signed ${id.purpose} certificate while ${signedPeers.join(', ')} hold CA-signed ones: the node regenerated it (a hostname or domain change, or a restore without backup)`,
          fix: purpose.multiServer
            ? `re-issue the multi-server ${id.purpose} certificate with this node in its SANs (ucrollout csr --on-node …, or an issuer), or, if its SANs still name the node, apply the plan again to re-install it`
            : `issue a new ${id.purpose} certificate for ${fqdn} (ucrollout csr --on-node …, or an issuer), declare it, then plan and apply`,
        });
      }
    }
  }
  const publisher = nodesInRolloutOrder(cluster).find((n) => n.role === 'publisher');
  const members = publisher ? readings.get(publisher.fqdn.toLowerCase())?.members : undefined;
  if (!members || members.length === 0) return;
  for (const m of members.filter((m) => !nodes.includes(m.fqdn))) {
    findings.add({
      severity: 'warning',
      code: 'node-not-declared',
      cluster: cluster.name,
      node: m.fqdn,
      message: `the publisher lists ${m.fqdn} (${m.role}, ${m.address}) in 'show network cluster', but the inventory does not declare it: status does not read it, and plans leave it out`,
      fix: `declare it in the inventory (ucrollout discover --publisher ${publisher!.fqdn} --out FILE shows the whole cluster); its multi-server certificates must be re-issued to name it`,
    });
  }
  for (const n of nodes.filter((n) => !members.some((m) => m.fqdn === n))) {
    findings.add({
      severity: 'warning',
      code: 'node-not-in-cluster',
      cluster: cluster.name,
      node: n,
      message: `the inventory declares ${n}, but the publisher does not list it in 'show network cluster'`,
      fix: `check the node's name (a renamed node falls back to self-signed certificates), or remove it from the inventory`,
    });
  }
}

interface FindingInput extends Omit<StatusFinding, 'nodes'> {
  /** The node it was seen on ('' for none). */
  readonly node: string;
  /** Findings with the same code, cluster, purpose or store, and key are one finding naming every node. */
  readonly key?: string;
}

/** Findings grouped: the same fact on several nodes (one multi-server certificate) is one finding naming them. */
class FindingList {
  private readonly byKey = new Map<string, { finding: Omit<StatusFinding, 'nodes'>; nodes: string[] }>();

  add(input: FindingInput): void {
    const { node, key, ...finding } = input;
    const id = [finding.code, finding.cluster, finding.purpose ?? '', finding.store ?? '', key ?? node].join('|');
    const entry = this.byKey.get(id);
    if (entry) {
      if (node && !entry.nodes.includes(node)) entry.nodes.push(node);
      // The first node's message stands; a more severe sighting raises the severity.
      if (finding.severity === 'critical') entry.finding = { ...entry.finding, severity: 'critical' };
      return;
    }
    this.byKey.set(id, { finding, nodes: node ? [node] : [] });
  }

  /** Critical first, then in the order they were found. */
  list(): StatusFinding[] {
    const all = [...this.byKey.values()].map(({ finding, nodes }) => ({ ...finding, nodes }));
    return [...all.filter((f) => f.severity === 'critical'), ...all.filter((f) => f.severity === 'warning')].map((f) => ({
      severity: f.severity,
      code: f.code,
      cluster: f.cluster,
      nodes: f.nodes,
      ...(f.purpose ? { purpose: f.purpose } : {}),
      ...(f.store ? { store: f.store } : {}),
      message: f.message,
      fix: f.fix,
    }));
  }
}
