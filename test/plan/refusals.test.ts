/**
 * Declarations the planner refuses, each with an error that names what is wrong and how to fix it.
 */
import { describe, expect, it } from 'vitest';
import { DeclarationError } from '../../lib/model';
import { validateDeclarations } from '../../lib/platforms';
import { IMP, PUB, SUB, SUB2, SVC, TFTP_NODE, cluster, node, plan, planOf, scenario, step } from './helpers';

describe('refusals', () => {
  it('refuses CallManager and TVS in one change', () => {
    // GIVEN CallManager and TVS certificates for the same cluster
    const s = scenario({ certs: [{ purpose: 'CallManager' }, { purpose: 'TVS' }] });
    // WHEN planned THEN refused: it breaks the ITL on every phone (DOMAIN.md §5)
    expect(() => planOf(s)).toThrow(/CallManager and TVS in one change/);
    expect(() => planOf(s)).toThrow(DeclarationError);
  });

  it('refuses CallManager-ECDSA and TVS in one change', () => {
    // GIVEN CallManager-ECDSA and TVS certificates
    const s = scenario({ certs: [{ purpose: 'CallManager-ECDSA' }, { purpose: 'TVS' }] });
    // WHEN planned THEN refused too
    expect(() => planOf(s)).toThrow(/CallManager and TVS/);
  });

  it('accepts CallManager and TVS in different clusters', () => {
    // GIVEN CallManager in dc1 and TVS in dc2
    const s = scenario({
      otherClusters: [cluster({ name: 'dc2', imp: false })],
      certs: [{ purpose: 'CallManager' }, { purpose: 'TVS', cluster: 'dc2', file: 'certs/dc2-tvs.pem', sans: [PUB, SUB, SUB2] }],
    });
    // WHEN validated THEN no error
    expect(() => validateDeclarations(s.decls, s.pki.lookup)).not.toThrow();
  });

  it('refuses a multi-server leaf whose SANs miss a covered node, naming the node', () => {
    // GIVEN a tomcat certificate whose SAN list misses the IM&P database publisher
    const s = scenario({ certs: [{ purpose: 'tomcat', sans: [PUB, SUB, SUB2, 'cs-imp-sub.example.com'] }] });
    // WHEN planned THEN refused, naming cs-imp
    expect(() => planOf(s)).toThrow(/misses node 'cs-imp\.example\.com'/);
  });

  it('refuses a CallManager multi-server leaf that misses a CUCM subscriber', () => {
    // GIVEN a CallManager certificate without cs-ccm-sub2 in its SANs
    const s = scenario({ certs: [{ purpose: 'CallManager', sans: [PUB, SUB] }] });
    // WHEN planned THEN refused, naming cs-ccm-sub2
    expect(() => planOf(s)).toThrow(/cs-ccm-sub2\.example\.com/);
  });

  it('accepts SANs that differ only in letter case', () => {
    // GIVEN a tomcat certificate with upper-case SANs
    const s = scenario({ certs: [{ purpose: 'tomcat', sans: cluster().nodes.map((n) => n.fqdn.toUpperCase()) }] });
    // WHEN planned THEN accepted (DNS names are case-insensitive)
    expect(() => planOf(s)).not.toThrow();
  });

  it('refuses an unknown purpose', () => {
    // GIVEN a purpose not in DOMAIN.md §2
    const s = scenario({ certs: [{ purpose: 'webex', distribution: 'single-server', node: PUB }] });
    // WHEN planned THEN refused, with the list of purposes
    expect(() => planOf(s)).toThrow(/unknown purpose 'webex': use one of .*tomcat/);
  });

  it('refuses an unknown cluster', () => {
    // GIVEN a certificate for an undeclared cluster
    const s = scenario({ certs: [{ purpose: 'tomcat', cluster: 'dc9' }] });
    // WHEN validated THEN refused, naming the cluster
    expect(() => validateDeclarations(s.decls, s.pki.lookup)).toThrow(/cluster 'dc9' is not declared/);
  });

  it('refuses to plan a cluster that is not declared', () => {
    // GIVEN valid declarations for dc1
    const s = scenario({ certs: [{ purpose: 'tomcat' }] });
    // WHEN asked for dc9 THEN refused
    expect(() => planOf(s, 'dc9')).toThrow(/Cluster 'dc9' is not declared/);
  });

  it('refuses an unknown certificate authority', () => {
    // GIVEN a certificate naming an undeclared CA
    const s = scenario({ certs: [{ purpose: 'tomcat', ca: 'other' }] });
    // WHEN planned THEN refused, naming the CA
    expect(() => planOf(s)).toThrow(/certificate authority 'other' is not declared/);
  });

  it('refuses a single-server certificate without a node', () => {
    // GIVEN a single-server cup certificate with no node
    const s = scenario({ certs: [{ purpose: 'cup', distribution: 'single-server', file: 'certs/cup.pem' }] });
    // WHEN planned THEN refused: it needs 'node'
    expect(() => planOf(s)).toThrow(/single-server certificate needs 'node'/);
  });

  it('refuses a single-server certificate for a node outside the cluster, naming it', () => {
    // GIVEN a cup certificate for a node of another cluster
    const s = scenario({ certs: [{ purpose: 'cup', distribution: 'single-server', node: 'imp9.example.com' }] });
    // WHEN planned THEN refused, naming the node and the cluster
    expect(() => planOf(s)).toThrow(/node 'imp9\.example\.com' is not in cluster 'dc1'/);
  });

  it.each(['CAPF', 'cup', 'ipsec'])('refuses a multi-server %s certificate (single-server purpose)', (purpose) => {
    // GIVEN a multi-server certificate of a purpose without a SAN variant
    const s = scenario({ certs: [{ purpose, sans: cluster().nodes.map((n) => n.fqdn) }] });
    // WHEN planned THEN refused: use single-server
    expect(() => planOf(s)).toThrow(new RegExp(`purpose '${purpose}' has no multi-server`));
  });

  it('refuses CAPF on a subscriber (publisher only)', () => {
    // GIVEN a CAPF certificate for a subscriber
    const s = scenario({ certs: [{ purpose: 'CAPF', distribution: 'single-server', node: SUB }] });
    // WHEN planned THEN refused
    expect(() => planOf(s)).toThrow(/CAPF lives on the CUCM publisher only/);
  });

  it('refuses CallManager multi-server when a CUCM node lacks the CallManager service and no keep/drop choice is made', () => {
    // GIVEN a TFTP-only subscriber and callManagerIncludeInactiveNodes unset
    const s = scenario({ tftpNode: true, certs: [{ purpose: 'CallManager', sans: [PUB, SUB, SUB2, TFTP_NODE] }] });
    // WHEN planned THEN refused, naming the node and the setting (DOMAIN.md §2: the choice must be explicit)
    expect(() => planOf(s)).toThrow(/cs-ccm-tftp\.example\.com do not run Cisco CallManager: set callManagerIncludeInactiveNodes/);
  });

  it.each([true, false])('accepts that CallManager certificate once callManagerIncludeInactiveNodes is %s', (keep) => {
    // GIVEN the explicit choice and SANs matching it
    const s = scenario({ tftpNode: true, callManagerIncludeInactiveNodes: keep, certs: [{ purpose: 'CallManager' }] });
    // WHEN planned THEN accepted, and the distribution follows the choice
    const p = planOf(s);
    expect(step(p, 'CallManager/identity/cs-ccm-pub', 'upload-identity').distributeTo!.includes(TFTP_NODE)).toBe(keep);
  });

  it('refuses cup on a cluster without IM and Presence', () => {
    // GIVEN a CUCM-only cluster and a cup certificate
    const s = scenario({ imp: false, certs: [{ purpose: 'cup', distribution: 'single-server', node: PUB }] });
    // WHEN planned THEN refused: cup lives on IM&P nodes
    expect(() => planOf(s)).toThrow(/purpose 'cup' lives on imp nodes and cluster 'dc1' has none/);
  });

  it('refuses cup on a CUCM node of a cluster with IM and Presence', () => {
    // GIVEN a cup certificate for the CUCM publisher
    const s = scenario({ certs: [{ purpose: 'cup', distribution: 'single-server', node: PUB }] });
    // WHEN planned THEN refused
    expect(() => planOf(s)).toThrow(/purpose 'cup' does not exist on CUCM node 'cs-ccm-pub\.example\.com'/);
  });

  it('refuses two multi-server certificates of one purpose', () => {
    // GIVEN two tomcat multi-server certificates
    const s = scenario({ certs: [{ purpose: 'tomcat' }, { purpose: 'tomcat', file: 'certs/tomcat-2.pem' }] });
    // WHEN planned THEN refused
    expect(() => planOf(s)).toThrow(/a second multi-server tomcat certificate/);
  });

  it('refuses a trust entry into an unknown store', () => {
    // GIVEN a trust entry into 'phone-trust'
    const s = scenario({ certs: [], trustEntries: [{ cluster: 'dc1', name: 'x', certificate: 'ca/x.pem', stores: ['phone-trust'] }] });
    // WHEN planned THEN refused, naming the store
    expect(() => planOf(s)).toThrow(/unknown trust store 'phone-trust'/);
  });

  it('reports every problem at once', () => {
    // GIVEN an unknown CA and CallManager + TVS together
    const s = scenario({ certs: [{ purpose: 'CallManager', ca: 'nope' }, { purpose: 'TVS' }] });
    // WHEN planned THEN both problems are in one error
    let err: unknown;
    try {
      planOf(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeclarationError);
    expect((err as DeclarationError).problems.length).toBeGreaterThanOrEqual(2);
    expect((err as Error).message).toMatch(/'nope'[\s\S]*CallManager and TVS/);
  });

  it('plans a CUCM-only cluster without IM&P steps', () => {
    // GIVEN a CUCM-only cluster with a tomcat certificate
    const p = plan({ nodes: [node(PUB, 'publisher', [SVC.CALLMANAGER]), node(SUB, 'subscriber', [SVC.CALLMANAGER])], certs: [{ purpose: 'tomcat' }] });
    // WHEN planned THEN no step targets an IM&P node
    expect(p.steps.some((s) => s.node === IMP)).toBe(false);
    expect(p.cluster.nodes.map((n) => n.fqdn)).toEqual([PUB, SUB]);
  });
});
