/**
 * Restart rules per purpose (DOMAIN.md §3 install 4, §5): which services, in which order, on
 * which nodes; and the ports where each purpose is presented (DOMAIN.md §6). The rules are
 * evaluated on a reference cluster so the expected node sets can be written from DOMAIN.md.
 */
import { describe, expect, it } from 'vitest';
import {
  PREFLIGHT_SERVICES,
  PURPOSES,
  Service,
  TRUST_ENTRY_RESTARTS,
  getPurpose,
  multiServerCoverage,
  runsService,
  selectNodes,
  serviceSlug,
} from '../../lib/catalog';
import { findNode } from '../../lib/model';
import { IMP, IMP_SUB, PUB, SUB, SVC, TFTP_NODE, cluster } from '../plan/helpers';

/** cs-ccm-pub, cs-ccm-sub, cs-ccm-sub2, cs-ccm-tftp (TFTP only, kept), cs-imp (federation), cs-imp-sub. */
const C = cluster({ tftpNode: true, callManagerIncludeInactiveNodes: true });
const CUCM_ALL = ['cs-ccm-pub', 'cs-ccm-sub', 'cs-ccm-sub2', 'cs-ccm-tftp'];
const CM_NODES = ['cs-ccm-pub', 'cs-ccm-sub', 'cs-ccm-sub2'];
const IMP_ALL = ['cs-imp', 'cs-imp-sub'];

/** What each purpose restarts, in order, with the nodes (labels, rollout order), for the covered nodes given. */
const EXPECTED: Record<string, { covered: string[]; restarts: [string, string[]][] }> = {
  // §5: Tomcat on every node; UDS and AXL Tomcat on CUCM nodes; DRF Master on the publisher; DRF Local on every node
  tomcat: {
    covered: [...CUCM_ALL, ...IMP_ALL],
    restarts: [
      [SVC.TOMCAT, [...CUCM_ALL, ...IMP_ALL]],
      [SVC.UDS_TOMCAT, CUCM_ALL],
      [SVC.AXL_TOMCAT, CUCM_ALL],
      [SVC.DRF_MASTER, ['cs-ccm-pub']],
      [SVC.DRF_LOCAL, [...CUCM_ALL, ...IMP_ALL]],
    ],
  },
  // §5 order TVS, TFTP, CallManager, CTIManager; §3: feature services where activated, TVS (network service) on every CUCM node
  CallManager: {
    covered: CUCM_ALL,
    restarts: [
      [SVC.TVS, CUCM_ALL],
      [SVC.TFTP, CUCM_ALL],
      [SVC.CALLMANAGER, CM_NODES],
      [SVC.CTIMANAGER, CM_NODES],
    ],
  },
  // §5: TVS, TFTP, CAPF (CAPF lives on the publisher; TVS/TFTP on the CUCM nodes is the catalog's reading)
  CAPF: {
    covered: ['cs-ccm-pub'],
    restarts: [
      [SVC.TVS, CUCM_ALL],
      [SVC.TFTP, CUCM_ALL],
      [SVC.CAPF, ['cs-ccm-pub']],
    ],
  },
  // §5: TFTP, then TVS
  TVS: {
    covered: CUCM_ALL,
    restarts: [
      [SVC.TFTP, CUCM_ALL],
      [SVC.TVS, CUCM_ALL],
    ],
  },
  // §5: DRF Master on the publisher, DRF Local on every node (issue 11: not only where the certificate changed)
  ipsec: {
    covered: ['cs-ccm-sub', 'cs-imp'],
    restarts: [
      [SVC.DRF_MASTER, ['cs-ccm-pub']],
      [SVC.DRF_LOCAL, [...CUCM_ALL, ...IMP_ALL]],
    ],
  },
  // §3: Cisco SIP Proxy (and Presence Engine) on the node
  cup: {
    covered: ['cs-imp-sub'],
    restarts: [
      [SVC.SIP_PROXY, ['cs-imp-sub']],
      [SVC.PRESENCE_ENGINE, ['cs-imp-sub']],
    ],
  },
  // §3: Cisco XCP Router on every IM&P node
  'cup-xmpp': { covered: IMP_ALL, restarts: [[SVC.XCP_ROUTER, IMP_ALL]] },
  // §3: the federation connection manager on every federation node
  'cup-xmpp-s2s': { covered: IMP_ALL, restarts: [[SVC.XCP_FEDERATION, ['cs-imp']]] },
};

const label = (fqdn: string) => fqdn.split('.')[0];
const byLabel = (l: string) => C.nodes.find((n) => label(n.fqdn) === l)!;

describe('restart rules per purpose (DOMAIN.md §3, §5)', () => {
  it.each(PURPOSES.map((p) => [p.name, p.family] as const))('%s: services in order, on the right nodes', (name, family) => {
    // GIVEN the expected restarts of the family and the nodes its certificate covers
    const e = EXPECTED[family];
    expect(e, `no expected restarts for ${family}`).toBeDefined();
    const covered = e.covered.map(byLabel);
    // WHEN the catalog rules are applied to the reference cluster
    const actual = getPurpose(name).restarts.map((r) => [r.service, selectNodes(C, r.on, covered, r.service).map((n) => label(n.fqdn))]);
    // THEN the same services, in the same order, on the same nodes
    expect(actual).toEqual(e.restarts);
  });

  it('restarts the reader of a store after a trust entry: SIP Proxy for cup-trust, CallManager for CallManager-trust (§3 install 4)', () => {
    // GIVEN the trust-entry rules WHEN applied to the reference cluster
    const nodes = (store: string) => {
      const r = TRUST_ENTRY_RESTARTS[store];
      return [r.service, selectNodes(C, r.on, [], r.service).map((n) => label(n.fqdn))];
    };
    // THEN SIP Proxy on every IM&P node, CallManager where activated on CUCM
    expect(nodes('cup-trust')).toEqual([SVC.SIP_PROXY, IMP_ALL]);
    expect(nodes('CallManager-trust')).toEqual([SVC.CALLMANAGER, CM_NODES]);
    expect(Object.keys(TRUST_ENTRY_RESTARTS).sort()).toEqual(['CallManager-trust', 'cup-trust']);
  });
});

/** DOMAIN.md §6: where each purpose is presented. [port, handshake, service that listens and must restart]. */
const PORTS: Record<string, [number, 'tls' | 'xmpp-starttls', string][]> = {
  tomcat: [[8443, 'tls', SVC.TOMCAT]],
  CallManager: [
    [5061, 'tls', SVC.CALLMANAGER],
    [2749, 'tls', SVC.CTIMANAGER],
  ],
  CAPF: [[3804, 'tls', SVC.CAPF]],
  TVS: [[2445, 'tls', SVC.TVS]],
  ipsec: [],
  // "IM&P cup SIP TLS 5061/5062": both listeners of Cisco SIP Proxy present the cup certificate
  cup: [
    [5061, 'tls', SVC.SIP_PROXY],
    [5062, 'tls', SVC.SIP_PROXY],
  ],
  // 5222 client STARTTLS; served by XCP Router, the service §3 restarts (the catalog's reading)
  'cup-xmpp': [[5222, 'xmpp-starttls', SVC.XCP_ROUTER]],
  // 5269 server-to-server (XMPP STARTTLS, the catalog's reading; §6 does not say)
  'cup-xmpp-s2s': [[5269, 'xmpp-starttls', SVC.XCP_FEDERATION]],
};

describe('ports (DOMAIN.md §6)', () => {
  it.each(PURPOSES.map((p) => [p.name, p.family] as const))('%s: ports, handshake and serving service', (name, family) => {
    // GIVEN the §6 ports of the family WHEN the catalog entry is read
    const actual = getPurpose(name).ports.map((p) => [p.port, p.handshake, p.servedBy]);
    // THEN the same ports (order free)
    const sort = (xs: unknown[][]) => [...xs].sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(sort(actual)).toEqual(sort(PORTS[family]));
  });

  it('serves each port by a service that presents the certificate and that the rollout restarts', () => {
    // GIVEN every purpose WHEN its ports are read
    for (const p of PURPOSES) {
      const restarted = p.restarts.map((r) => r.service);
      for (const port of p.ports) {
        // THEN the new certificate is on the port after a restart the plan contains
        expect(restarted, `${p.name}:${port.port}`).toContain(port.servedBy);
        expect(p.presentedBy, `${p.name}:${port.port}`).toContain(port.servedBy);
      }
    }
  });

  it('gives each port a unique name per purpose (the key of node port overrides)', () => {
    // GIVEN every purpose WHEN the port names are listed THEN no duplicates
    for (const p of PURPOSES) expect(new Set(p.ports.map((x) => x.name)).size, p.name).toBe(p.ports.length);
  });
});

describe('services', () => {
  it('uses the service names utils service list prints', () => {
    // GIVEN §3 / §5 names WHEN the constants are read THEN equal
    expect(Service.TOMCAT).toBe('Cisco Tomcat');
    expect(Service.INTERCLUSTER_SYNC_AGENT).toBe('Cisco Intercluster Sync Agent');
    expect(Service.XCP_ROUTER).toBe('Cisco XCP Router');
    expect(Service.XCP_FEDERATION_CONNECTION_MANAGER).toBe('Cisco XCP XMPP Federation Connection Manager');
    expect(Service.TVS).toBe('Cisco Trust Verification Service');
    expect(Service.PLATFORM_ADMIN_WEB_SERVICE).toBe('Cisco Platform Administrative Web Service');
  });

  it('requires the platform web service and Tomcat in preflight (§3 preflight 1)', () => {
    // GIVEN the preflight list WHEN read THEN exactly those two
    expect([...PREFLIGHT_SERVICES].sort()).toEqual(['Cisco Platform Administrative Web Service', 'Cisco Tomcat']);
  });

  it('treats TVS as a network service on CUCM (runs everywhere) and CallManager as activated only', () => {
    // GIVEN the TFTP-only node WHEN asked THEN it runs TVS and TFTP, not CallManager
    const tftp = findNode(C, TFTP_NODE)!;
    expect(runsService(tftp, SVC.TVS)).toBe(true);
    expect(runsService(tftp, SVC.TFTP)).toBe(true);
    expect(runsService(tftp, SVC.CALLMANAGER)).toBe(false);
    // AND the ISA runs on IM&P nodes, not on CUCM
    expect(runsService(findNode(C, IMP)!, SVC.ISA)).toBe(true);
    expect(runsService(findNode(C, PUB)!, SVC.ISA)).toBe(false);
    // AND the federation manager only where activated
    expect(runsService(findNode(C, IMP)!, SVC.XCP_FEDERATION)).toBe(true);
    expect(runsService(findNode(C, IMP_SUB)!, SVC.XCP_FEDERATION)).toBe(false);
  });

  it('slugs service names for step ids', () => {
    // GIVEN service names WHEN slugged THEN lower-case, dash-separated
    expect(serviceSlug('Cisco Tomcat')).toBe('cisco-tomcat');
    expect(serviceSlug('Cisco XCP XMPP Federation Connection Manager')).toBe('cisco-xcp-xmpp-federation-connection-manager');
  });
});

describe('multi-server coverage used by the restarts', () => {
  it('covers the nodes the restart expectations assume', () => {
    // GIVEN the reference cluster (TFTP-only node kept) WHEN coverage is computed THEN as in EXPECTED
    for (const family of ['tomcat', 'CallManager', 'TVS', 'cup-xmpp', 'cup-xmpp-s2s']) {
      expect(multiServerCoverage(C, getPurpose(family)).map((n) => label(n.fqdn)), family).toEqual(EXPECTED[family].covered);
    }
    expect(findNode(C, SUB)).toBeDefined();
  });
});
