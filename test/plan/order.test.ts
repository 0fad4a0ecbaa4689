/**
 * The order rules of DOMAIN.md §3 and §5, each as its own test on the step graph.
 * `reaches(plan, a, b)`: b is a transitive dependency of a (a runs after b).
 */
import { describe, expect, it } from 'vitest';
import {
  IMP,
  IMP_SUB,
  PUB,
  SUB,
  SUB2,
  SVC,
  cluster,
  has,
  node,
  plan,
  planOf,
  reaches,
  restartStep,
  scenario,
  step,
  steps,
  stepsOf,
} from './helpers';

const ROLLOUT_ORDER = [PUB, SUB, SUB2, IMP, IMP_SUB];
const label = (fqdn: string) => fqdn.split('.')[0];

describe('CA chain: root before intermediates before the leaf', () => {
  it('uploads the root, then each intermediate in order, then the leaf', () => {
    // GIVEN a tomcat certificate from a CA with two intermediates
    const p = plan({ certs: [{ purpose: 'tomcat' }], intermediates: 2 });
    // WHEN the cluster is planned
    const root = 'trust/tomcat-trust/corp-root';
    const int1 = 'trust/tomcat-trust/corp-intermediate-1';
    const int2 = 'trust/tomcat-trust/corp-intermediate-2';
    // THEN intermediate 1 waits for the root, intermediate 2 for intermediate 1, the leaf for intermediate 2
    expect(reaches(p, int1, root)).toBe(true);
    expect(reaches(p, int2, int1)).toBe(true);
    expect(reaches(p, 'tomcat/identity/cs-ccm-pub', int2)).toBe(true);
    // AND never the other way round
    expect(reaches(p, root, int1)).toBe(false);
    expect(reaches(p, int1, int2)).toBe(false);
  });

  it('gives the identity upload its chain issuing CA first, root last', () => {
    // GIVEN a CA with two intermediates
    const p = plan({ certs: [{ purpose: 'tomcat' }], intermediates: 2 });
    // WHEN the identity upload is planned
    const id = step(p, 'tomcat/identity/cs-ccm-pub', 'upload-identity');
    // THEN its chain (after the leaf, as the REST API wants it) is intermediate 2, intermediate 1, root (DOMAIN.md §6)
    expect(id.chain.map((c) => c.subject)).toEqual([
      'CN=Corp Intermediate CA 2, O=Example',
      'CN=Corp Intermediate CA 1, O=Example',
      'CN=Corp Root CA, O=Example',
    ]);
  });

  it('uploads the chain into the purpose trust store (<purpose>-trust; cup-xmpp-s2s into cup-xmpp-trust)', () => {
    // GIVEN CallManager, cup-xmpp and cup-xmpp-s2s certificates
    const p = plan({ certs: [{ purpose: 'CallManager' }, { purpose: 'cup-xmpp' }, { purpose: 'cup-xmpp-s2s' }] });
    // WHEN planned
    const stores = [...new Set(stepsOf(p, 'upload-trust').map((s) => s.store))].sort();
    // THEN only CallManager-trust and cup-xmpp-trust receive the CA (s2s shares cup-xmpp-trust, one upload per store and CA)
    expect(stores).toEqual(['CallManager-trust', 'cup-xmpp-trust']);
    expect(stepsOf(p, 'upload-trust', (s) => s.store === 'cup-xmpp-trust')).toHaveLength(2);
  });

  it('uploads IM&P-only trust on the IM&P database publisher and CUCM trust on the CUCM publisher', () => {
    // GIVEN a CallManager and a cup-xmpp certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }, { purpose: 'cup-xmpp' }] });
    // WHEN planned
    // THEN cup-xmpp-trust goes to the IM&P database publisher, CallManager-trust to the publisher (DOMAIN.md §3 install 1)
    expect(step(p, 'trust/cup-xmpp-trust/corp-root').node).toBe(IMP);
    expect(step(p, 'trust/CallManager-trust/corp-root').node).toBe(PUB);
  });
});

describe('trust before identity', () => {
  it.each([
    ['tomcat', 'tomcat/identity/cs-ccm-pub', 'tomcat-trust'],
    ['CallManager', 'CallManager/identity/cs-ccm-pub', 'CallManager-trust'],
    ['cup-xmpp', 'cup-xmpp/identity/cs-imp', 'cup-xmpp-trust'],
  ])('%s: the identity upload waits for every CA certificate in its trust store', (purpose, identity, store) => {
    // GIVEN one multi-server certificate of the purpose, CA with two intermediates
    const p = plan({ certs: [{ purpose }], intermediates: 2 });
    // WHEN planned
    // THEN the leaf upload comes after the root and both intermediates (else HTTP 400, DOMAIN.md §5)
    for (const t of ['corp-root', 'corp-intermediate-1', 'corp-intermediate-2']) {
      expect(reaches(p, identity, `trust/${store}/${t}`)).toBe(true);
    }
  });

  it('single-server: each node upload waits for the trust store', () => {
    // GIVEN cup certificates on both IM&P nodes
    const p = plan({ certs: [{ purpose: 'cup', distribution: 'single-server', node: IMP }, { purpose: 'cup', distribution: 'single-server', node: IMP_SUB }] });
    // WHEN planned
    // THEN each node's upload comes after the CA chain in cup-trust
    expect(reaches(p, 'cup/identity/cs-imp', 'trust/cup-trust/corp-intermediate-1')).toBe(true);
    expect(reaches(p, 'cup/identity/cs-imp-sub', 'trust/cup-trust/corp-intermediate-1')).toBe(true);
    expect(step(p, 'cup/identity/cs-imp-sub').node).toBe(IMP_SUB);
  });
});

describe('identity before restarts', () => {
  it('tomcat: every restart comes after the multi-server upload', () => {
    // GIVEN a multi-server tomcat certificate
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const restarts = steps(p, (s) => s.kind === 'restart-service' && s.id.startsWith('tomcat/'));
    // THEN there are restarts and each waits for the upload
    expect(restarts.length).toBeGreaterThan(0);
    for (const r of restarts) expect(reaches(p, r.id, 'tomcat/identity/cs-ccm-pub'), r.id).toBe(true);
  });

  it('CallManager: every restart comes after the multi-server upload', () => {
    // GIVEN a multi-server CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    const restarts = steps(p, (s) => s.kind === 'restart-service' && s.id.startsWith('CallManager/'));
    // THEN each restart waits for the upload
    expect(restarts.length).toBeGreaterThan(0);
    for (const r of restarts) expect(reaches(p, r.id, 'CallManager/identity/cs-ccm-pub'), r.id).toBe(true);
  });

  it('single-server: the restarts on a node come after that node upload', () => {
    // GIVEN a cup certificate for the IM&P subscriber
    const p = plan({ certs: [{ purpose: 'cup', distribution: 'single-server', node: IMP_SUB }] });
    // WHEN planned
    // THEN SIP Proxy and Presence Engine restart on it after its upload
    expect(reaches(p, restartStep(p, 'cup', IMP_SUB, SVC.SIP_PROXY).id, 'cup/identity/cs-imp-sub')).toBe(true);
    expect(reaches(p, restartStep(p, 'cup', IMP_SUB, SVC.PRESENCE_ENGINE).id, 'cup/identity/cs-imp-sub')).toBe(true);
  });
});

describe('publisher before subscribers', () => {
  it('tomcat: Cisco Tomcat restarts on the publisher first, then on one node at a time', () => {
    // GIVEN a multi-server tomcat certificate on a 1+2 CUCM, 1+1 IM&P cluster
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const tomcat = (n: string) => restartStep(p, 'tomcat', n, SVC.TOMCAT).id;
    // THEN every other node's Tomcat restart waits for the publisher's, the IM&P subscriber's for the IM&P database publisher's
    for (const n of ROLLOUT_ORDER.slice(1)) expect(reaches(p, tomcat(n), tomcat(PUB)), `${n} after the publisher`).toBe(true);
    expect(reaches(p, tomcat(IMP_SUB), tomcat(IMP))).toBe(true);
    // AND no two run at once: each pair is ordered one way or the other (DOMAIN.md §5: one at a time); the scheduler
    // picks the order of the subscribers (it was the rollout order, which the rule does not require)
    for (const a of ROLLOUT_ORDER) {
      for (const b of ROLLOUT_ORDER) {
        if (a < b) expect(reaches(p, tomcat(a), tomcat(b)) || reaches(p, tomcat(b), tomcat(a)), `${label(a)} and ${label(b)} ordered`).toBe(true);
      }
    }
  });

  it('tomcat: a subscriber starts only after every tomcat restart of the publisher', () => {
    // GIVEN a multi-server tomcat certificate
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const firstOnSub = restartStep(p, 'tomcat', SUB, SVC.TOMCAT).id;
    // THEN it comes after Tomcat, UDS Tomcat, AXL Tomcat, DRF Master and DRF Local on the publisher
    for (const svc of [SVC.TOMCAT, SVC.UDS_TOMCAT, SVC.AXL_TOMCAT, SVC.DRF_MASTER, SVC.DRF_LOCAL]) {
      expect(reaches(p, firstOnSub, restartStep(p, 'tomcat', PUB, svc).id), svc).toBe(true);
    }
  });

  it('CallManager: the subscribers restart after the publisher', () => {
    // GIVEN a multi-server CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN every subscriber restart comes after each publisher restart
    for (const sub of [SUB, SUB2]) {
      for (const svc of [SVC.TVS, SVC.TFTP, SVC.CALLMANAGER, SVC.CTIMANAGER]) {
        const onSub = restartStep(p, 'CallManager', sub, svc).id;
        for (const pubSvc of [SVC.TVS, SVC.TFTP, SVC.CALLMANAGER, SVC.CTIMANAGER]) {
          expect(reaches(p, onSub, restartStep(p, 'CallManager', PUB, pubSvc).id), `${onSub} after ${pubSvc} on pub`).toBe(true);
        }
      }
    }
  });

  it('cup-xmpp: the IM&P subscriber restarts after the IM&P database publisher', () => {
    // GIVEN a multi-server cup-xmpp certificate
    const p = plan({ certs: [{ purpose: 'cup-xmpp' }] });
    // WHEN planned
    // THEN XCP Router restarts on the IM&P database publisher first
    expect(reaches(p, restartStep(p, 'cup-xmpp', IMP_SUB, SVC.XCP_ROUTER).id, restartStep(p, 'cup-xmpp', IMP, SVC.XCP_ROUTER).id)).toBe(true);
  });
});

describe('restart order on a node (DOMAIN.md §5 "restart, in this order")', () => {
  it('tomcat: Cisco Tomcat, UDS Tomcat, AXL Tomcat, DRF Master, DRF Local on the publisher', () => {
    // GIVEN a multi-server tomcat certificate
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const order = [SVC.TOMCAT, SVC.UDS_TOMCAT, SVC.AXL_TOMCAT, SVC.DRF_MASTER, SVC.DRF_LOCAL].map((s) => restartStep(p, 'tomcat', PUB, s).id);
    // THEN each waits for the one before
    for (let i = 1; i < order.length; i++) expect(reaches(p, order[i], order[i - 1]), order[i]).toBe(true);
  });

  it('CallManager: TVS, TFTP, CallManager, CTIManager on every CUCM node', () => {
    // GIVEN a multi-server CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    for (const n of [PUB, SUB, SUB2]) {
      const order = [SVC.TVS, SVC.TFTP, SVC.CALLMANAGER, SVC.CTIMANAGER].map((s) => restartStep(p, 'CallManager', n, s).id);
      // THEN each waits for the one before
      for (let i = 1; i < order.length; i++) expect(reaches(p, order[i], order[i - 1]), order[i]).toBe(true);
    }
  });

  it('TVS: TFTP, then TVS', () => {
    // GIVEN a multi-server TVS certificate
    const p = plan({ certs: [{ purpose: 'TVS' }] });
    // WHEN planned
    // THEN on each CUCM node TVS restarts after TFTP
    for (const n of [PUB, SUB, SUB2]) {
      expect(reaches(p, restartStep(p, 'TVS', n, SVC.TVS).id, restartStep(p, 'TVS', n, SVC.TFTP).id), label(n)).toBe(true);
    }
  });

  it('CAPF: TVS, TFTP, then CAPF on the publisher', () => {
    // GIVEN the publisher CAPF certificate
    const p = plan({ certs: [{ purpose: 'CAPF', distribution: 'single-server', node: PUB }] });
    // WHEN planned
    const order = [SVC.TVS, SVC.TFTP, SVC.CAPF].map((s) => restartStep(p, 'CAPF', PUB, s).id);
    // THEN in that order
    for (let i = 1; i < order.length; i++) expect(reaches(p, order[i], order[i - 1]), order[i]).toBe(true);
  });
});

describe('Intercluster Sync Agent', () => {
  it('restarts ISA on the IM&P database publisher after the IM&P trust uploads and before the identity upload', () => {
    // GIVEN a tomcat certificate (tomcat-trust reaches the IM&P nodes) and a cup-xmpp certificate
    const p = plan({ certs: [{ purpose: 'tomcat' }, { purpose: 'cup-xmpp' }] });
    // WHEN planned
    const isa = step(p, 'isa/restart/cs-imp', 'restart-service');
    // THEN ISA restarts on the IM&P database publisher (DOMAIN.md §3 install 2)
    expect(isa.node).toBe(IMP);
    expect(isa.service).toBe(SVC.ISA);
    expect(isa.command).toBe('utils service restart Cisco Intercluster Sync Agent');
    // AND after every trust upload that reaches IM&P
    for (const t of steps(p, (s) => s.kind === 'upload-trust')) expect(reaches(p, isa.id, t.id), t.id).toBe(true);
    // AND before the identity uploads of the purposes whose trust it syncs
    expect(reaches(p, 'tomcat/identity/cs-ccm-pub', isa.id)).toBe(true);
    expect(reaches(p, 'cup-xmpp/identity/cs-imp', isa.id)).toBe(true);
  });

  it('has no ISA restart for a cluster without IM&P', () => {
    // GIVEN a tomcat certificate on a CUCM-only cluster
    const p = plan({ imp: false, certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    // THEN no ISA step
    expect(stepsOf(p, 'restart-service', (s) => s.service === SVC.ISA)).toEqual([]);
  });

  it('has no ISA restart when only CUCM trust stores change (CallManager-trust)', () => {
    // GIVEN a CallManager-only change on a cluster with IM&P
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN no ISA step: nothing reached the IM&P trust stores
    expect(stepsOf(p, 'restart-service', (s) => s.service === SVC.ISA)).toEqual([]);
  });

  it('checks the sync on every intercluster peer before the identity upload', () => {
    // GIVEN two intercluster peers
    const peers = ['imp-b.example.net', 'imp-a.example.net'];
    const p = plan({ interclusterPeers: peers, certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    for (const peer of peers) {
      const m = step(p, `manual/intercluster-sync/${peer}`);
      // THEN a manual check per peer after the ISA restart, before the tomcat upload
      expect(m.kind).toBe('manual');
      expect(reaches(p, m.id, 'isa/restart/cs-imp')).toBe(true);
      expect(reaches(p, 'tomcat/identity/cs-ccm-pub', m.id)).toBe(true);
    }
  });

  it('asks to resync the peers tomcat certificates after the IM&P Tomcat restarts (DOMAIN.md §3 install 4)', () => {
    // GIVEN a tomcat change on a cluster with an intercluster peer
    const p = plan({ interclusterPeers: ['imp-peer.example.net'], certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const resync = steps(p, (s) => s.kind === 'manual' && /resync/i.test(`${s.description} ${s.command}`) && /tomcat/i.test(`${s.description} ${s.command}`));
    // THEN a manual "Also resync peer's Tomcat certificates" check follows the IM&P Tomcat restarts
    expect(resync.length, 'no manual step asks to resync the peers\' Tomcat certificates').toBeGreaterThan(0);
    for (const r of resync) {
      expect(reaches(p, r.id, restartStep(p, 'tomcat', IMP, SVC.TOMCAT).id)).toBe(true);
      expect(reaches(p, r.id, restartStep(p, 'tomcat', IMP_SUB, SVC.TOMCAT).id)).toBe(true);
    }
  });
});

describe('SSO around tomcat', () => {
  const ssoPlan = () => plan({ sso: true, certs: [{ purpose: 'tomcat' }, { purpose: 'tomcat-ECDSA' }] });
  const tomcatRestarts = (p: ReturnType<typeof plan>) => steps(p, (s) => s.kind === 'restart-service' && /^tomcat(-ECDSA)?\//.test(s.id));
  const tomcatVerifies = (p: ReturnType<typeof plan>) => steps(p, (s) => s.kind === 'verify' && /^tomcat(-ECDSA)?$/.test(s.purpose));

  it('disables SSO before the tomcat uploads and every tomcat restart', () => {
    // GIVEN SSO on and tomcat + tomcat-ECDSA certificates
    const p = ssoPlan();
    // WHEN planned
    const off = step(p, 'manual/sso-disable');
    // THEN a manual step disables SSO before both uploads and every tomcat restart (DOMAIN.md §3 preflight 2)
    expect(off.kind).toBe('manual');
    expect(reaches(p, 'tomcat/identity/cs-ccm-pub', off.id)).toBe(true);
    expect(reaches(p, 'tomcat-ECDSA/identity/cs-ccm-pub', off.id)).toBe(true);
    expect(tomcatRestarts(p).length).toBeGreaterThan(0);
    for (const s of tomcatRestarts(p)) expect(reaches(p, s.id, off.id), s.id).toBe(true);
  });

  it('re-enables SSO after every tomcat verify', () => {
    // GIVEN SSO on and tomcat + tomcat-ECDSA certificates
    const p = ssoPlan();
    // WHEN planned
    const on = step(p, 'manual/sso-enable');
    // THEN SSO comes back after each node presents the new tomcat and tomcat-ECDSA certificates
    expect(on.kind).toBe('manual');
    expect(tomcatVerifies(p).length).toBe(10);
    for (const v of tomcatVerifies(p)) expect(reaches(p, on.id, v.id), v.id).toBe(true);
  });

  it('re-enables SSO only after the whole tomcat rollout: every tomcat restart on every node', () => {
    // GIVEN SSO on and tomcat + tomcat-ECDSA certificates
    const p = ssoPlan();
    // WHEN planned
    // THEN no tomcat restart (Tomcat, UDS/AXL Tomcat, DRF) can still be running when SSO is re-enabled (DOMAIN.md §3 preflight 2)
    const notBefore = tomcatRestarts(p).filter((s) => !reaches(p, 'manual/sso-enable', s.id)).map((s) => s.id);
    expect(notBefore).toEqual([]);
  });

  it('has no SSO steps when SSO is off', () => {
    // GIVEN SSO off
    const p = plan({ sso: false, certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    // THEN no SSO step
    expect(has(p, 'manual/sso-disable')).toBe(false);
    expect(has(p, 'manual/sso-enable')).toBe(false);
  });

  it('has no SSO steps when the change has no tomcat certificate', () => {
    // GIVEN SSO on, CallManager only
    const p = plan({ sso: true, certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN SSO is left alone
    expect(steps(p, (s) => s.id.startsWith('manual/sso-'))).toEqual([]);
  });
});

describe('CTL update in mixed mode', () => {
  it('puts the CTL update before every CallManager restart in mixed mode', () => {
    // GIVEN a mixed-mode cluster and a CallManager certificate
    const p = plan({ securityMode: 'mixed', certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    const ctl = step(p, 'CallManager/manual/ctl-update');
    // THEN a manual CTL step precedes every CallManager restart
    expect(ctl.kind).toBe('manual');
    const restarts = steps(p, (s) => s.kind === 'restart-service' && s.id.startsWith('CallManager/'));
    expect(restarts.length).toBeGreaterThan(0);
    for (const r of restarts) expect(reaches(p, r.id, ctl.id), r.id).toBe(true);
  });

  it('has no CTL step in non-secure mode', () => {
    // GIVEN a non-secure cluster and a CallManager certificate
    const p = plan({ securityMode: 'non-secure', certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN no CTL step
    expect(steps(p, (s) => s.id.includes('ctl-update'))).toEqual([]);
  });

  it('puts the CTL update before the CAPF restarts in mixed mode', () => {
    // GIVEN a mixed-mode cluster and the CAPF certificate
    const p = plan({ securityMode: 'mixed', certs: [{ purpose: 'CAPF', distribution: 'single-server', node: PUB }] });
    // WHEN planned
    // THEN the CAPF restarts wait for the CTL update (DOMAIN.md §5)
    const ctl = step(p, 'CAPF/manual/ctl-update');
    for (const r of steps(p, (s) => s.kind === 'restart-service' && s.id.startsWith('CAPF/'))) expect(reaches(p, r.id, ctl.id), r.id).toBe(true);
  });
});

describe('maintenance window and phones', () => {
  it('opens the maintenance window before the CallManager upload and restarts', () => {
    // GIVEN a CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN the upload and every restart wait for the window (DOMAIN.md §3 preflight 3)
    expect(reaches(p, 'CallManager/identity/cs-ccm-pub', 'manual/maintenance-window')).toBe(true);
    for (const r of steps(p, (s) => s.kind === 'restart-service')) expect(reaches(p, r.id, 'manual/maintenance-window'), r.id).toBe(true);
  });

  it('has no maintenance window for a tomcat-only change', () => {
    // GIVEN a tomcat change
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    // THEN no maintenance window step
    expect(has(p, 'manual/maintenance-window')).toBe(false);
  });

  it('confirms the phones trust TVS before the CallManager restarts', () => {
    // GIVEN a CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    const tvs = steps(p, (s) => s.kind === 'manual' && /trust/i.test(s.description) && /TVS/.test(s.description));
    // THEN one manual check precedes every CallManager restart (DOMAIN.md §2: phones must trust TVS first)
    expect(tvs).toHaveLength(1);
    for (const r of steps(p, (s) => s.kind === 'restart-service')) expect(reaches(p, r.id, tvs[0].id), r.id).toBe(true);
  });

  it('asks to reset the phones after the CallManager verifies, and for a DRF backup after the tomcat verifies', () => {
    // GIVEN tomcat and CallManager certificates
    const p = plan({ certs: [{ purpose: 'tomcat' }, { purpose: 'CallManager' }] });
    // WHEN planned
    const reset = steps(p, (s) => s.kind === 'manual' && s.id.startsWith('CallManager/') && /reset/i.test(s.description));
    const backup = steps(p, (s) => s.kind === 'manual' && s.id.startsWith('tomcat/') && /DRF backup/i.test(s.description));
    // THEN they come after every verify of their purpose (DOMAIN.md §5 "then")
    expect(reset).toHaveLength(1);
    expect(backup).toHaveLength(1);
    for (const v of steps(p, (s) => s.kind === 'verify' && s.purpose === 'CallManager')) expect(reaches(p, reset[0].id, v.id), v.id).toBe(true);
    for (const v of steps(p, (s) => s.kind === 'verify' && s.purpose === 'tomcat')) expect(reaches(p, backup[0].id, v.id), v.id).toBe(true);
  });
});

describe('verify after the restart of the service that serves the port', () => {
  it('tomcat: https (8443) on every node after Cisco Tomcat restarted there', () => {
    // GIVEN a multi-server tomcat certificate
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    for (const n of ROLLOUT_ORDER) {
      const v = step(p, `tomcat/verify/${label(n)}/https`, 'verify');
      // THEN the verify connects to 8443 and runs after that node's Tomcat restart
      expect(v.port).toMatchObject({ port: 8443, handshake: 'tls', keyType: 'RSA' });
      expect(reaches(p, v.id, restartStep(p, 'tomcat', n, SVC.TOMCAT).id), v.id).toBe(true);
    }
  });

  it('tomcat-ECDSA: verifies 8443 with an EC key after Cisco Tomcat restarted', () => {
    // GIVEN tomcat and tomcat-ECDSA certificates
    const p = plan({ certs: [{ purpose: 'tomcat' }, { purpose: 'tomcat-ECDSA' }] });
    // WHEN planned
    const v = step(p, 'tomcat-ECDSA/verify/cs-ccm-sub/https', 'verify');
    // THEN it negotiates the EC certificate and waits for the Tomcat restart on that node
    expect(v.port).toMatchObject({ port: 8443, keyType: 'EC' });
    expect(reaches(p, v.id, restartStep(p, 'tomcat', SUB, SVC.TOMCAT).id)).toBe(true);
  });

  it('CallManager: SIP TLS 5061 after Cisco CallManager, CTI TLS 2749 after Cisco CTIManager', () => {
    // GIVEN a multi-server CallManager certificate
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    for (const n of [PUB, SUB, SUB2]) {
      const sip = step(p, `CallManager/verify/${label(n)}/sip-tls`, 'verify');
      const cti = step(p, `CallManager/verify/${label(n)}/cti-tls`, 'verify');
      // THEN each port is verified after its own service restarted on that node
      expect(sip.port?.port).toBe(5061);
      expect(cti.port?.port).toBe(2749);
      expect(reaches(p, sip.id, restartStep(p, 'CallManager', n, SVC.CALLMANAGER).id)).toBe(true);
      expect(reaches(p, cti.id, restartStep(p, 'CallManager', n, SVC.CTIMANAGER).id)).toBe(true);
    }
  });

  it('cup-xmpp: 5222 after XCP Router; cup-xmpp-s2s: 5269 after the federation connection manager', () => {
    // GIVEN cup-xmpp and cup-xmpp-s2s certificates
    const p = plan({ certs: [{ purpose: 'cup-xmpp' }, { purpose: 'cup-xmpp-s2s' }] });
    // WHEN planned
    for (const n of [IMP, IMP_SUB]) {
      const v = step(p, `cup-xmpp/verify/${label(n)}/xmpp-client`, 'verify');
      // THEN the XMPP client port is checked after the router restart
      expect(v.port).toMatchObject({ port: 5222, handshake: 'xmpp-starttls' });
      expect(reaches(p, v.id, restartStep(p, 'cup-xmpp', n, SVC.XCP_ROUTER).id)).toBe(true);
    }
    // AND the federation port only on the federation node, after its restart
    const s2s = step(p, 'cup-xmpp-s2s/verify/cs-imp/xmpp-server', 'verify');
    expect(s2s.port?.port).toBe(5269);
    expect(reaches(p, s2s.id, restartStep(p, 'cup-xmpp-s2s', IMP, SVC.XCP_FEDERATION).id)).toBe(true);
    expect(has(p, 'cup-xmpp-s2s/verify/cs-imp-sub/xmpp-server')).toBe(false);
  });

  it('uses a node port override (ports are data, DOMAIN.md §6)', () => {
    // GIVEN the subscriber serves HTTPS on 9443
    const base = plan({ certs: [{ purpose: 'tomcat' }] });
    expect(step(base, 'tomcat/verify/cs-ccm-sub/https', 'verify').port?.port).toBe(8443);
    const c = cluster();
    const nodes = c.nodes.map((n) => (n.fqdn === SUB ? node(n.fqdn, n.role, n.services, { ports: { https: 9443 } }) : n));
    // WHEN planned
    const p = plan({ nodes, certs: [{ purpose: 'tomcat' }] });
    // THEN the verify connects to 9443 there, 8443 elsewhere
    expect(step(p, 'tomcat/verify/cs-ccm-sub/https', 'verify').port?.port).toBe(9443);
    expect(step(p, 'tomcat/verify/cs-ccm-pub/https', 'verify').port?.port).toBe(8443);
  });
});

describe('clean-up after the verifies', () => {
  it('deletes the old self-signed trust only after every verify of the purpose, on every covered node', () => {
    // GIVEN tomcat and CallManager certificates, clean-up delay 1800 s
    const p = plan({ cleanupDelaySeconds: 1800, certs: [{ purpose: 'tomcat' }, { purpose: 'CallManager' }] });
    // WHEN planned (CallManager-trust is cleaned only when declared: test/plan/seeds-cleanup.test.ts)
    expect(stepsOf(p, 'cleanup', (s) => s.purpose === 'CallManager')).toEqual([]);
    for (const purpose of ['tomcat']) {
      const cleanups = stepsOf(p, 'cleanup', (s) => s.purpose === purpose);
      const verifies = steps(p, (s) => s.kind === 'verify' && s.purpose === purpose);
      // THEN one clean-up per covered node, each after every verify, waiting for the ISA clean-up
      expect(cleanups.map((s) => s.node).sort()).toEqual((purpose === 'tomcat' ? ROLLOUT_ORDER : [PUB, SUB, SUB2]).slice().sort());
      for (const c of cleanups) {
        expect(c.store).toBe(`${purpose}-trust`);
        expect(c.waitSeconds).toBe(1800);
        for (const v of verifies) expect(reaches(p, c.id, v.id), `${c.id} after ${v.id}`).toBe(true);
      }
    }
  });

  it('keeps the CA chain just uploaded', () => {
    // GIVEN a tomcat certificate
    const s = scenario({ certs: [{ purpose: 'tomcat' }] });
    const p = planOf(s);
    // WHEN planned
    const c = step(p, 'tomcat/cleanup/cs-imp', 'cleanup');
    // THEN the root and intermediate fingerprints are on its keep list
    expect(c.keep).toEqual(expect.arrayContaining([s.pki.lookup('ca/corp-root.pem').sha256, s.pki.lookup('ca/corp-intermediate-1.pem').sha256]));
  });
});

describe('preflight first', () => {
  it('every other step runs after the preflight of every node', () => {
    // GIVEN tomcat, CallManager and cup-xmpp certificates, mixed mode and SSO
    const p = plan({ sso: true, securityMode: 'mixed', certs: [{ purpose: 'tomcat' }, { purpose: 'CallManager' }, { purpose: 'cup-xmpp' }] });
    // WHEN planned
    const preflights = steps(p, (s) => s.kind === 'preflight');
    // THEN one preflight per node, and every other step waits for all of them (DOMAIN.md §3 preflight 1)
    expect(preflights.map((s) => s.node).sort()).toEqual(ROLLOUT_ORDER.slice().sort());
    for (const s of steps(p, (x) => x.kind !== 'preflight')) {
      for (const pf of preflights) expect(reaches(p, s.id, pf.id), `${s.id} after ${pf.id}`).toBe(true);
    }
  });

  it('checks the platform web service and Tomcat, and the security mode on the publisher', () => {
    // GIVEN a mixed-mode cluster
    const p = plan({ securityMode: 'mixed', certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    const pf = step(p, 'preflight/cs-ccm-pub', 'preflight');
    // THEN it requires both services and expects mixed mode
    expect([...pf.requireServices].sort()).toEqual(['Cisco Platform Administrative Web Service', 'Cisco Tomcat']);
    expect(pf.expectSecurityMode).toBe('mixed');
    expect(pf.command).toBe('utils service list');
  });
});

describe('the maintenance window gates the whole change', () => {
  it('touches nothing before the window is confirmed: every trust upload waits for it', async () => {
    // GIVEN the lab plan (CallManager needs a window)
    const { prepareClusterPlan } = await import('../../lib/platforms');
    const { loadInventory } = await import('../../lib/inventory');
    const { join } = await import('node:path');
    const { declarations, baseDir } = loadInventory(join(__dirname, '..', '..', 'examples', 'lab.yaml'));
    const { plan } = prepareClusterPlan(declarations, 'lab', { baseDir, planDir: baseDir });
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    const reachesWindow = (id: string, seen = new Set<string>()): boolean =>
      id === 'manual/maintenance-window' ||
      byId.get(id)!.dependsOn.some((d) => !seen.has(d) && (seen.add(d), reachesWindow(d, seen)));
    // THEN every step but the preflights, the window itself and the check that changes nothing (phones trust TVS,
    // which the window waits for) comes after the window
    const before = plan.steps.filter((s) => s.kind !== 'preflight' && s.id !== 'manual/maintenance-window' && !reachesWindow(s.id));
    expect(before.map((s) => s.id)).toEqual(['CallManager/manual/phones-trust-tvs']);
    expect(byId.get('manual/maintenance-window')!.dependsOn).toContain('CallManager/manual/phones-trust-tvs');
  });

  it('restarts CallManager on the subscribers one at a time', async () => {
    const { prepareClusterPlan } = await import('../../lib/platforms');
    const { loadInventory } = await import('../../lib/inventory');
    const { join } = await import('node:path');
    const { declarations, baseDir } = loadInventory(join(__dirname, '..', '..', 'examples', 'large.yaml'));
    const { plan } = prepareClusterPlan(declarations, 'large', { baseDir, planDir: baseDir });
    const sub2 = plan.steps.find((s) => s.id === 'CallManager/restart/cucm-sub2/cisco-trust-verification-service')!;
    expect(sub2.dependsOn).toContain('CallManager/restart/cucm-sub1/cisco-ctimanager');
  });
});
