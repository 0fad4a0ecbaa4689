/**
 * Bounded, typed inventory input: every field type-checked with its path, service names from
 * the catalog, a capped file read, a capped problem list, and the rules that need the whole
 * inventory (a node in two clusters, nothing to plan).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryToDeclarations, loadInventory } from '../../lib/inventory';
import { DeclarationError } from '../../lib/model';

const BIN = join(__dirname, '..', '..', 'bin', 'ucrollout');
const TMP = mkdtempSync(join(tmpdir(), 'ucrollout-bounded-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(TMP, name);
  writeFileSync(file, text);
  return file;
}

function minimal(): Record<string, any> {
  return {
    clusters: [{ name: 'dc1', publisher: 'cs-ccm-pub.example.com', subscribers: ['cs-ccm-sub.example.com'] }],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
    certificates: [{ cluster: 'dc1', purpose: 'tomcat', certificate: 'certs/tomcat.pem', ca: 'corp' }],
  };
}

function minimalCms(): Record<string, any> {
  return {
    cmsClusters: [{ name: 'meet', version: '3.8', servers: [{ fqdn: 'cms1.example.com', services: ['webadmin'] }] }],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
    cmsCertificates: [{ cluster: 'meet', service: 'webadmin', server: 'cms1.example.com', certificate: 'c.pem', key: 'k.key', ca: 'corp' }],
  };
}

function problemsOf(data: unknown): string[] {
  try {
    inventoryToDeclarations(data, 'inv.yaml');
  } catch (e) {
    if (e instanceof DeclarationError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the inventory to be refused');
}

const sub = (over: Record<string, unknown>) => (d: Record<string, any>) => (d.clusters[0].subscribers = [{ fqdn: 'cs-ccm-sub.example.com', ...over }]);

describe('every field is type-checked, naming its path', () => {
  it.each<[string, (d: Record<string, any>) => void, RegExp]>([
    ['services as a string', sub({ services: 'Cisco TFTP' }), /inv\.yaml: clusters\[0\]\.subscribers\[0\]\.services must be a list of service names.*got "Cisco TFTP"/],
    ['sshHostKeys as a string', sub({ sshHostKeys: 'SHA256:abc' }), /clusters\[0\]\.subscribers\[0\]\.sshHostKeys must be a list of fingerprints.*got "SHA256:abc"/],
    ['ports as a list', sub({ ports: [22] }), /clusters\[0\]\.subscribers\[0\]\.ports must be a mapping of port names to numbers/],
    ['ports as a number', sub({ ports: 22 }), /clusters\[0\]\.subscribers\[0\]\.ports must be a mapping of port names to numbers.*got 22/],
    ['a port given as text', sub({ ports: { https: '8443' } }), /clusters\[0\]\.subscribers\[0\]\.ports\.https must be a TCP port between 1 and 65535, got "8443"/],
    ['a fractional port', sub({ ports: { https: 84.43 } }), /ports\.https must be a TCP port/],
    ['xmppFederation as text', sub({ xmppFederation: 'yes' }), /clusters\[0\]\.subscribers\[0\]\.xmppFederation must be true or false, got "yes"/],
    ['an address with a space', sub({ address: '10.0.0.1 10.0.0.2' }), /clusters\[0\]\.subscribers\[0\]\.address must be a host name or IP address/],
    ['an address that is a number', sub({ address: 10 }), /clusters\[0\]\.subscribers\[0\]\.address must be a host name or IP address/],
    ['a version that is a list', sub({ version: ['15'] }), /clusters\[0\]\.subscribers\[0\]\.version must be a release such as '15\.0'/],
    ['a node that is a list', (d) => (d.clusters[0].subscribers = [['a.example.com']]), /clusters\[0\]\.subscribers\[0\] must be a node: an FQDN or a mapping with fqdn/],
    ['sso as text', (d) => (d.clusters[0].sso = 'false'), /clusters\[0\]\.sso must be true or false, got "false"/],
    ['callManagerIncludeInactiveNodes as text', (d) => (d.clusters[0].callManagerIncludeInactiveNodes = 'no'), /clusters\[0\]\.callManagerIncludeInactiveNodes must be true or false, got "no"/],
    ['credentials as a string', (d) => (d.clusters[0].credentials = 'admin'), /clusters\[0\]\.credentials must be a mapping/],
    ['a credentials file that is not a path', (d) => (d.clusters[0].credentials = { file: 5 }), /clusters\[0\]\.credentials\.file must be a file path/],
    ['knownHostsFile as a list', (d) => (d.clusters[0].knownHostsFile = ['a']), /clusters\[0\]\.knownHostsFile must be a file path/],
    ['httpsCaFile empty', (d) => (d.clusters[0].httpsCaFile = ''), /clusters\[0\]\.httpsCaFile must be a file path/],
    ['interclusterPeers as a string', (d) => (d.clusters[0].interclusterPeers = 'imp2.example.com'), /clusters\[0\]\.interclusterPeers must be a list of FQDNs/],
    ['imPresence as a string', (d) => (d.clusters[0].imPresence = 'cs-imp.example.com'), /clusters\[0\]\.imPresence must be a mapping/],
    ['nodeDefaults as a string', (d) => (d.clusters[0].nodeDefaults = 'rest'), /clusters\[0\]\.nodeDefaults must be a mapping/],
    ['a file path with a line break', (d) => (d.certificates[0].certificate = 'certs/t.pem\nrm -rf /'), /certificates\[0\]\.certificate must be a file path/],
    ['intermediates as a string', (d) => (d.certificateAuthorities[0].intermediates = 'ca/issuing.pem'), /certificateAuthorities\[0\]\.intermediates must be a list of files/],
    ['stores as a string', (d) => (d.trustEntries = [{ cluster: 'dc1', name: 'x', certificate: 'x.pem', stores: 'tomcat-trust' }]), /trustEntries\[0\]\.stores must list trust stores/],
  ])('%s', (_what, breakIt, message) => {
    // GIVEN a valid inventory with one field of the wrong type
    const data = minimal();
    breakIt(data);
    // WHEN loaded THEN refused, naming the field's path (and not crashing)
    const problems = problemsOf(data);
    expect(problems.join('\n')).toMatch(message);
  });

  it('does not split a services string into characters', () => {
    // GIVEN services: "Cisco TFTP" (a string, not a list)
    const data = minimal();
    sub({ services: 'Cisco TFTP' })(data);
    // WHEN loaded THEN exactly one problem about services, none about single letters
    const problems = problemsOf(data);
    expect(problems).toHaveLength(1);
  });

  it.each<[string, (d: Record<string, any>) => void, RegExp]>([
    ['sshHostKeys as a string', (d) => (d.cmsClusters[0].servers[0].sshHostKeys = 'SHA256:abc'), /cmsClusters\[0\]\.servers\[0\]\.sshHostKeys must be a list of fingerprints/],
    ['ports as a number', (d) => (d.cmsClusters[0].servers[0].ports = 443), /cmsClusters\[0\]\.servers\[0\]\.ports must be a mapping of port names to numbers/],
    ['a server that is null', (d) => (d.cmsClusters[0].servers = [null]), /cmsClusters\[0\]\.servers\[0\] must be a server: a mapping with fqdn/],
    ['credentials as a string', (d) => (d.cmsClusters[0].credentials = 'admin'), /cmsClusters\[0\]\.credentials must be a mapping/],
    ['knownHostsFile as a number', (d) => (d.cmsClusters[0].knownHostsFile = 7), /cmsClusters\[0\]\.knownHostsFile must be a file path/],
    ['databaseCertificates as a string', (d) => (d.cmsClusters[0].databaseCertificates = 'example.com'), /cmsClusters\[0\]\.databaseCertificates must be a mapping/],
    ['subject as a string', (d) => (d.cmsCertificates[0].subject = 'Example'), /cmsCertificates\[0\]\.subject must be a mapping/],
    ['an address that is a list', (d) => (d.cmsClusters[0].servers[0].address = ['a']), /cmsClusters\[0\]\.servers\[0\]\.address must be a host name or IP address/],
  ])('Meeting Server: %s', (_what, breakIt, message) => {
    const data = minimalCms();
    breakIt(data);
    expect(problemsOf(data).join('\n')).toMatch(message);
  });
});

describe('service names come from the catalog', () => {
  it('refuses a service name with a command appended, suggesting the known one', () => {
    // GIVEN a service name with a line break and a command after it
    const data = minimal();
    sub({ services: ['Cisco TFTP\nutils system restart'] })(data);
    // WHEN loaded THEN refused, naming the path, showing the value escaped, suggesting Cisco TFTP
    const [p] = problemsOf(data);
    expect(p).toMatch(/clusters\[0\]\.subscribers\[0\]\.services\[0\] is not a known service, got "Cisco TFTP\\nutils system restart": did you mean 'Cisco TFTP'\?/);
    expect(p).not.toContain('\n');
  });

  it('refuses a typo with the nearest known names', () => {
    const data = minimal();
    sub({ services: ['Cisco Call Manager', 'Cisco TFPT'] })(data);
    const problems = problemsOf(data);
    expect(problems[0]).toMatch(/services\[0\] is not a known service, got "Cisco Call Manager": did you mean 'Cisco CallManager'\?/);
    expect(problems[1]).toMatch(/services\[1\] is not a known service, got "Cisco TFPT": did you mean 'Cisco TFTP'\?/);
  });

  it('lists the known names when nothing is close', () => {
    const data = minimal();
    sub({ services: ['Webex'] })(data);
    expect(problemsOf(data)[0]).toMatch(/services\[0\] is not a known service, got "Webex": use a name as `utils service list` prints it: .*'Cisco TFTP'/);
  });

  it('accepts every catalog name, in any node role', async () => {
    const { Service } = await import('../../lib/catalog');
    const data = minimal();
    sub({ services: Object.values(Service) })(data);
    expect(() => inventoryToDeclarations(data)).not.toThrow();
  });
});

describe('the inventory file read is capped', () => {
  it('refuses a file larger than 10 MiB without parsing it', () => {
    // GIVEN an 11 MiB file (sparse)
    const file = join(TMP, 'huge.yaml');
    closeSync(openSync(file, 'w'));
    truncateSync(file, 11 * 1024 * 1024);
    // WHEN loaded THEN a clear error naming the limit
    expect(() => loadInventory(file)).toThrow(/Inventory '.*huge\.yaml' is larger than 10 MiB/);
  });

  it.skipIf(!existsSync('/dev/zero'))('refuses /dev/zero (size 0 in stat) after reading at most the limit', () => {
    const start = Date.now();
    expect(() => loadInventory('/dev/zero')).toThrow(/Inventory '\/dev\/zero' is larger than 10 MiB/);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('still reads a file just under the limit', () => {
    const file = write('padded.yaml', `clusters:\n  - { name: a, publisher: a.example.com }\n# ${'x'.repeat(1024 * 1024)}\n`);
    expect(loadInventory(file).declarations.clusters).toHaveLength(1);
  });
});

describe('problems are capped', () => {
  it('lists at most the first 50 problems, then how many more', () => {
    // GIVEN 120 clusters with a bad name each
    const data = { clusters: Array.from({ length: 120 }, (_, i) => ({ name: `${i}bad`, publisher: `p${i}.example.com` })) };
    // WHEN loaded
    let err: DeclarationError | undefined;
    try {
      inventoryToDeclarations(data, 'inv.yaml');
    } catch (e) {
      err = e as DeclarationError;
    }
    // THEN 50 problem lines and a last line "… and 70 more"
    const lines = err!.message.split('\n');
    expect(lines.filter((l) => l.startsWith('- inv.yaml: '))).toHaveLength(50);
    expect(lines[lines.length - 1]).toBe('- … and 70 more');
    expect(lines[0]).toBe('120 problems in the declarations (the first 50 listed):');
  });

  it('stays fast and short with 400,000 junk clusters', () => {
    // GIVEN 400,000 clusters that are not mappings
    const data = { clusters: Array.from({ length: 400_000 }, () => 'x') };
    const start = Date.now();
    let message = '';
    try {
      inventoryToDeclarations(data, 'junk.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    // THEN refused quickly, in 52 lines: a head line, 50 problems, how many more
    expect(Date.now() - start).toBeLessThan(2000);
    const lines = message.split('\n');
    expect(lines).toHaveLength(52);
    expect(lines[0]).toBe('400,000 problems in the declarations (the first 50 listed):');
    expect(lines[51]).toBe('- … and 399,950 more');
  });

  it('stops normalizing entries some way past the limit', () => {
    // GIVEN 400,000 clusters that are mappings with a bad name and no publisher
    const data = { clusters: Array.from({ length: 400_000 }, () => ({ name: '1' })) };
    const start = Date.now();
    let message = '';
    try {
      inventoryToDeclarations(data, 'junk.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    // THEN refused quickly, saying how many entries were not checked
    expect(Date.now() - start).toBeLessThan(2000);
    const lines = message.split('\n');
    expect(lines).toHaveLength(52);
    expect(lines[0]).toMatch(/^[\d,]+ problems in the declarations before checking stopped \(the first 50 listed\):$/);
    expect(lines[51]).toMatch(/^- … and [\d,]+ more, and 398,975 entries not checked: fix these and check again$/);
  });
});

describe('rules over the whole inventory', () => {
  it('refuses a node FQDN declared in two clusters, naming both', () => {
    // GIVEN the same subscriber in clusters dc1 and dc2
    const data = minimal();
    data.clusters.push({ name: 'dc2', publisher: 'dc2-pub.example.com', subscribers: ['CS-CCM-SUB.example.com'] });
    // WHEN loaded THEN refused, naming the node and both clusters
    expect(problemsOf(data).join('\n')).toMatch(/Node 'cs-ccm-sub\.example\.com' is declared in cluster 'dc1' and in cluster 'dc2'/);
  });

  it('refuses a Meeting Server that is also a CUCM node', () => {
    const data = { ...minimal(), cmsClusters: [{ name: 'meet', version: '3.8', servers: [{ fqdn: 'cs-ccm-pub.example.com' }] }] };
    expect(problemsOf(data).join('\n')).toMatch(/Node 'cs-ccm-pub\.example\.com' is declared in cluster 'dc1' and in cluster 'meet'/);
  });

  it.each<[string, unknown]>([
    ['clusters: [] and no cmsClusters', { clusters: [], certificateAuthorities: [], certificates: [] }],
    ['an empty document', null],
    ['CAs only', { certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }] }],
    ['empty lists of both kinds', { clusters: [], cmsClusters: [] }],
  ])('says there is nothing to plan: %s', (_what, data) => {
    expect(() => inventoryToDeclarations(data, 'empty.yaml')).toThrow(/empty\.yaml: nothing to plan: declare at least one cluster under 'clusters' .* or 'cmsClusters'/);
  });

  it('ucrollout plan --inventory empty.yaml prints the reason and exits non-zero', () => {
    // GIVEN an inventory with no clusters
    const file = write('empty.yaml', 'clusters: []\n');
    // WHEN planned with the command a user runs
    const r = spawnSync(process.execPath, [BIN, 'plan', '--inventory', file, '--out', join(TMP, 'out')], {
      encoding: 'utf8',
      env: { ...process.env, UCROLLOUT_DEBUG: '', UCROLLOUT_FROM_SOURCE: '1' },
    });
    // THEN a non-zero exit and the reason on stderr, nothing written
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/ucrollout plan: .*empty\.yaml: nothing to plan: declare at least one cluster/);
    expect(existsSync(join(TMP, 'out', 'stacks'))).toBe(false);
  });
});

describe('the CallManager keep-or-drop choice', () => {
  it('names the key to set when a CUCM node does not run Cisco CallManager', async () => {
    // GIVEN a TFTP-only subscriber, a CallManager multi-server certificate and no choice made
    const data = minimal();
    data.clusters[0].subscribers = [{ fqdn: 'cs-ccm-tftp.example.com', services: ['Cisco TFTP'] }];
    data.certificates[0].purpose = 'CallManager';
    const decls = inventoryToDeclarations(data, 'inv.yaml');
    const { validateDeclarations } = await import('../../lib/platforms/cucm/validate');
    // WHEN validated for planning THEN the message names the node, the key and both values
    expect(() => validateDeclarations(decls)).toThrow(
      /cs-ccm-tftp\.example\.com do not run Cisco CallManager: set callManagerIncludeInactiveNodes on cluster 'dc1' to true \(keep them in the SAN list\) or false \(drop them\)/,
    );
  });
});
