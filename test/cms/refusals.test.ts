/**
 * What the CMS planner and the normalizers refuse, each with a message that names the
 * declaration, the value and the fix.
 */
import { describe, expect, it } from 'vitest';
import { buildCmsCertificate, buildCmsCluster } from '../../lib/inventory/cms-input';
import { DeclarationError } from '../../lib/model';
import { CMS1, CMS2, CMS3, certInput, clusterInput, declarations, errorOf, plan, planOf } from './helpers';

const refused = (fn: () => unknown) => {
  const e = errorOf(fn);
  expect(e).toBeInstanceOf(DeclarationError);
  return e.message;
};

describe('cluster declarations', () => {
  it('names the prop, the value and the fix for a bad single value', () => {
    const bad = (over: Parameters<typeof clusterInput>[0]) => refused(() => buildCmsCluster(clusterInput(over), 'cmsClusters[0]'));
    expect(bad({ version: '2.8' })).toMatch(/cmsClusters\[0\]\.version must be a Meeting Server release 2\.9 or later.*"2\.8"/);
    expect(bad({ joinUrl: 'https://join.example.com/' })).toMatch(/joinUrl must be the join URL's host name such as 'join\.example\.com'/);
    expect(bad({ clusterFqdn: 'not a name' })).toMatch(/clusterFqdn must be a fully qualified domain name.*"not a name"/);
    expect(bad({ servers: [{ fqdn: CMS1, services: ['webbridge2'] }] })).toMatch(/servers\[0\]\.services\[0\] must be one of 'webadmin'.*"webbridge2"/);
    expect(bad({ servers: [{ fqdn: CMS1, databaseRole: 'master' }] })).toMatch(/servers\[0\]\.databaseRole must be one of 'primary', 'replica', 'connect-only', 'none', got "master"/);
    expect(bad({ servers: [{ fqdn: CMS1, databaseInterface: 'eth0' }] })).toMatch(/databaseInterface must be an MMP interface a to e/);
    expect(bad({ servers: [{ fqdn: CMS1 }, { fqdn: CMS1 }] })).toMatch(/server 'cms1\.example\.com' is declared twice/);
    expect(bad({ databaseCertificates: { caCommonName: 'my domain' } })).toMatch(/caCommonName must be the built-in CA's common name/);
    expect(bad({ credentials: { passwordEnv: 'hunter2!' } })).toMatch(/passwordEnv must name an environment variable/);
  });

  it('refuses a misspelt key rather than falling back to a default', () => {
    const msg = refused(() => buildCmsCluster({ ...clusterInput(), databaseCertificate: { caCommonName: 'x' } } as never, 'cmsClusters[0]'));
    expect(msg).toMatch(/cmsClusters\[0\]: unknown key 'databaseCertificate': use name, version, servers/);
  });

  it('refuses services the release does not have (3.0 removed xmpp and webbridge, added webbridge3)', () => {
    expect(refused(() => plan([], { version: '3.8' }))).toMatch(/server 'cms1\.example\.com' runs webbridge, which Meeting Server 3\.8 does not have.*use webbridge3 on 3\.x/);
    expect(refused(() => plan([], { version: '3.8' }))).toMatch(/runs xmpp, which Meeting Server 3\.8 does not have.*drop xmpp/);
    expect(refused(() => plan([], { servers: [{ fqdn: CMS1, services: ['webbridge3'] }], databaseCertificates: undefined }))).toMatch(/runs webbridge3, which Meeting Server 2\.9 does not have/);
  });

  it('refuses two services on one port (webadmin and webbridge both default to 443)', () => {
    const msg = refused(() => plan([], { servers: [{ fqdn: CMS1, services: ['webadmin', 'webbridge'], databaseRole: 'primary' }] }));
    expect(msg).toMatch(/server 'cms1\.example\.com' runs webadmin and webbridge on port 443: move one, e\.g\. ports: \{ webadmin-https: 445 \}/);
  });

  it('refuses a database cluster without one primary', () => {
    const two = [{ fqdn: CMS1, databaseRole: 'primary' }, { fqdn: CMS2, databaseRole: 'primary' }];
    expect(refused(() => plan([], { servers: two }))).toMatch(/cms1\.example\.com, cms2\.example\.com are all database primaries: declare one primary/);
    const none = [{ fqdn: CMS1, databaseRole: 'replica' }, { fqdn: CMS2, databaseRole: 'connect-only' }];
    expect(refused(() => plan([], { servers: none, databaseCertificates: undefined }))).toMatch(/need a database primary: set databaseRole primary/);
    expect(refused(() => plan([], { servers: [{ fqdn: CMS1 }] }))).toMatch(/databaseCertificates needs a database primary/);
  });
});

describe('certificate declarations', () => {
  it('refuses scopes the CSR table does not have', () => {
    expect(refused(() => plan([{ service: 'xmpp', scope: 'per-server', server: CMS1 }]))).toMatch(/a xmpp certificate is clustered only \(DOMAIN\.md §4\), not per-server: set scope clustered/);
    expect(refused(() => plan([{ service: 'webadmin', scope: 'clustered' }]))).toMatch(/a webadmin certificate is per-server only.*set scope per-server/);
  });

  it('refuses a per-server certificate without its server, for a server not declared, or one without the service', () => {
    expect(refused(() => plan([{ service: 'webadmin' }]))).toMatch(/a per-server certificate needs 'server'/);
    expect(refused(() => plan([{ service: 'webadmin', server: 'cms9.example.com' }]))).toMatch(/server 'cms9\.example\.com' is not in cluster 'meet': use one of cms1\.example\.com, cms2\.example\.com, cms3\.example\.com/);
    expect(refused(() => plan([{ service: 'webbridge', server: CMS3 }]))).toMatch(/server 'cms3\.example\.com' does not run webbridge: add it to the server's services/);
  });

  it('refuses a clustered certificate naming a server, or without the cluster FQDN', () => {
    expect(refused(() => plan([{ service: 'callbridge', scope: 'clustered', server: CMS1 }]))).toMatch(/'server' is for per-server certificates: remove server 'cms1\.example\.com'/);
    expect(refused(() => plan([{ service: 'callbridge', scope: 'clustered' }], { clusterFqdn: undefined }))).toMatch(/needs the cluster's clusterFqdn: declare it on cluster 'meet'/);
  });

  it('refuses a webbridge certificate without join URL or XMPP domain', () => {
    expect(refused(() => plan([{ service: 'webbridge', server: CMS1 }], { joinUrl: undefined }))).toMatch(/needs the cluster's joinUrl/);
    expect(refused(() => plan([{ service: 'webbridge', server: CMS1 }], { xmppDomains: [] }))).toMatch(/needs the cluster's xmppDomains/);
  });

  it('needs a key file for a CA certificate and refuses one for a server-made key', () => {
    expect(refused(() => plan([{ service: 'webadmin', server: CMS1, key: undefined }]))).toMatch(/a certificate from the CA needs 'key' \(the private key file.*or use source server-csr/);
    expect(refused(() => plan([{ service: 'webadmin', server: CMS1, source: 'server-csr', key: 'k.key' }]))).toMatch(/source server-csr makes the key on the server with pki csr: remove key 'k\.key'/);
    expect(refused(() => plan([{ service: 'webadmin', server: CMS1, renewal: '2027' }]))).toMatch(/'renewal' names a new server-made key: it is only for source server-csr/);
  });

  it('refuses two certificates for one service on one server', () => {
    const msg = refused(() => plan([{ service: 'callbridge', scope: 'clustered' }, { service: 'callbridge', server: CMS2 }]));
    expect(msg).toMatch(/server 'cms2\.example\.com' already gets a callbridge certificate from cmsCertificates\[0\]/);
  });

  it('refuses an unknown cluster or CA, and says when the cluster is a CUCM one', () => {
    const decls = declarations([{ service: 'webadmin', server: CMS1, cluster: 'lab', ca: 'nope' }]);
    const withCucm = { ...decls, clusters: [{ name: 'lab' } as never] };
    const msg = refused(() => planOf(withCucm));
    expect(msg).toMatch(/CMS cluster 'lab' is not declared: 'lab' is a CUCM cluster: a CMS certificate names a cmsClusters entry/);
    expect(msg).toMatch(/certificate authority 'nope' is not declared/);
  });

  it('names bad single values of a certificate', () => {
    const bad = (over: Parameters<typeof certInput>[0]) => refused(() => buildCmsCertificate(certInput(over), 'cmsCertificates[2]'));
    expect(bad({ service: 'tomcat' })).toMatch(/cmsCertificates\[2\]\.service must be one of 'webadmin'.*"tomcat"/);
    expect(bad({ service: 'webadmin', source: 'openssl' })).toMatch(/source must be one of 'ca', 'server-csr', got "openssl"/);
    expect(bad({ service: 'webadmin', subject: { country: 'Germany' } })).toMatch(/subject\.country must be a two-letter ISO code/);
    expect(bad({ service: 'webadmin', subject: { organization: 'Example Inc' } })).toMatch(/subject\.organization must be one word without spaces or commas/);
    expect(bad({ service: 'webadmin', extra: 1 } as never)).toMatch(/cmsCertificates\[2\]: unknown key 'extra'/);
  });

  it('collects every problem in one error', () => {
    const e = errorOf(() => plan([{ service: 'webadmin' }, { service: 'webbridge', server: CMS3 }])) as DeclarationError;
    expect(e.problems.length).toBe(2);
  });
});
