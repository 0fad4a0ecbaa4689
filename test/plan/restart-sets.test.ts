/**
 * The services each change restarts, and on which nodes only (DOMAIN.md §3 install 4, §5).
 * Expected sets are written from DOMAIN.md as `<node label>: <service>`.
 */
import { describe, expect, it } from 'vitest';
import { IMP, IMP_SUB, PUB, SUB, SVC, TFTP_NODE, cluster, node, plan, restartSet, step } from './helpers';

const at = (nodes: string[], service: string) => nodes.map((n) => `${n}: ${service}`);
const CUCM = ['cs-ccm-pub', 'cs-ccm-sub', 'cs-ccm-sub2'];
const IMPS = ['cs-imp', 'cs-imp-sub'];
/** Restarts of the purposes (the ISA restart after IM&P trust uploads is tested in order.test.ts). */
const purposeRestarts = (p: ReturnType<typeof plan>) => restartSet(p, (s) => s.service !== SVC.ISA);
const byFamily = (family: string) => (s: { id: string }) => s.id.startsWith(`${family}/`);

describe('restart sets per purpose', () => {
  it('tomcat: Cisco Tomcat and DRF Local on every node, UDS/AXL Tomcat on CUCM nodes, DRF Master on the publisher', () => {
    // GIVEN a multi-server tomcat certificate on a 1+2 CUCM, 1+1 IM&P cluster
    const p = plan({ certs: [{ purpose: 'tomcat' }] });
    // WHEN planned
    // THEN exactly the tomcat restarts of DOMAIN.md §5
    expect(restartSet(p, byFamily('tomcat'))).toEqual(
      [
        ...at([...CUCM, ...IMPS], SVC.TOMCAT),
        ...at(CUCM, SVC.UDS_TOMCAT),
        ...at(CUCM, SVC.AXL_TOMCAT),
        ...at(['cs-ccm-pub'], SVC.DRF_MASTER),
        ...at([...CUCM, ...IMPS], SVC.DRF_LOCAL),
      ].sort(),
    );
  });

  it('tomcat + tomcat-ECDSA restart each service once per node', () => {
    // GIVEN tomcat and tomcat-ECDSA in one change
    const p = plan({ certs: [{ purpose: 'tomcat' }, { purpose: 'tomcat-ECDSA' }] });
    // WHEN planned
    const set = restartSet(p);
    // THEN no node restarts Cisco Tomcat twice
    expect(set.filter((s) => s.endsWith(`: ${SVC.TOMCAT}`))).toHaveLength(5);
    expect(new Set(set).size).toBe(set.length);
  });

  it('CallManager: TVS on every CUCM node, TFTP / CallManager / CTIManager only where activated, nothing on IM&P', () => {
    // GIVEN a TFTP-only subscriber, kept in the CallManager SAN list
    const p = plan({ tftpNode: true, callManagerIncludeInactiveNodes: true, certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN the TFTP-only node restarts TVS and TFTP, never CallManager or CTIManager
    expect(purposeRestarts(p)).toEqual(
      [
        ...at([...CUCM, 'cs-ccm-tftp'], SVC.TVS),
        ...at([...CUCM, 'cs-ccm-tftp'], SVC.TFTP),
        ...at(CUCM, SVC.CALLMANAGER),
        ...at(CUCM, SVC.CTIMANAGER),
      ].sort(),
    );
  });

  it('CallManager: a node without TFTP does not restart TFTP', () => {
    // GIVEN a subscriber running CallManager and CTIManager but not TFTP
    const nodes = cluster().nodes.map((n) => (n.fqdn === SUB ? node(n.fqdn, n.role, [SVC.CALLMANAGER, SVC.CTIMANAGER]) : n));
    // WHEN planned
    const p = plan({ nodes, certs: [{ purpose: 'CallManager' }] });
    // THEN no TFTP restart on it, but TVS, CallManager and CTIManager
    expect(restartSet(p, (s) => s.node === SUB)).toEqual([`cs-ccm-sub: ${SVC.CALLMANAGER}`, `cs-ccm-sub: ${SVC.CTIMANAGER}`, `cs-ccm-sub: ${SVC.TVS}`].sort());
  });

  it('CallManager with the inactive node dropped: that node is not in the SAN distribution but restarts its activated services', () => {
    // GIVEN a TFTP-only subscriber, dropped from the CallManager SAN list (explicit choice)
    const p = plan({ tftpNode: true, callManagerIncludeInactiveNodes: false, certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN the upload distributes to the CallManager nodes only; the dropped node restarts TFTP and TVS (seed 000, issue 11)
    expect(step(p, 'CallManager/identity/cs-ccm-pub', 'upload-identity').distributeTo).toEqual([PUB, SUB, 'cs-ccm-sub2.example.com']);
    expect(restartSet(p, (s) => s.node === TFTP_NODE)).toEqual([`cs-ccm-tftp: ${SVC.TFTP}`, `cs-ccm-tftp: ${SVC.TVS}`].sort());
  });

  it('a CallManager-only change restarts no Tomcat and nothing on IM&P', () => {
    // GIVEN a CallManager certificate only
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    // WHEN planned
    // THEN no Tomcat-family or DRF restart, and no IM&P node touched by a restart
    expect(restartSet(p).filter((s) => /Tomcat|DRF/.test(s))).toEqual([]);
    expect(restartSet(p, (s) => s.node === IMP || s.node === IMP_SUB)).toEqual([]);
  });

  it('TVS: TFTP where activated and TVS on every CUCM node', () => {
    // GIVEN a multi-server TVS certificate and a TFTP-only node
    const p = plan({ tftpNode: true, certs: [{ purpose: 'TVS' }] });
    // WHEN planned
    // THEN TFTP and TVS on the CUCM nodes (TFTP everywhere here, it runs on every CUCM node of this cluster)
    expect(purposeRestarts(p)).toEqual([...at([...CUCM, 'cs-ccm-tftp'], SVC.TFTP), ...at([...CUCM, 'cs-ccm-tftp'], SVC.TVS)].sort());
  });

  it('cup-xmpp: XCP Router on every IM&P node only', () => {
    // GIVEN a multi-server cup-xmpp certificate
    const p = plan({ certs: [{ purpose: 'cup-xmpp' }] });
    // WHEN planned
    // THEN exactly `utils service restart Cisco XCP Router` on both IM&P nodes
    expect(purposeRestarts(p)).toEqual(at(IMPS, SVC.XCP_ROUTER).sort());
  });

  it('cup-xmpp-s2s: the federation connection manager only on federation nodes', () => {
    // GIVEN a multi-server cup-xmpp-s2s certificate; only cs-imp runs XMPP federation
    const p = plan({ certs: [{ purpose: 'cup-xmpp-s2s' }] });
    // WHEN planned
    // THEN one restart, on cs-imp
    expect(purposeRestarts(p)).toEqual(at(['cs-imp'], SVC.XCP_FEDERATION));
  });

  it('cup: SIP Proxy and Presence Engine on the certificate node only', () => {
    // GIVEN a single-server cup certificate for the IM&P subscriber
    const p = plan({ certs: [{ purpose: 'cup', distribution: 'single-server', node: IMP_SUB }] });
    // WHEN planned
    // THEN both services restart on that node and nowhere else
    expect(purposeRestarts(p)).toEqual([...at(['cs-imp-sub'], SVC.PRESENCE_ENGINE), ...at(['cs-imp-sub'], SVC.SIP_PROXY)].sort());
  });

  it('CAPF: TVS and TFTP on the CUCM nodes, CAPF on the publisher (reading of DOMAIN.md §5 taken by the catalog)', () => {
    // GIVEN the publisher CAPF certificate
    const p = plan({ certs: [{ purpose: 'CAPF', distribution: 'single-server', node: PUB }] });
    // WHEN planned
    // THEN CAPF only on the publisher; nothing on IM&P
    expect(purposeRestarts(p)).toEqual([...at(CUCM, SVC.TVS), ...at(CUCM, SVC.TFTP), ...at(['cs-ccm-pub'], SVC.CAPF)].sort());
  });

  it('ipsec: DRF Master on the publisher and DRF Local on every node', () => {
    // GIVEN a single-server ipsec certificate for a subscriber
    const p = plan({ certs: [{ purpose: 'ipsec', distribution: 'single-server', node: SUB }] });
    // WHEN planned
    // THEN the DRF services restart (DOMAIN.md §5: DRF Local on every node, issue 11), Tomcat does not
    expect(purposeRestarts(p)).toEqual([...at(['cs-ccm-pub'], SVC.DRF_MASTER), ...at([...CUCM, ...IMPS], SVC.DRF_LOCAL)].sort());
  });

  it('a trust entry in CallManager-trust restarts Cisco CallManager where activated; in cup-trust, SIP Proxy on IM&P', () => {
    // GIVEN an Expressway-C root into CallManager-trust and a peer certificate into cup-trust; a TFTP-only node
    const p = plan({
      tftpNode: true,
      certs: [],
      trustEntries: [
        { cluster: 'dc1', name: 'expressway-c-root', certificate: 'ca/expressway-root.pem', stores: ['CallManager-trust'] },
        { cluster: 'dc1', name: 'sip-peer', certificate: 'ca/sip-peer.pem', stores: ['cup-trust'] },
      ],
    });
    // WHEN planned
    // THEN CallManager restarts on the CallManager nodes (not the TFTP-only one) and SIP Proxy on the IM&P nodes (DOMAIN.md §3 install 4)
    expect(purposeRestarts(p)).toEqual([...at(CUCM, SVC.CALLMANAGER), ...at(IMPS, SVC.SIP_PROXY)].sort());
  });
});
