/**
 * The window's declarations in an inventory (issue 12): `timing` on a cluster and a node,
 * `callManagerGroups`, `imPresence.subclusters`; each mistake named by its path.
 */
import { describe, expect, it } from 'vitest';
import { inventoryToDeclarations } from '../../lib/inventory';

function inventory(cluster: Record<string, unknown>): unknown {
  return {
    clusters: [
      {
        name: 'dc1',
        publisher: 'cucm-pub.example.com',
        subscribers: ['cucm-sub1.example.com', { fqdn: 'cucm-sub2.example.com', timing: { restartFactor: 1.5 } }],
        imPresence: { databasePublisher: 'imp-pub.example.com', subscribers: ['imp-sub1.example.com'], ...((cluster.imPresence as object) ?? {}) },
        ...Object.fromEntries(Object.entries(cluster).filter(([k]) => k !== 'imPresence')),
      },
    ],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
    certificates: [{ cluster: 'dc1', purpose: 'tomcat', certificate: 'certs/tomcat.pem', ca: 'corp' }],
  };
}

describe('timing and availability in the inventory', () => {
  it('reads timing, CallManager groups and IM&P subclusters (member FQDNs lower-cased)', () => {
    // GIVEN a cluster with all three
    const decls = inventoryToDeclarations(
      inventory({
        timing: { restartSeconds: { 'Cisco Tomcat': 600 }, stepSeconds: { 'upload-identity': 180, 'tomcat/manual/drf-backup': 1800 }, manualSeconds: 120 },
        callManagerGroups: [{ name: 'HQ group', members: ['CUCM-PUB.example.com', 'cucm-sub1.example.com'] }],
        imPresence: { subclusters: [{ name: 'S1', members: ['imp-pub.example.com', 'imp-sub1.example.com'] }] },
      }),
    );
    // THEN the declarations carry them
    const c = decls.clusters[0];
    expect(c.timing).toEqual({ restartSeconds: { 'Cisco Tomcat': 600 }, stepSeconds: { 'upload-identity': 180, 'tomcat/manual/drf-backup': 1800 }, manualSeconds: 120 });
    expect(c.callManagerGroups).toEqual([{ name: 'HQ group', members: ['cucm-pub.example.com', 'cucm-sub1.example.com'] }]);
    expect(c.impSubclusters).toEqual([{ name: 'S1', members: ['imp-pub.example.com', 'imp-sub1.example.com'] }]);
    expect(c.nodes.find((n) => n.fqdn === 'cucm-sub2.example.com')!.timing).toEqual({ restartFactor: 1.5 });
  });

  it('names every mistake by its path', () => {
    const bad = () =>
      inventoryToDeclarations(
        inventory({
          timing: { restartSeconds: { 'Cisco Tomcatt': 600 }, manualSeconds: -1, restartFactor: 0, stepsSeconds: {} },
          callManagerGroups: [{ name: 'G1', members: ['cucm-pub.example.com'] }, { name: 'G2', members: ['cucm-pub.example.com', 'imp-pub.example.com'] }],
        }),
      );
    expect(bad).toThrow(/clusters\[0\]\.timing\.restartSeconds\.Cisco Tomcatt is not a known service/);
    expect(bad).toThrow(/clusters\[0\]\.timing\.manualSeconds must be a whole number of seconds/);
    expect(bad).toThrow(/clusters\[0\]\.timing\.restartFactor must be a number above 0/);
    expect(bad).toThrow(/clusters\[0\]\.timing: unknown key 'stepsSeconds'/);
  });

  it('refuses groups and subclusters whose members cannot be right, named by their path', () => {
    const bad = () =>
      inventoryToDeclarations(
        inventory({
          callManagerGroups: [{ name: 'G1', members: ['cucm-pub.example.com'] }, { name: 'G2', members: ['cucm-pub.example.com', 'imp-pub.example.com'] }],
          imPresence: { subclusters: [{ name: 'S1', members: ['cucm-sub1.example.com'] }] },
        }),
      );
    expect(bad).toThrow(/clusters\[0\]\.callManagerGroups\[0\] 'G1' has one member/);
    expect(bad).toThrow(/clusters\[0\]\.callManagerGroups\[1\] 'G2': member 'imp-pub\.example\.com' is an IM and Presence node/);
    expect(bad).toThrow(/clusters\[0\]\.imPresence\.subclusters\[0\] 'S1': member 'cucm-sub1\.example\.com' is a CUCM node/);
  });
});
