/**
 * Issue 11, points 1 and 7: the restarts the seeds ask for where the plan restarted less.
 *
 * seed 000 (CallManager multi-server SAN): "CAによって発行された証明書をインストールした後、有効になっている
 * ノードで次のサービスのリストを再起動する必要があります" (after installing the CA-issued certificate,
 * restart these services on the nodes where they are activated: Cisco TFTP, Cisco CallManager,
 * Cisco CTIManager, Cisco Trust Verification Service), whatever the SAN list says.
 * DOMAIN.md §5: after an ipsec change, Cisco DRF Master on the publisher, Cisco DRF Local on every node.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { prepareRolloutPlan } from '../../lib/platforms';
import { ClusterPlan } from '../../lib/platforms';
import { IMP, PUB, SUB, SUB2, SVC, TFTP_NODE, IMP_SUB, plan, restartSet, step, stepsOf } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function large(): ClusterPlan {
  const { declarations, baseDir } = loadInventory(join(EXAMPLES, 'large.yaml'));
  return prepareRolloutPlan(declarations, 'large', { baseDir, planDir: baseDir, lint: false }).plan as ClusterPlan;
}

describe('seed 000: the CallManager services restart where activated, also on a node left out of the SAN list', () => {
  it('GIVEN a TFTP-only node dropped from the CallManager SAN list WHEN planned THEN it restarts TVS and TFTP, not CallManager or CTIManager', () => {
    // GIVEN
    const p = plan({ tftpNode: true, callManagerIncludeInactiveNodes: false, certs: [{ purpose: 'CallManager' }] });
    // WHEN the upload does not reach it
    expect(step(p, 'CallManager/identity/cs-ccm-pub', 'upload-identity').distributeTo).not.toContain(TFTP_NODE);
    // THEN its activated services restart (it serves the trust list with the new certificate)
    expect(restartSet(p, (s) => s.node === TFTP_NODE)).toEqual([`cs-ccm-tftp: ${SVC.TFTP}`, `cs-ccm-tftp: ${SVC.TVS}`].sort());
    const tftp = step(p, 'CallManager/restart/cs-ccm-tftp/cisco-tftp', 'restart-service');
    expect(tftp.reason).toMatch(/^seed 000/);
    expect(tftp.reason).toMatch(/left out of the SAN list/);
    // AND it has no verify (it keeps its own certificate)
    expect(stepsOf(p, 'verify', (s) => s.node === TFTP_NODE && s.purpose === 'CallManager')).toEqual([]);
  });

  it('GIVEN examples/large.yaml WHEN planned THEN cucm-sub5 (TFTP only, dropped from the SAN list) restarts TFTP and TVS after the CallManager upload', () => {
    const p = large();
    const sub5 = 'cucm-sub5.corp.example.com';
    expect(restartSet(p, (s) => s.node === sub5 && s.id.startsWith('CallManager/'))).toEqual([`cucm-sub5: ${SVC.TFTP}`, `cucm-sub5: ${SVC.TVS}`].sort());
    const tftp = step(p, 'CallManager/restart/cucm-sub5/cisco-tftp', 'restart-service');
    expect(p.steps.findIndex((s) => s.id === tftp.id)).toBeGreaterThan(p.steps.findIndex((s) => s.id === 'CallManager/identity/cucm-pub'));
  });

  it('GIVEN a single-server CallManager certificate WHEN planned THEN only its node restarts (the seed speaks of the multi-server certificate)', () => {
    const p = plan({ certs: [{ purpose: 'CallManager', distribution: 'single-server', node: SUB }] });
    expect(new Set(stepsOf(p, 'restart-service', (s) => s.id.startsWith('CallManager/')).map((s) => s.node))).toEqual(new Set([SUB]));
  });
});

describe('DOMAIN.md §5: ipsec restarts DRF Local on every node', () => {
  it('GIVEN a single-server ipsec certificate for one subscriber WHEN planned THEN DRF Master on the publisher and DRF Local on every CUCM and IM&P node', () => {
    const p = plan({ certs: [{ purpose: 'ipsec', distribution: 'single-server', node: SUB }] });
    const label = (f: string) => f.split('.')[0];
    expect(restartSet(p, (s) => s.id.startsWith('ipsec/'))).toEqual(
      [`${label(PUB)}: ${SVC.DRF_MASTER}`, ...[PUB, SUB, SUB2, IMP, IMP_SUB].map((n) => `${label(n)}: ${SVC.DRF_LOCAL}`)].sort(),
    );
    expect(step(p, 'ipsec/restart/cs-imp/cisco-drf-local', 'restart-service').reason).toMatch(/DOMAIN\.md §5.*every node/);
  });
});
