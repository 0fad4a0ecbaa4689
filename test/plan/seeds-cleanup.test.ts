/**
 * Issue 11, points 3, 4 and 5 (planner side): the clean-up of the old self-signed trust
 * certificates as seed 002 describes it.
 *
 * seed 002 ("IM and Presence Service からの自己署名信頼証明書の削除"): the deletable self-signed trust
 * certificates are tomcat-trust, cup-xmpp-trust, cup-trust and ipsec-trust; "クラスタ内、およびでクラスタ間
 * ピアの各 IM and Presence Service ノードに対してこの手順を繰り返し" (repeat on each IM&P node of the cluster
 * and of the intercluster peers); "CA 署名付き証明書を追加したら … 30 分待機" (wait 30 minutes after the
 * CA-signed certificate was added). On CUCM: "Cisco Unified Communications Manager ノードから削除する対象と
 * なるのは、これらの証明書だけです" (the self-signed tomcat-trust certificates are the only ones to delete).
 */
import { describe, expect, it } from 'vitest';
import { renderReview } from '../../lib/platforms';
import { ClusterDecl, NodeDecl } from '../../lib/model';
import { IMP, IMP_PUB_SERVICES, IMP_SUB, PUB, SUB, SUB2, cluster, node, plan, planOf, reaches, scenario, step, stepsOf } from './helpers';

describe('seed 002: CallManager-trust is cleaned only when declared, after the phones were reset', () => {
  it('GIVEN a CallManager certificate WHEN planned THEN no clean-up of CallManager-trust', () => {
    const p = plan({ certs: [{ purpose: 'CallManager' }] });
    expect(stepsOf(p, 'cleanup', (s) => s.store === 'CallManager-trust')).toEqual([]);
  });

  it('GIVEN cleanupCallManagerTrust WHEN planned THEN each CUCM node cleans CallManager-trust after the phone reset was confirmed', () => {
    const s = scenario({ certs: [{ purpose: 'CallManager' }] });
    const [c] = s.decls.clusters;
    const p = planOf({ ...s, decls: { ...s.decls, clusters: [{ ...c, cleanupCallManagerTrust: true }] } });
    const cleanups = stepsOf(p, 'cleanup', (x) => x.store === 'CallManager-trust');
    expect(cleanups.map((x) => x.node)).toEqual([PUB, SUB, SUB2]);
    for (const x of cleanups) {
      expect(x.dependsOn, x.id).toContain('CallManager/manual/reset-phones');
      expect(x.reason).toMatch(/cleanupCallManagerTrust.*seed 002/);
    }
  });

  it('GIVEN TVS, CAPF and a CUCM ipsec certificate WHEN planned THEN nothing is cleaned on CUCM but tomcat-trust', () => {
    for (const certs of [[{ purpose: 'TVS' }], [{ purpose: 'CAPF', distribution: 'single-server' as const, node: PUB }], [{ purpose: 'ipsec', distribution: 'single-server' as const, node: SUB }]]) {
      expect(stepsOf(plan({ certs }), 'cleanup'), certs[0].purpose).toEqual([]);
    }
    const ipsecImp = plan({ certs: [{ purpose: 'ipsec', distribution: 'single-server', node: IMP }] });
    expect(stepsOf(ipsecImp, 'cleanup').map((x) => x.node)).toEqual([IMP, IMP_SUB]);
  });
});

describe('seed 002: clean-up order and scope', () => {
  it('GIVEN tomcat and cup-xmpp WHEN planned THEN each clean-up comes after every restart of any purpose on its node', () => {
    const p = plan({ certs: [{ purpose: 'tomcat' }, { purpose: 'cup-xmpp' }] });
    for (const c of stepsOf(p, 'cleanup')) {
      for (const r of stepsOf(p, 'restart-service', (x) => x.node === c.node && !x.id.startsWith('isa/'))) {
        expect(reaches(p, c.id, r.id), `${c.id} after ${r.id}`).toBe(true);
      }
    }
    // The case of the issue: cup-xmpp/cleanup/<imp-pub> no longer overlaps imp-pub's Tomcat restart
    expect(reaches(p, 'cup-xmpp/cleanup/cs-imp', 'tomcat/restart/cs-imp/cisco-tomcat')).toBe(true);
  });

  it('GIVEN -ECDSA certificates WHEN planned THEN the clean-up looks for <host>-EC.<domain>', () => {
    const p = plan({ certs: [{ purpose: 'tomcat-ECDSA' }] });
    const c = step(p, 'tomcat-ECDSA/cleanup/cs-imp', 'cleanup');
    expect(c.selfSignedSubjects).toContain('cs-imp-EC.example.com');
    expect(c.selfSignedSubjects).toContain('cs-ccm-pub-EC.example.com');
    expect(c.selfSignedSubjects).not.toContain(IMP);
  });

  it('GIVEN intercluster peers that are not declared WHEN planned THEN a manual clean-up per peer, after the peer Tomcat resync and our own clean-ups', () => {
    const peer = 'imp-pub.other.example.com';
    const p = plan({ interclusterPeers: [peer], certs: [{ purpose: 'tomcat' }] });
    const resync = `tomcat/manual/intercluster-resync/${peer}`;
    // The resync before every tomcat clean-up
    for (const c of stepsOf(p, 'cleanup')) expect(c.dependsOn, c.id).toContain(resync);
    const m = step(p, `tomcat/manual/peer-cleanup/${peer}`, 'manual');
    expect(m.reason).toMatch(/^seed 002.*intercluster peers/);
    expect(m.command).toContain('tomcat-trust');
    for (const c of stepsOf(p, 'cleanup')) expect(m.dependsOn).toContain(c.id);
  });

  it('GIVEN a peer that is a declared cluster with the same access WHEN planned THEN clean-up steps on each of its IM&P nodes, which the plan carries as peer nodes', () => {
    const peerPub = 'imp-pub.other.example.com';
    const peerSub = 'imp-sub.other.example.com';
    const other: ClusterDecl = {
      ...cluster({ name: 'other' }),
      nodes: [node('ccm-pub.other.example.com', 'publisher', []), node(peerPub, 'imp-database-publisher', IMP_PUB_SERVICES), node(peerSub, 'imp-subscriber', IMP_PUB_SERVICES)] as NodeDecl[],
    };
    const p = plan({ interclusterPeers: [peerPub], otherClusters: [other], certs: [{ purpose: 'tomcat' }, { purpose: 'cup-xmpp' }] });
    for (const purpose of ['tomcat', 'cup-xmpp']) {
      const steps = stepsOf(p, 'cleanup', (x) => x.purpose === purpose && x.id.includes('/peer/'));
      expect(steps.map((x) => x.node), purpose).toEqual([peerPub, peerSub]);
      for (const x of steps) {
        expect(x.reason).toMatch(/^seed 002/);
        for (const own of stepsOf(p, 'cleanup', (y) => y.purpose === purpose && !y.id.includes('/peer/'))) expect(x.dependsOn).toContain(own.id);
      }
    }
    expect(p.cluster.nodes.filter((n) => n.peerOf === 'other').map((n) => n.fqdn)).toEqual([peerPub, peerSub]);
    expect(p.steps.some((s) => s.id.startsWith('tomcat/manual/peer-cleanup/'))).toBe(false);
    expect(renderReview(p)).toContain(`### ${peerSub} (imp-subscriber, IM and Presence, intercluster peer cluster other)`);
  });

  it('GIVEN a declared peer with other credentials WHEN planned THEN a manual step saying why', () => {
    const peerPub = 'imp-pub.other.example.com';
    const other: ClusterDecl = {
      ...cluster({ name: 'other' }),
      credentials: { usernameEnv: 'OTHER_USER', passwordEnv: 'OTHER_PASSWORD' },
      nodes: [node('ccm-pub.other.example.com', 'publisher', []), node(peerPub, 'imp-database-publisher', IMP_PUB_SERVICES)] as NodeDecl[],
    };
    const p = plan({ interclusterPeers: [peerPub], otherClusters: [other], certs: [{ purpose: 'tomcat' }] });
    expect(step(p, `tomcat/manual/peer-cleanup/${peerPub}`, 'manual').description).toMatch(/other credentials/);
    expect(p.cluster.nodes.some((n) => n.peerOf)).toBe(false);
  });
});

describe('seed 002: the 30-minute wait is stated, whatever the declared delay', () => {
  it.each([1800, 0])('GIVEN cleanupDelaySeconds %i WHEN reviewed THEN PLAN.md states the rule and that the apply ends with the clean-up waiting', (delay) => {
    const md = renderReview(plan({ cleanupDelaySeconds: delay, certs: [{ purpose: 'tomcat' }] }));
    expect(md).toMatch(/Clean-up \(seed 002\): the old self-signed trust certificates are deleted only about 30 minutes after/);
    expect(md).toMatch(/The wait does not hold the window: an apply that reaches a clean-up earlier ends with it waiting \(exit 3/);
    if (delay === 0) expect(md).toMatch(/declares cleanupDelaySeconds 0, shorter than the seed's 30 minutes/);
  });
});
