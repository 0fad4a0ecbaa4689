/**
 * The inventory form of Meeting Server clusters (cmsClusters, cmsCertificates): defaults,
 * errors naming the path in the file, and the published JSON Schema.
 */
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { inventoryToDeclarations, loadInventory } from '../../lib/inventory';
import { CMS1, CMS2, CMS3 } from './helpers';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'cms.yaml');
const schema = JSON.parse(readFileSync(join(ROOT, 'lib', 'inventory', 'inventory.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

const minimal = () => ({
  cmsClusters: [{ name: 'meet', version: '3.8', servers: [{ fqdn: CMS1, services: ['webadmin', 'callbridge'], databaseRole: 'primary' }] }],
  certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
  cmsCertificates: [{ cluster: 'meet', service: 'webadmin', server: CMS1, certificate: 'certs/wa.pem', key: 'keys/wa.key', ca: 'corp' }],
});

describe('examples/cms.yaml', () => {
  it('loads: three servers in the database cluster, callbridge on all, webbridge on two, xmpp clustered', () => {
    const { declarations } = loadInventory(EXAMPLE);
    const c = declarations.cmsClusters![0];
    expect(c.servers.map((s) => [s.fqdn, s.databaseRole])).toEqual([
      [CMS1, 'primary'],
      [CMS2, 'replica'],
      [CMS3, 'replica'],
    ]);
    expect(c.servers.filter((s) => s.services.includes('callbridge'))).toHaveLength(3);
    expect(c.servers.filter((s) => s.services.includes('webbridge'))).toHaveLength(2);
    const xmpp = declarations.cmsCertificates!.filter((x) => x.service === 'xmpp');
    expect(xmpp.map((x) => x.scope)).toEqual(['clustered']);
    expect(c.databaseCertificates).toEqual({ caCommonName: 'example.com' });
    expect(declarations.clusters).toEqual([]);
  });

  it('conforms to the published JSON Schema', () => {
    const data = parse(readFileSync(EXAMPLE, 'utf8'));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('the inventory form', () => {
  it('fills in the defaults', () => {
    const d = inventoryToDeclarations(minimal());
    const s = d.cmsClusters![0].servers[0];
    expect(s).toMatchObject({ address: CMS1, databaseInterface: 'a', sshHostKeys: [], ports: {} });
    expect(d.cmsClusters![0]).toMatchObject({ version: '3.8', xmppDomains: [], credentials: { usernameEnv: 'UCROLLOUT_USERNAME', passwordEnv: 'UCROLLOUT_PASSWORD' } });
    expect(d.cmsCertificates![0]).toMatchObject({ scope: 'per-server', source: 'ca' });
    expect(inventoryToDeclarations({ ...minimal(), cmsCertificates: [{ cluster: 'meet', service: 'xmpp', certificate: 'x', ca: 'corp', source: 'server-csr' }] }).cmsCertificates![0].scope).toBe('clustered');
  });

  it('reads a YAML number version as its text', () => {
    const d = inventoryToDeclarations({ ...minimal(), cmsClusters: [{ ...minimal().cmsClusters[0], version: 2.9 }] });
    expect(d.cmsClusters![0].version).toBe('2.9');
  });

  it('leaves CUCM-only inventories as they were (no CMS keys)', () => {
    const d = inventoryToDeclarations({ clusters: [{ name: 'lab', publisher: 'cs-ccm-pub.example.com' }], certificateAuthorities: [], certificates: [] });
    expect('cmsClusters' in d).toBe(false);
    expect('cmsCertificates' in d).toBe(false);
  });

  it('names the path in the file for each problem', () => {
    const data = minimal() as any;
    data.cmsClusters[0].servers[0].databaseRole = 'master';
    data.cmsClusters[0].servers.push({ fqdn: CMS2, service: ['webadmin'] });
    data.cmsCertificates[0].scope = 'cluster';
    expect(() => inventoryToDeclarations(data, 'cms.yaml')).toThrow(/cms\.yaml: cmsClusters\[0\]\.servers\[0\]\.databaseRole must be one of/);
    expect(() => inventoryToDeclarations(data, 'cms.yaml')).toThrow(/cms\.yaml: cmsClusters\[0\]\.servers\[1\]: unknown key 'service': use fqdn, address, services/);
    expect(() => inventoryToDeclarations(data, 'cms.yaml')).toThrow(/cms\.yaml: cmsCertificates\[0\]\.scope must be one of 'per-server', 'clustered', got "cluster"/);
  });

  it('accepts the new top-level keys and still refuses unknown ones', () => {
    expect(() => inventoryToDeclarations({ ...minimal(), cmsCluster: [] }, 'inv.yaml')).toThrow(/unknown key 'cmsCluster': use clusters, certificateAuthorities, certificates, trustEntries, cmsClusters, cmsCertificates/);
  });

  it('the schema refuses what the loader refuses', () => {
    expect(validate(minimal())).toBe(true);
    const bad = (f: (d: any) => void) => {
      const d = minimal() as any;
      f(d);
      return validate(d);
    };
    expect(bad((d) => (d.cmsClusters[0].servers[0].services = ['webbridge2']))).toBe(false);
    expect(bad((d) => (d.cmsClusters[0].servers[0].databaseRole = 'master'))).toBe(false);
    expect(bad((d) => (d.cmsCertificates[0].basename = 'a.b'))).toBe(false);
    expect(bad((d) => (d.cmsCertificates[0].extra = 1))).toBe(false);
    expect(bad((d) => delete d.cmsClusters[0].version)).toBe(false);
  });

  it('lists every CMS service in the schema', async () => {
    const { CMS_SERVICES } = await import('../../lib/model');
    expect([...schema.$defs.cmsService.enum].sort()).toEqual([...CMS_SERVICES].sort());
  });
});
