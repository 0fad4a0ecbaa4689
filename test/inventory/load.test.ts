/**
 * The inventory file (YAML or JSON) → declarations: the shape of issue 2, defaults, and errors
 * that name the path in the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryToDeclarations, loadInventory } from '../../lib/inventory';
import { DeclarationError } from '../../lib/model';

const EXAMPLES = resolve(__dirname, '../../examples');
const TMP = mkdtempSync(join(tmpdir(), 'ucrollout-inventory-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(TMP, name);
  writeFileSync(file, text);
  return file;
}

/** The YAML of issue 2, verbatim. */
const ISSUE_YAML = `clusters:
  - name: dc1
    publisher: cs-ccm-pub.example.com
    subscribers: [cs-ccm-sub.example.com]
    imPresence: { databasePublisher: cs-imp.example.com, subscribers: [] }
    securityMode: non-secure     # or mixed
    sso: false
certificateAuthorities:
  - { name: corp, root: ca/root.pem, intermediates: [ca/issuing.pem] }
certificates:
  - { cluster: dc1, purpose: tomcat, distribution: multi-server, certificate: certs/tomcat.pem, ca: corp }
`;

const PUB_DEFAULTS = ['Cisco CallManager', 'Cisco TFTP', 'Cisco CTIManager', 'Cisco Certificate Authority Proxy Function', 'Cisco DRF Master'];
const SUB_DEFAULTS = ['Cisco CallManager', 'Cisco TFTP', 'Cisco CTIManager'];
const IMP_DEFAULTS = ['Cisco SIP Proxy', 'Cisco Presence Engine', 'Cisco XCP Connection Manager', 'Cisco XCP Router'];
const sorted = (xs: readonly string[]) => [...xs].sort();

/** Parsed data of a minimal valid inventory, to break one field at a time. */
function minimal(): Record<string, any> {
  return {
    clusters: [{ name: 'dc1', publisher: 'cs-ccm-pub.example.com', subscribers: ['cs-ccm-sub.example.com'] }],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }],
    certificates: [{ cluster: 'dc1', purpose: 'tomcat', distribution: 'multi-server', certificate: 'certs/tomcat.pem', ca: 'corp' }],
  };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('the inventory shape of issue 2', () => {
  it('loads the YAML of the issue', () => {
    // GIVEN the issue's YAML in a file
    const file = write('issue.yaml', ISSUE_YAML);
    // WHEN loaded
    const { declarations: d, baseDir } = loadInventory(file);
    // THEN one cluster of three nodes with their roles, one CA, one certificate
    expect(baseDir).toBe(TMP);
    expect(d.clusters).toHaveLength(1);
    expect(d.clusters[0].nodes.map((n) => [n.fqdn, n.role])).toEqual([
      ['cs-ccm-pub.example.com', 'publisher'],
      ['cs-ccm-sub.example.com', 'subscriber'],
      ['cs-imp.example.com', 'imp-database-publisher'],
    ]);
    expect(d.clusters[0]).toMatchObject({ name: 'dc1', securityMode: 'non-secure', sso: false });
    expect(d.certificateAuthorities).toEqual([{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }]);
    expect(d.certificates).toEqual([
      { cluster: 'dc1', purpose: 'tomcat', distribution: 'multi-server', node: undefined, certificate: 'certs/tomcat.pem', ca: 'corp', csr: undefined },
    ]);
    expect(d.trustEntries).toEqual([]);
  });

  it('loads the same inventory written as JSON', () => {
    // GIVEN the issue's inventory as JSON
    const yaml = loadInventory(write('issue2.yaml', ISSUE_YAML)).declarations;
    const file = write('issue.json', JSON.stringify(minimalFromIssue(), null, 2));
    // WHEN loaded
    const json = loadInventory(file).declarations;
    // THEN the same declarations
    expect(json).toEqual(yaml);
  });

  it('loads examples/lab.yaml', () => {
    // GIVEN the lab example WHEN loaded
    const { declarations: d, baseDir } = loadInventory(join(EXAMPLES, 'lab.yaml'));
    // THEN the lab cluster with two multi-server certificates, paths relative to examples/
    expect(baseDir).toBe(EXAMPLES);
    expect(d.clusters.map((c) => c.name)).toEqual(['lab']);
    expect(d.clusters[0].nodes.map((n) => n.fqdn)).toEqual(['cs-ccm-pub.example.com', 'cs-ccm-sub.example.com', 'cs-imp.example.com']);
    // The default: seed 002's 30 minutes (issue 11: the lab no longer declares 0)
    expect(d.clusters[0].cleanupDelaySeconds).toBe(1800);
    expect(d.certificates.map((c) => `${c.purpose}/${c.distribution}/${c.certificate}`)).toEqual([
      'tomcat/multi-server/certs/lab-tomcat.pem',
      'CallManager/multi-server/certs/lab-callmanager.pem',
    ]);
  });

  it('loads examples/large.yaml', () => {
    // GIVEN the large example WHEN loaded
    const { declarations: d } = loadInventory(join(EXAMPLES, 'large.yaml'));
    const c = d.clusters[0];
    // THEN 1+5 CUCM and 2 IM&P nodes, mixed mode, SSO, the explicit CallManager drop, REST, its env names
    expect(c.nodes.filter((n) => n.role === 'publisher' || n.role === 'subscriber')).toHaveLength(6);
    expect(c.nodes.filter((n) => n.role.startsWith('imp-'))).toHaveLength(2);
    expect(c).toMatchObject({ securityMode: 'mixed', sso: true, callManagerIncludeInactiveNodes: false });
    expect(c.credentials).toEqual({ usernameEnv: 'LARGE_CUCM_USER', passwordEnv: 'LARGE_CUCM_PASSWORD' });
    expect(c.nodes.every((n) => n.api === 'rest' && n.version === '15.0')).toBe(true);
    expect(c.nodes.find((n) => n.fqdn === 'cucm-sub5.corp.example.com')!.services).toEqual(['Cisco TFTP']);
    expect(c.nodes.find((n) => n.fqdn === 'cucm-pub.corp.example.com')!.address).toBe('10.10.0.10');
    // AND xmppFederation adds the federation connection manager to imp-pub only
    expect(c.nodes.find((n) => n.fqdn === 'imp-pub.corp.example.com')!.services).toContain('Cisco XCP XMPP Federation Connection Manager');
    expect(c.nodes.find((n) => n.fqdn === 'imp-sub1.corp.example.com')!.services).not.toContain('Cisco XCP XMPP Federation Connection Manager');
    expect(d.certificates.map((x) => x.purpose)).toEqual(['tomcat', 'tomcat-ECDSA', 'CallManager', 'cup-xmpp', 'cup-xmpp-s2s']);
    expect(d.trustEntries).toEqual([
      { cluster: 'large', name: 'expressway-c-root', certificate: 'ca/expressway-root.pem', stores: ['tomcat-trust', 'CallManager-trust'] },
    ]);
  });
});

function minimalFromIssue(): Record<string, unknown> {
  return {
    clusters: [
      {
        name: 'dc1',
        publisher: 'cs-ccm-pub.example.com',
        subscribers: ['cs-ccm-sub.example.com'],
        imPresence: { databasePublisher: 'cs-imp.example.com', subscribers: [] },
        securityMode: 'non-secure',
        sso: false,
      },
    ],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }],
    certificates: [{ cluster: 'dc1', purpose: 'tomcat', distribution: 'multi-server', certificate: 'certs/tomcat.pem', ca: 'corp' }],
  };
}

describe('defaults', () => {
  const d = inventoryToDeclarations(minimalFromIssue());
  const c = d.clusters[0];
  const n = (fqdn: string) => c.nodes.find((x) => x.fqdn === fqdn)!;

  it('activates the usual services per role', () => {
    // GIVEN nodes given as bare FQDNs WHEN loaded THEN each role gets its default services
    expect(sorted(n('cs-ccm-pub.example.com').services)).toEqual(sorted(PUB_DEFAULTS));
    expect(sorted(n('cs-ccm-sub.example.com').services)).toEqual(sorted(SUB_DEFAULTS));
    expect(sorted(n('cs-imp.example.com').services)).toEqual(sorted(IMP_DEFAULTS));
  });

  it('uses the CLI, release 15.0, the FQDN as address, no pinned keys, no port overrides', () => {
    // GIVEN bare FQDNs WHEN loaded THEN
    for (const node of c.nodes) {
      expect(node).toMatchObject({ api: 'cli', version: '15.0', address: node.fqdn, sshHostKeys: [], ports: {} });
    }
  });

  it('reads credentials from UCROLLOUT_USERNAME / UCROLLOUT_PASSWORD', () => {
    // GIVEN no credentials WHEN loaded THEN the default variable names
    expect(c.credentials).toEqual({ usernameEnv: 'UCROLLOUT_USERNAME', passwordEnv: 'UCROLLOUT_PASSWORD' });
  });

  it('defaults to non-secure, SSO off, no peers, no keep/drop choice, 30 minutes before clean-up', () => {
    // GIVEN a cluster with only name and nodes WHEN loaded THEN
    const bare = inventoryToDeclarations({ clusters: [{ name: 'x', publisher: 'a.example.com' }] }).clusters[0];
    expect(bare).toMatchObject({ securityMode: 'non-secure', sso: false, interclusterPeers: [], cleanupDelaySeconds: 1800 });
    expect(bare.callManagerIncludeInactiveNodes).toBeUndefined();
  });

  it('defaults a certificate to multi-server and lower-cases FQDNs', () => {
    // GIVEN a certificate without distribution and upper-case names
    const x = inventoryToDeclarations({
      clusters: [{ name: 'x', publisher: 'A.Example.COM', imPresence: { databasePublisher: 'IMP.example.com' } }],
      certificates: [
        { cluster: 'x', purpose: 'tomcat', certificate: 'c.pem', ca: 'corp' },
        { cluster: 'x', purpose: 'cup', distribution: 'single-server', node: 'IMP.Example.com', certificate: 'd.pem', ca: 'corp' },
      ],
    });
    // WHEN loaded THEN
    expect(x.certificates[0].distribution).toBe('multi-server');
    expect(x.certificates[1].node).toBe('imp.example.com');
    expect(x.clusters[0].nodes.map((m) => m.fqdn)).toEqual(['a.example.com', 'imp.example.com']);
  });

  it('applies nodeDefaults and lets a node override them', () => {
    // GIVEN nodeDefaults api rest, one node on the CLI
    const x = inventoryToDeclarations({
      clusters: [{ name: 'x', publisher: 'a.example.com', subscribers: [{ fqdn: 'b.example.com', api: 'cli', version: '14.0' }], nodeDefaults: { api: 'rest', version: '15.0' } }],
    });
    // WHEN loaded THEN
    expect(x.clusters[0].nodes.map((m) => `${m.api}/${m.version}`)).toEqual(['rest/15.0', 'cli/14.0']);
  });
});

describe('bad input names the path in the file', () => {
  it.each<[string, (d: Record<string, any>) => void, RegExp]>([
    ['a bad publisher FQDN', (d) => (d.clusters[0].publisher = 'not a host'), /clusters\[0\]\.publisher\.fqdn must be a fully qualified domain name/],
    ['a bad subscriber FQDN', (d) => (d.clusters[0].subscribers = ['ok.example.com', { fqdn: 'bad_name' }]), /clusters\[0\]\.subscribers\[1\]\.fqdn/],
    ['a missing publisher', (d) => delete d.clusters[0].publisher, /clusters\[0\]\.publisher is missing/],
    ['a bad cluster name', (d) => (d.clusters[0].name = '1st cluster'), /clusters\[0\]\.name must start with a letter/],
    ['an unknown security mode', (d) => (d.clusters[0].securityMode = 'secure'), /clusters\[0\]\.securityMode must be one of 'non-secure', 'mixed', got "secure"/],
    ['a password instead of a variable name', (d) => (d.clusters[0].credentials = { passwordEnv: 'hunter2!' }), /clusters\[0\]\.credentials\.passwordEnv must name an environment variable/],
    ['a bad api', (d) => (d.clusters[0].publisher = { fqdn: 'a.example.com', api: 'soap' }), /clusters\[0\]\.publisher\.api must be one of 'cli', 'rest'/],
    ['a bad port', (d) => (d.clusters[0].publisher = { fqdn: 'a.example.com', ports: { https: 70000 } }), /clusters\[0\]\.publisher\.ports\.https must be a TCP port/],
    ['a bad host key', (d) => (d.clusters[0].publisher = { fqdn: 'a.example.com', sshHostKeys: ['MD5:aa'] }), /clusters\[0\]\.publisher\.sshHostKeys\[0\]/],
    ['subscribers not a list', (d) => (d.clusters[0].subscribers = 'b.example.com'), /clusters\[0\]\.subscribers must be a list/],
    ['a duplicate node', (d) => (d.clusters[0].subscribers = ['cs-ccm-pub.example.com']), /node 'cs-ccm-pub\.example\.com' is declared twice/],
    ['a negative clean-up delay', (d) => (d.clusters[0].cleanupDelaySeconds = -5), /clusters\[0\]\.cleanupDelaySeconds/],
    ['a bad intercluster peer', (d) => (d.clusters[0].interclusterPeers = ['peer']), /clusters\[0\]\.interclusterPeers\[0\]/],
    ['a CA without root', (d) => delete d.certificateAuthorities[0].root, /certificateAuthorities\[0\]\.root must be a file path/],
    ['a bad intermediate', (d) => (d.certificateAuthorities[0].intermediates = ['ok.pem', '']), /certificateAuthorities\[0\]\.intermediates\[1\]/],
    ['a bad distribution', (d) => (d.certificates[0].distribution = 'san'), /certificates\[0\]\.distribution must be one of 'multi-server', 'single-server'/],
    ['a certificate without file', (d) => delete d.certificates[0].certificate, /certificates\[0\]\.certificate must be a file path/],
    ['a certificate without purpose', (d) => delete d.certificates[0].purpose, /certificates\[0\]\.purpose must name a certificate purpose/],
    ['a bad certificate node', (d) => (d.certificates[0].node = 'x'), /certificates\[0\]\.node must be a fully qualified domain name/],
    ['a trust entry without stores', (d) => (d.trustEntries = [{ cluster: 'dc1', name: 'x', certificate: 'x.pem', stores: [] }]), /trustEntries\[0\]\.stores must list trust stores/],
    ['clusters not a list', (d) => (d.clusters = { name: 'dc1' }), /'clusters' must be a list/],
    ['a cluster that is not a mapping', (d) => (d.clusters = ['dc1']), /clusters\[0\] must be a mapping/],
  ])('%s', (_what, breakIt, message) => {
    // GIVEN a valid inventory with one field broken
    const data = minimal();
    breakIt(data);
    // WHEN converted THEN the error names the path
    expect(() => inventoryToDeclarations(data, 'inv.yaml')).toThrow(message);
  });

  it('prefixes problems with the file name and reports them all at once', () => {
    // GIVEN two problems
    const data = minimal();
    data.clusters[0].publisher = 'bad host';
    data.certificates[0].distribution = 'san';
    // WHEN converted
    const err = errorOf(() => inventoryToDeclarations(data, 'site.yaml'));
    // THEN one DeclarationError listing both, each with the file name
    expect(err).toBeInstanceOf(DeclarationError);
    expect((err as DeclarationError).problems).toHaveLength(2);
    for (const p of (err as DeclarationError).problems) expect(p.startsWith('site.yaml: ')).toBe(true);
  });

  it('refuses unknown top-level keys', () => {
    // GIVEN a typo at the top level
    const data = { ...minimal(), certificate: [] };
    // WHEN converted THEN refused, naming the key and the allowed ones
    expect(() => inventoryToDeclarations(data, 'inv.yaml')).toThrow(/unknown key 'certificate': use clusters, certificateAuthorities, certificates, trustEntries/);
  });

  it('refuses a document that is not a mapping', () => {
    // GIVEN a list at the top level WHEN converted THEN refused
    expect(() => inventoryToDeclarations([1, 2], 'inv.yaml')).toThrow(/inv\.yaml: expected a mapping/);
  });

  it('reports a missing file and a file that is not YAML', () => {
    // GIVEN a missing file and a broken one WHEN loaded THEN clear errors
    expect(() => loadInventory(join(TMP, 'nope.yaml'))).toThrow(/Cannot read inventory .*nope\.yaml.*ENOENT/);
    const bad = write('bad.yaml', 'clusters: [\n  - { name: dc1\n');
    expect(() => loadInventory(bad)).toThrow(/is not valid YAML or JSON/);
  });

  it('names the file and path when loading a broken file', () => {
    // GIVEN a file with a bad publisher FQDN
    const file = write('broken.yaml', ISSUE_YAML.replace('publisher: cs-ccm-pub.example.com', 'publisher: "cs ccm pub"'));
    // WHEN loaded THEN the message names both
    expect(() => loadInventory(file)).toThrow(/broken\.yaml: clusters\[0\]\.publisher\.fqdn/);
  });
});

describe('misspelt keys below the top level', () => {
  it('refuses an unknown cluster key instead of planning with the default', () => {
    // GIVEN `securitymode` (lower-case m) in a cluster  WHEN loaded  THEN the error names the key and its path
    expect(() => inventoryToDeclarations({ clusters: [{ name: 'a', publisher: 'a.example.com', securitymode: 'mixed' }] })).toThrow(
      /clusters\[0\]: unknown key 'securitymode'/,
    );
  });

  it('refuses an unknown node, certificate and trust entry key', () => {
    expect(() => inventoryToDeclarations({ clusters: [{ name: 'a', publisher: { fqdn: 'a.example.com', adress: '10.0.0.1' } }] })).toThrow(
      /clusters\[0\]\.publisher: unknown key 'adress'/,
    );
    expect(() =>
      inventoryToDeclarations({ certificates: [{ cluster: 'a', purpose: 'tomcat', certificate: 'x.pem', ca: 'c', distrib: 'multi-server' }] }),
    ).toThrow(/certificates\[0\]: unknown key 'distrib'/);
    expect(() => inventoryToDeclarations({ trustEntries: [{ cluster: 'a', name: 'e', certificate: 'x.pem', stores: ['tomcat-trust'], store: 1 }] })).toThrow(
      /trustEntries\[0\]: unknown key 'store'/,
    );
  });
});
