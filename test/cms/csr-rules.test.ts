/**
 * The CSR table of DOMAIN.md §4, one test per service and mode, on the pure rule function:
 * the `pki csr` line and the names it requests. The CN is in the SAN list whenever SANs are given.
 */
import { describe, expect, it } from 'vitest';
import { cmsCsr, cmsCsrCommand } from '../../lib/catalog';
import { buildCmsCluster } from '../../lib/inventory/cms-input';
import { checkCmsBasename, findCmsServer } from '../../lib/model';
import { CLUSTER_FQDN, CMS1, CMS2, CMS3, DOMAIN, JOIN, clusterInput, errorOf } from './helpers';

const cluster = buildCmsCluster(clusterInput(), 'test');
const csr = (service: Parameters<typeof cmsCsr>[0]['service'], scope: 'per-server' | 'clustered', c = cluster) =>
  cmsCsr({ cluster: c, service, scope, server: scope === 'per-server' ? findCmsServer(c, CMS1) : undefined, basename: 'b1' });

describe('CSR rules per service (DOMAIN.md §4)', () => {
  it('webadmin: CN = server FQDN, no SANs', () => {
    // GIVEN a webadmin certificate of cms1  WHEN its CSR is made
    const r = csr('webadmin', 'per-server');
    // THEN the command names the server only
    expect(r.command).toBe(`pki csr b1 CN:${CMS1}`);
    expect(r.subjectAltNames).toEqual([]);
  });

  it('webbridge: CN = server FQDN, SANs = join URL and XMPP domain, with the CN first', () => {
    // GIVEN a webbridge certificate of cms1  WHEN its CSR is made
    const r = csr('webbridge', 'per-server');
    // THEN the SANs hold the join URL and the XMPP domain, and the CN (a SAN list must contain it)
    expect(r.commonName).toBe(CMS1);
    expect(r.subjectAltNames).toEqual([CMS1, JOIN, DOMAIN]);
    expect(r.command).toBe(`pki csr b1 CN:${CMS1} subjectAltName:${CMS1},${JOIN},${DOMAIN}`);
  });

  it('webbridge: every XMPP domain goes into the SANs', () => {
    // GIVEN two XMPP domains
    const c = buildCmsCluster(clusterInput({ xmppDomains: [DOMAIN, 'example.org'] }), 't');
    // WHEN a webbridge CSR is made THEN both are listed after the join URL
    expect(csr('webbridge', 'per-server', c).subjectAltNames).toEqual([CMS1, JOIN, DOMAIN, 'example.org']);
  });

  it('webbridge3 (3.x, no XMPP server): SANs = join URL and the CN', () => {
    // GIVEN a 3.x cluster running webbridge3
    const c = buildCmsCluster(clusterInput({ version: '3.8', servers: [{ fqdn: CMS1, services: ['webbridge3'] }] }), 't');
    // WHEN its CSR is made THEN the join URL is a SAN beside the CN
    expect(csr('webbridge3', 'per-server', c).command).toBe(`pki csr b1 CN:${CMS1} subjectAltName:${CMS1},${JOIN}`);
  });

  it('callbridge per server: CN = server FQDN only', () => {
    expect(csr('callbridge', 'per-server').command).toBe(`pki csr b1 CN:${CMS1}`);
  });

  it('callbridge clustered: CN = cluster FQDN, SANs = the callbridge peers (and the CN)', () => {
    // GIVEN callbridge on all three servers  WHEN the clustered CSR is made
    const r = csr('callbridge', 'clustered');
    // THEN CN is the cluster FQDN and the SANs list it and every peer
    expect(r.command).toBe(`pki csr b1 CN:${CLUSTER_FQDN} subjectAltName:${CLUSTER_FQDN},${CMS1},${CMS2},${CMS3}`);
  });

  it('turn clustered: peers are the servers running turn only', () => {
    // GIVEN turn on cms1 and cms3 only
    const c = buildCmsCluster(
      clusterInput({ servers: [{ fqdn: CMS1, services: ['turn'] }, { fqdn: CMS2, services: ['callbridge'] }, { fqdn: CMS3, services: ['turn'] }] }),
      't',
    );
    // WHEN the clustered turn CSR is made THEN cms2 is not a SAN
    expect(csr('turn', 'clustered', c).subjectAltNames).toEqual([CLUSTER_FQDN, CMS1, CMS3]);
  });

  it('turn per server: CN only', () => {
    const c = buildCmsCluster(clusterInput({ servers: [{ fqdn: CMS1, services: ['turn'] }] }), 't');
    expect(csr('turn', 'per-server', c).command).toBe(`pki csr b1 CN:${CMS1}`);
  });

  it('xmpp clustered: CN = cluster FQDN, SANs = XMPP domain then the peers', () => {
    const r = csr('xmpp', 'clustered');
    expect(r.subjectAltNames).toEqual([CLUSTER_FQDN, DOMAIN, CMS1, CMS2, CMS3]);
    expect(r.command).toBe(`pki csr b1 CN:${CLUSTER_FQDN} subjectAltName:${CLUSTER_FQDN},${DOMAIN},${CMS1},${CMS2},${CMS3}`);
  });

  it('puts the CN into every SAN list it makes', () => {
    // GIVEN every service and scope the table has
    const cases = [csr('webbridge', 'per-server'), csr('callbridge', 'clustered'), csr('xmpp', 'clustered')];
    // THEN whenever SANs are given they contain the CN
    for (const r of cases) expect(r.subjectAltNames).toContain(r.commonName);
  });

  it('does not repeat a name that is both CN and peer', () => {
    // GIVEN a cluster FQDN equal to a server FQDN (a cluster of one)
    const c = buildCmsCluster(clusterInput({ clusterFqdn: CMS1, servers: [{ fqdn: CMS1, services: ['xmpp'] }] }), 't');
    // THEN it is listed once
    expect(csr('xmpp', 'clustered', c).subjectAltNames).toEqual([CMS1, DOMAIN]);
  });
});

describe('CSR rules: what the table does not have', () => {
  it('refuses a per-server xmpp certificate and a clustered webadmin one', () => {
    expect(() => csr('xmpp', 'per-server')).toThrow(/xmpp certificates are clustered only/);
    expect(() => csr('webadmin', 'clustered')).toThrow(/webadmin certificates are per-server only/);
  });

  it('needs the join URL for webbridge, the XMPP domain for xmpp, the cluster FQDN when clustered', () => {
    const none = buildCmsCluster(clusterInput({ joinUrl: undefined, xmppDomains: [], clusterFqdn: undefined }), 't');
    expect(errorOf(() => csr('webbridge', 'per-server', none)).message).toMatch(/needs the cluster's joinUrl: declare it on cluster 'meet'/);
    expect(errorOf(() => csr('callbridge', 'clustered', none)).message).toMatch(/needs the cluster's clusterFqdn/);
    const noDomain = buildCmsCluster(clusterInput({ xmppDomains: [] }), 't');
    expect(errorOf(() => csr('xmpp', 'clustered', noDomain)).message).toMatch(/needs the cluster's xmppDomains/);
  });
});

describe('CSR syntax (DOMAIN.md §4)', () => {
  it('orders the optional subject fields as the syntax gives them: OU, O, ST, C, then SANs', () => {
    // GIVEN every optional field
    const line = cmsCsrCommand('b1', { commonName: CMS1, subjectAltNames: [CMS1, JOIN] }, { country: 'GB', state: 'Bucks', organization: 'Example', organizationalUnit: 'IT' });
    // THEN they follow CN in the order of the syntax
    expect(line).toBe(`pki csr b1 CN:${CMS1} OU:IT O:Example ST:Bucks C:GB subjectAltName:${CMS1},${JOIN}`);
  });

  it('limits the basename to letters, digits, - and _', () => {
    expect(checkCmsBasename('basename', 'webadmin-2027_a')).toBeUndefined();
    for (const bad of ['web admin', 'web.admin', 'a/b', '', 'née']) {
      expect(checkCmsBasename('basename', bad), bad).toMatch(/only letters, digits, '-' and '_'/);
    }
  });
});
