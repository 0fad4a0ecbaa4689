/**
 * Issue 11, points 2, 6 and 10: the manual steps the seeds ask for, where and when they ask.
 *
 * seed 000/001: "CUCMのCA署名付きSAN証明書の前に、次のことを確認します。IP PhoneはTrust Verification
 * Service(TVS)を信頼できます" / "Avant de signer le certificat SAN pour CUCM, assurez-vous que le
 * téléphone IP peut faire confiance au service de vérification de la confiance (TVS)".
 * seed 002: "[XMPP フェデレーション セキュリティ証明書でのワイルドカードの有効化 (Enable Wildcards in XMPP
 * Federation Security Certificates)] をオンにします … このセキュリティ設定は、すべての IM and Presence
 * サービスクラスタで有効にし" (on in every IM and Presence cluster).
 * seed 002, certificate monitoring task flow: Certificate Monitor (notification start time,
 * frequency, e-mail, LSC monitoring) and OCSP (responder, check interval, the enterprise parameters
 * Certificate Validity Check and Validity Check Frequency).
 */
import { describe, expect, it } from 'vitest';
import { renderReview } from '../../lib/platforms';
import { ClusterDecl } from '../../lib/model';
import { buildCluster } from '../../lib/inventory/cluster-input';
import { IMP, PUB, plan, planOf, reaches, scenario, step, stepsOf } from './helpers';

describe('seed 000: the phones trust TVS before the CA-signed CallManager certificate', () => {
  it('GIVEN a CallManager certificate WHEN planned THEN the identity upload waits for the TVS confirmation, which comes before the window (it changes nothing)', () => {
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    const tvs = step(p, 'CallManager/manual/phones-trust-tvs', 'manual');
    expect(reaches(p, 'CallManager/identity/cs-ccm-pub', tvs.id)).toBe(true);
    expect(reaches(p, tvs.id, 'CallManager/identity/cs-ccm-pub')).toBe(false);
    // A check that phones trust TVS (ITL) touches nothing: after the preflights, and the window's confirmation waits for it
    expect(tvs.dependsOn.every((d) => d.startsWith('preflight/'))).toBe(true);
    expect(reaches(p, 'manual/maintenance-window', tvs.id)).toBe(true);
    expect(p.schedule!.steps[tvs.id].end).toBeLessThanOrEqual(p.schedule!.phases.beforeWindow);
    expect(tvs.reason).toMatch(/^seed 000/);
  });

  it('GIVEN a CallManager-ECDSA certificate too WHEN planned THEN both uploads wait for the one confirmation', () => {
    const p = plan({ certs: [{ purpose: 'CallManager' }, { purpose: 'CallManager-ECDSA' }] });
    for (const id of ['CallManager/identity/cs-ccm-pub', 'CallManager-ECDSA/identity/cs-ccm-pub']) {
      expect(reaches(p, id, 'CallManager/manual/phones-trust-tvs'), id).toBe(true);
    }
  });
});

describe('seed 002: wildcards in XMPP federation certificates', () => {
  const peers = ['imp-pub.other.example.com'];

  it('GIVEN cup-xmpp-s2s with *.example.com WHEN planned THEN a manual step turns the setting on in this cluster and in each peer, after the federation restarts', () => {
    const p = plan({ interclusterPeers: peers, certs: [{ purpose: 'cup-xmpp-s2s', sans: [IMP, 'cs-imp-sub.example.com', '*.example.com'] }] });
    const mine = step(p, 'cup-xmpp-s2s/manual/xmpp-wildcards', 'manual');
    const peer = step(p, `cup-xmpp-s2s/manual/xmpp-wildcards/${peers[0]}`, 'manual');
    for (const s of [mine, peer]) {
      expect(s.command).toContain('Enable Wildcards in XMPP Federation Security Certificates');
      expect(s.reason).toMatch(/^seed 002/);
      expect(reaches(p, s.id, 'cup-xmpp-s2s/restart/cs-imp/cisco-xcp-xmpp-federation-connection-manager')).toBe(true);
    }
    expect(peer.command).toContain(`On ${peers[0]}:`);
    expect(renderReview(p)).toContain('cup-xmpp-s2s/manual/xmpp-wildcards');
  });

  it('GIVEN cup-xmpp-s2s without wildcards WHEN planned THEN no such step', () => {
    const p = plan({ interclusterPeers: peers, certs: [{ purpose: 'cup-xmpp-s2s' }] });
    expect(p.steps.filter((s) => s.id.includes('xmpp-wildcards'))).toEqual([]);
  });
});

describe('seed 002: certificate monitoring and revocation, as declared, with their values', () => {
  const settings: Partial<ClusterDecl> = {
    certificateMonitor: { notificationStartDays: 45, notificationFrequencyHours: 12, emailNotification: true, emailIds: ['pki@example.com', 'noc@example.com'], lscMonitoring: true },
    revocation: { ocspResponder: 'http://ocsp.example.com', checkIntervalHours: 6, validityCheck: true, validityCheckFrequencyHours: 12 },
  };

  function withSettings(extra: Partial<ClusterDecl> = settings) {
    const s = scenario({ certs: [{ purpose: 'tomcat' }] });
    const [c, ...rest] = s.decls.clusters;
    return planOf({ ...s, decls: { ...s.decls, clusters: [{ ...c, ...extra }, ...rest] } });
  }

  it('GIVEN the Certificate Expiry Monitor declared WHEN planned THEN a manual step on CUCM and on IM&P states every value', () => {
    const p = withSettings();
    const cucm = step(p, 'manual/certificate-monitor/cucm', 'manual');
    const imp = step(p, 'manual/certificate-monitor/imp', 'manual');
    expect(cucm.node).toBe(PUB);
    expect(imp.node).toBe(IMP);
    expect(cucm.command).toContain('Cisco Unified OS Administration > Security > Certificate Monitor');
    expect(imp.command).toContain('Cisco Unified IM and Presence OS Administration > Security > Certificate Monitor');
    for (const text of ['Notification Start Time 45', 'Notification Frequency 12 hours', 'Enable E-mail notification checked', 'E-mail IDs pki@example.com;noc@example.com', 'Enable LSC Monitoring checked', 'Cisco Certificate Expiry Monitor is Running']) {
      expect(cucm.command).toContain(text);
    }
    expect(cucm.reason).toMatch(/^seed 002/);
  });

  it('GIVEN OCSP declared WHEN planned THEN a manual step states the responder, the interval and, on CUCM, the enterprise parameters', () => {
    const p = withSettings();
    const cucm = step(p, 'manual/certificate-revocation/cucm', 'manual');
    const imp = step(p, 'manual/certificate-revocation/imp', 'manual');
    for (const s of [cucm, imp]) {
      expect(s.command).toContain('Enable OCSP checked');
      expect(s.command).toContain('OCSP Configured URI http://ocsp.example.com');
      expect(s.command).toContain('Check Every 6 hours');
      expect(s.reason).toMatch(/^seed 002/);
    }
    expect(cucm.command).toContain('Certificate Validity Check True, Validity Check Frequency 12 hours');
    expect(imp.command).not.toContain('Enterprise Parameters');
    // After the change is verified
    for (const v of stepsOf(p, 'verify')) expect(reaches(p, cucm.id, v.id)).toBe(true);
  });

  it('GIVEN no responder WHEN planned THEN it says to use the OCSP URI from the certificate; a changed value re-runs the step', () => {
    const p = withSettings({ revocation: { checkIntervalHours: 24, validityCheck: false } });
    expect(step(p, 'manual/certificate-revocation/cucm', 'manual').command).toContain('Use OCSP URI from Certificate');
    const other = withSettings({ revocation: { checkIntervalHours: 12, validityCheck: false } });
    expect(step(other, 'manual/certificate-revocation/cucm', 'manual').trigger).not.toBe(step(p, 'manual/certificate-revocation/cucm', 'manual').trigger);
  });

  it('GIVEN nothing declared WHEN planned THEN no such step', () => {
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    expect(p.steps.filter((s) => /certificate-(monitor|revocation)/.test(s.id))).toEqual([]);
  });

  it('GIVEN the settings in an inventory cluster WHEN normalized THEN defaults apply and wrong values are refused, named by their path', () => {
    const base = { name: 'dc1', publisher: PUB };
    const d = buildCluster({ ...base, certificateMonitor: { notificationStartDays: 30, emailIds: ['pki@example.com'] }, revocation: {} }, 'clusters[0]');
    expect(d.certificateMonitor).toEqual({ notificationStartDays: 30, notificationFrequencyHours: 24, emailNotification: true, emailIds: ['pki@example.com'], lscMonitoring: false });
    expect(d.revocation).toEqual({ checkIntervalHours: 24, validityCheck: false });
    expect(() => buildCluster({ ...base, certificateMonitor: { notificationStartDays: 0, emailIds: ['not-an-address'] } } as never, 'clusters[0]')).toThrow(
      /clusters\[0\]\.certificateMonitor\.notificationStartDays must be a whole number[\s\S]*clusters\[0\]\.certificateMonitor\.emailIds\[0\] must be an e-mail address/,
    );
    expect(() => buildCluster({ ...base, revocation: { ocspResponder: 'ocsp.example.com', validityCheckFrequencyHours: 4 } } as never, 'clusters[0]')).toThrow(
      /revocation\.ocspResponder must be the responder's http:\/\/ or https:\/\/ URI[\s\S]*validityCheckFrequencyHours is set but validityCheck is not true/,
    );
  });
});
