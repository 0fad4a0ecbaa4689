/**
 * Which nodes a multi-server certificate must cover (DOMAIN.md §2 "auto-populated SANs"),
 * where it is uploaded, and its CSR common name.
 */
import { describe, expect, it } from 'vitest';
import { getPurpose, multiServerCommonName, multiServerCoverage, nodesWithoutCallManager, uploadNode } from '../../lib/catalog';
import { IMP, IMP_SUB, PUB, SUB, SUB2, TFTP_NODE, cluster } from '../plan/helpers';

const fqdns = (ns: readonly { fqdn: string }[]) => ns.map((n) => n.fqdn);

describe('multi-server coverage (DOMAIN.md §2)', () => {
  it.each(['tomcat', 'tomcat-ECDSA'])('%s: every CUCM node and every IM&P node', (purpose) => {
    // GIVEN a 1+2 CUCM, 1+1 IM&P cluster WHEN coverage is computed THEN all five nodes, in rollout order
    expect(fqdns(multiServerCoverage(cluster(), getPurpose(purpose)))).toEqual([PUB, SUB, SUB2, IMP, IMP_SUB]);
  });

  it.each(['CallManager', 'CallManager-ECDSA'])('%s: CUCM nodes only', (purpose) => {
    // GIVEN the cluster WHEN coverage is computed THEN the CUCM nodes
    expect(fqdns(multiServerCoverage(cluster(), getPurpose(purpose)))).toEqual([PUB, SUB, SUB2]);
  });

  it('CallManager: keeps a node without the CallManager service when told to keep it', () => {
    // GIVEN a TFTP-only node and callManagerIncludeInactiveNodes true WHEN computed THEN it is covered
    expect(fqdns(multiServerCoverage(cluster({ tftpNode: true, callManagerIncludeInactiveNodes: true }), getPurpose('CallManager')))).toEqual([PUB, SUB, SUB2, TFTP_NODE]);
  });

  it('CallManager: drops a node without the CallManager service when told to drop it', () => {
    // GIVEN a TFTP-only node and callManagerIncludeInactiveNodes false WHEN computed THEN it is not covered
    expect(fqdns(multiServerCoverage(cluster({ tftpNode: true, callManagerIncludeInactiveNodes: false }), getPurpose('CallManager')))).toEqual([PUB, SUB, SUB2]);
  });

  it('names the nodes that need the explicit keep/drop choice', () => {
    // GIVEN a TFTP-only node WHEN asked THEN exactly it
    expect(fqdns(nodesWithoutCallManager(cluster({ tftpNode: true })))).toEqual([TFTP_NODE]);
    expect(nodesWithoutCallManager(cluster())).toEqual([]);
  });

  it('tomcat keeps a node without the CallManager service (the keep/drop choice is for CallManager only)', () => {
    // GIVEN callManagerIncludeInactiveNodes false WHEN tomcat coverage is computed THEN the TFTP node is in
    expect(fqdns(multiServerCoverage(cluster({ tftpNode: true, callManagerIncludeInactiveNodes: false }), getPurpose('tomcat')))).toContain(TFTP_NODE);
  });

  it.each(['cup-xmpp', 'cup-xmpp-ECDSA', 'cup-xmpp-s2s', 'cup-xmpp-s2s-ECDSA'])('%s: IM&P nodes only', (purpose) => {
    // GIVEN the cluster WHEN computed THEN the IM&P nodes (federation or not)
    expect(fqdns(multiServerCoverage(cluster(), getPurpose(purpose)))).toEqual([IMP, IMP_SUB]);
  });

  it('TVS: CUCM nodes (the catalog reading; §2 gives TVS no coverage line)', () => {
    // GIVEN the cluster WHEN computed THEN the CUCM nodes
    expect(fqdns(multiServerCoverage(cluster(), getPurpose('TVS')))).toEqual([PUB, SUB, SUB2]);
  });
});

describe('upload node and common name', () => {
  it('uploads CUCM and shared purposes on the CUCM publisher, IM&P-only purposes on the IM&P database publisher', () => {
    // GIVEN the cluster WHEN asked THEN as DOMAIN.md §3 install 1 and 3
    expect(uploadNode(cluster(), getPurpose('tomcat'))?.fqdn).toBe(PUB);
    expect(uploadNode(cluster(), getPurpose('CallManager'))?.fqdn).toBe(PUB);
    expect(uploadNode(cluster(), getPurpose('cup-xmpp'))?.fqdn).toBe(IMP);
  });

  it('names the multi-server CSR after the publisher with -ms, by its release (15.0: after the host name)', () => {
    // GIVEN the cluster (release 15.0) WHEN the CN is built THEN cs-ccm-pub-ms.example.com (DOMAIN.md §2, seed 000; 10.5: test/catalog/multi-server-cn.test.ts)
    expect(multiServerCommonName(cluster(), getPurpose('tomcat'))).toBe('cs-ccm-pub-ms.example.com');
    expect(multiServerCommonName(cluster(), getPurpose('CallManager'))).toBe('cs-ccm-pub-ms.example.com');
    // AND IM&P-only purposes after the IM&P database publisher (the catalog reading)
    expect(multiServerCommonName(cluster(), getPurpose('cup-xmpp'))).toBe('cs-imp-ms.example.com');
  });
});
