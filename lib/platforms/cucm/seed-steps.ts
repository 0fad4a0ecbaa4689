/**
 * Steps the vendor procedures ask for besides the certificate's own: checks before the leaf
 * is installed (seed 000), the XMPP federation wildcard setting (seed 002), and the monitoring
 * and revocation settings a cluster declares (seed 002), stated as manual steps with their values.
 */
import { CertificateMonitorDecl, RevocationDecl, isImpRole, publisherOf } from '../../model';
import { Group, PlanContext } from './plan-context';

/**
 * The group's checks before its identity uploads and its signing: those wait for them (CallManager:
 * the phones trust TVS, seed 000). A check changes nothing, so it runs after the preflights, before
 * the window (the planner has the window's confirmation wait for it). Returns the check steps.
 */
export function addManualBeforeUpload(ctx: PlanContext, g: Group, uploads: readonly { id: string }[]): string[] {
  return g.purposes[0].manualBeforeUpload.map((action) => {
    const id = ctx.addGroupAction(g, action, action.reason ?? `DOMAIN.md §3: checked by a person before the ${g.family} certificate is installed`);
    ctx.afterPreflight(id);
    for (const u of uploads) ctx.graph.depend(u.id, id);
    return id;
  });
}

const WILDCARD_SETTING = 'Enable Wildcards in XMPP Federation Security Certificates';
const WILDCARD_REASON =
  'seed 002 (XMPP federation): for group chat over TLS the cup-xmpp-s2s certificate holds *.domain SANs, and "Enable Wildcards in XMPP Federation Security Certificates" must be on in every IM and Presence cluster';

/**
 * cup-xmpp-s2s with `*.domain` SANs: the wildcard setting on in this cluster and in every intercluster
 * peer, after the federation restarts (the seed's step 6, after step 5).
 */
export function addXmppWildcards(ctx: PlanContext, g: Group, ends: readonly string[]): void {
  if (g.family !== 'cup-xmpp-s2s') return;
  const wildcards = g.certificates.some((c) => c.certificate !== undefined && ctx.opts.facts(c.certificate).dnsNames.some((d) => d.startsWith('*.')));
  if (!wildcards) return;
  const impPub = publisherOf(ctx.cluster, 'imp') ?? ctx.publisher();
  const label = g.purposes.map((p) => p.name).join('+');
  const where = [
    { id: 'cup-xmpp-s2s/manual/xmpp-wildcards', on: `cluster ${ctx.cluster.name}`, at: impPub.fqdn },
    ...[...ctx.cluster.interclusterPeers].sort().map((peer) => ({ id: `cup-xmpp-s2s/manual/xmpp-wildcards/${peer}`, on: `the intercluster peer cluster of ${peer}`, at: peer })),
  ];
  for (const w of where) {
    const id = ctx.add({
      id: w.id,
      kind: 'manual',
      node: impPub.fqdn,
      purpose: label,
      description: `Turn on "${WILDCARD_SETTING}" in ${w.on}: the cup-xmpp-s2s certificate has *.domain SANs for group chat over federation`,
      command: `On ${w.at}: Cisco Unified CM IM and Presence Administration > System > Security Settings: check "${WILDCARD_SETTING}", Save`,
      reason: WILDCARD_REASON,
      fingerprints: ctx.fingerprintsOf([g]),
    });
    for (const e of ends) ctx.graph.depend(id, e);
  }
}

/**
 * The declared Certificate Expiry Monitor and revocation settings, on CUCM and on IM&P: no API the
 * drivers use sets them, so a person does, with the values stated. After the change is verified.
 */
export function addCertificateSettings(ctx: PlanContext, after: readonly string[]): void {
  const { certificateMonitor: monitor, revocation } = ctx.cluster;
  if (!monitor && !revocation) return;
  const targets = [
    { platform: 'cucm' as const, admin: 'Cisco Unified OS Administration', node: publisherOf(ctx.cluster, 'cucm') },
    { platform: 'imp' as const, admin: 'Cisco Unified IM and Presence OS Administration', node: publisherOf(ctx.cluster, 'imp') },
  ].filter((t) => t.node && ctx.cluster.nodes.some((n) => (t.platform === 'imp') === isImpRole(n.role)));
  const add = (id: string, node: string, description: string, command: string, reason: string) => {
    const step = ctx.add({ id, kind: 'manual', node, purpose: 'cluster', description, command, reason, fingerprints: [] });
    if (after.length === 0) ctx.afterPreflight(step);
    for (const a of after) ctx.graph.depend(step, a);
  };
  for (const t of targets) {
    const node = t.node!.fqdn;
    if (monitor) {
      add(
        `manual/certificate-monitor/${t.platform}`,
        node,
        `Set the Certificate Expiry Monitor (${t.platform === 'imp' ? 'IM and Presence' : 'CUCM'}): notify ${monitor.notificationStartDays} days before expiry, every ${monitor.notificationFrequencyHours} h`,
        monitorCommand(t.admin, monitor),
        'seed 002 (certificate monitoring task flow): the system checks certificate status and notifies before expiry; the Cisco Certificate Expiry Monitor network service must run',
      );
    }
    if (revocation) {
      add(
        `manual/certificate-revocation/${t.platform}`,
        node,
        `Set OCSP revocation checking (${t.platform === 'imp' ? 'IM and Presence' : 'CUCM'}): ${revocation.ocspResponder ? `responder ${revocation.ocspResponder}` : 'the OCSP URI from the certificate'}, every ${revocation.checkIntervalHours} h`,
        revocationCommand(t.admin, revocation, t.platform === 'cucm'),
        `seed 002 (certificate revocation through OCSP): OCSP checks certificate status periodically${t.platform === 'cucm' && revocation.validityCheck ? '; long-lived CTI, IPsec and LDAP links need the enterprise parameters Certificate Validity Check and Validity Check Frequency' : ''}`,
      );
    }
  }
}

function monitorCommand(admin: string, m: CertificateMonitorDecl): string {
  return [
    `${admin} > Security > Certificate Monitor: Notification Start Time ${m.notificationStartDays} (days before expiry)`,
    `Notification Frequency ${m.notificationFrequencyHours} hours`,
    `Enable E-mail notification ${m.emailNotification ? 'checked' : 'unchecked'}`,
    `E-mail IDs ${m.emailIds.length > 0 ? m.emailIds.join(';') : '(none)'}`,
    `Enable LSC Monitoring ${m.lscMonitoring ? 'checked' : 'unchecked'}`,
    'Save; Serviceability > Tools > Control Center - Network Services: Cisco Certificate Expiry Monitor is Running',
  ].join('; ');
}

function revocationCommand(admin: string, r: RevocationDecl, cucm: boolean): string {
  const parts = [
    `${admin} > Security > Certificate Revocation: Enable OCSP checked`,
    r.ocspResponder ? `Use configured OCSP URI, OCSP Configured URI ${r.ocspResponder}` : 'Use OCSP URI from Certificate',
    'Enable Revocation Check checked',
    `Check Every ${r.checkIntervalHours} hours`,
    'Save',
  ];
  if (cucm && r.validityCheck) {
    parts.push(
      `Cisco Unified CM Administration > System > Enterprise Parameters > Certificate Revocation and Expiry: Certificate Validity Check True${r.validityCheckFrequencyHours !== undefined ? `, Validity Check Frequency ${r.validityCheckFrequencyHours} hours` : ''}, Save (the Check Every interval above takes precedence)`,
    );
  }
  return parts.join('; ');
}
