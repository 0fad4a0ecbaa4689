/**
 * `ucrollout csr` for a Meeting Server cluster, as a user runs it (bin/ucrollout): a key file
 * (0600) and its CSR for a service and scope, with the names of the CSR table (DOMAIN.md §4) the
 * planner and the CMS lint use (cmsExpectedNames); the CMS key usage; the declared basename as
 * file name; refusals of CUCM options, of --service on a CUCM cluster, of overwriting and of
 * writing through a link. A CSR made so, signed by the lab CA and declared with its key, passes
 * `ucrollout lint --inventory` and `ucrollout plan`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eku, cmsExpectedNames } from '../../lib/catalog';
import { loadInventory } from '../../lib/inventory';
import { CmsCertificateScope, CmsService, findCmsServer } from '../../lib/model';
import { LabCa, createLabCa, keyUsageNames, readCsr, writeLabCa } from '../../lib/pki';
import { Oid } from '../../lib/pki/oids';
import { x509 } from '../../lib/pki/x509';
import { signCmsCsr } from '../../lib/rehearsal/cms-lab-pki';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ucrollout');
const CMS1 = 'cms1.example.com';
const CMS2 = 'cms2.example.com';
const CMS3 = 'cms3.example.com';
const CLUSTER_FQDN = 'cms.example.com';
const JOIN = 'join.example.com';
const DOMAIN = 'example.com';

/** examples/cms.yaml's cluster, a CUCM cluster beside it, and one declaration with a basename. */
const INVENTORY = `clusters:
  - { name: lab, publisher: cs-ccm-pub.example.com, subscribers: [cs-ccm-sub.example.com] }
cmsClusters:
  - name: meet
    version: "2.9"
    clusterFqdn: ${CLUSTER_FQDN}
    joinUrl: ${JOIN}
    xmppDomains: [${DOMAIN}]
    servers:
      - { fqdn: ${CMS1}, services: [webadmin, callbridge, webbridge, xmpp], databaseRole: primary, ports: { webadmin-https: 445 } }
      - { fqdn: ${CMS2}, services: [webadmin, callbridge, webbridge, xmpp], databaseRole: replica, ports: { webadmin-https: 445 } }
      - { fqdn: ${CMS3}, services: [webadmin, callbridge, xmpp], databaseRole: replica }
certificateAuthorities:
  - { name: lab-ca, root: ca/root.pem, intermediates: [ca/issuing.pem] }
cmsCertificates:
  - { cluster: meet, service: webbridge, server: ${CMS2}, basename: wb-cms2-2027, certificate: signed/wb.pem, key: csr/wb-cms2-2027.key, ca: lab-ca }
`;

let work: string;
const at = (...p: string[]) => join(work, ...p);

function ucrollout(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, UCROLLOUT_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `ucrollout csr` on the test inventory's Meeting Server cluster. */
const csr = (...args: string[]) => ucrollout('csr', '--inventory', at('inventory.yaml'), '--cluster', 'meet', ...args);

/** What the CSR asks for: CN, DNS SANs in order, key usage and EKU. */
function csrFacts(path: string) {
  const req = readCsr(readFileSync(path), path);
  const ku = req.getExtension(Oid.KEY_USAGE);
  const eku = req.getExtension(Oid.EXTENDED_KEY_USAGE);
  const san = req.getExtension(Oid.SUBJECT_ALT_NAME);
  return {
    commonName: req.subjectName.getField('CN')[0],
    sans: san ? new x509.SubjectAlternativeNameExtension(san.rawData).names.items.map((n) => n.value) : [],
    keyUsage: ku ? [...keyUsageNames(new x509.KeyUsagesExtension(ku.rawData).usages)] : [],
    eku: eku ? new x509.ExtendedKeyUsageExtension(eku.rawData).usages.map(String) : [],
    verify: () => req.verify(),
  };
}

/** The planner's and the lint's names for the certificate (lib/catalog cmsExpectedNames). */
function plannerNames(service: CmsService, scope: CmsCertificateScope, server?: string) {
  const { declarations } = loadInventory(at('inventory.yaml'));
  const cluster = declarations.cmsClusters!.find((c) => c.name === 'meet')!;
  return cmsExpectedNames(cluster, service, scope, server ? findCmsServer(cluster, server) : undefined);
}

let ca: LabCa;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ucr-csr-cms-'));
  writeFileSync(at('inventory.yaml'), INVENTORY);
  ca = await createLabCa({ commonName: 'CSR CMS Test', intermediate: true });
  writeLabCa(ca, at('ca'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ucrollout csr --service on a Meeting Server cluster', () => {
  it('GIVEN a per-server webadmin WHEN run THEN a 0600 key and a CSR with CN = the server and that name as its only SAN', async () => {
    // WHEN
    const r = csr('--service', 'webadmin', '--server', CMS1, '--out', at('csr'));
    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(statSync(at('csr/webadmin-cms1.key')).mode & 0o777).toBe(0o600);
    const facts = csrFacts(at('csr/webadmin-cms1.csr'));
    expect(await facts.verify()).toBe(true);
    // DOMAIN.md §4: webadmin CN:<server FQDN>, no other name; the CN is repeated as the only SAN
    // (browsers ignore a CN), as the planner's issued webadmin CSRs do
    expect(facts.commonName).toBe(CMS1);
    expect(facts.sans).toEqual([CMS1]);
    const want = plannerNames('webadmin', 'per-server', CMS1);
    expect([facts.commonName, want.subjectAltNames]).toEqual([want.commonName, []]);
    // the CMS key usage: server and client authentication, an RSA key that signs and enciphers
    expect(facts.eku).toEqual([Eku.SERVER_AUTH, Eku.CLIENT_AUTH]);
    expect(facts.keyUsage.sort()).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(readFileSync(at('csr/webadmin-cms1.key'), 'latin1')).toContain('BEGIN PRIVATE KEY');
    // the declaration to write names the key as the inventory does: relative to its folder
    expect(r.stdout).toContain('key: csr/webadmin-cms1.key, ca: ');
  });

  it('GIVEN a clustered callbridge WHEN run without --server THEN CN = the cluster FQDN and the SANs name it and every callbridge server', () => {
    const r = csr('--service', 'callbridge', '--out', at('csr'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(statSync(at('csr/callbridge-clustered.key')).mode & 0o777).toBe(0o600);
    const facts = csrFacts(at('csr/callbridge-clustered.csr'));
    expect(facts.commonName).toBe(CLUSTER_FQDN);
    expect(facts.sans).toEqual([CLUSTER_FQDN, CMS1, CMS2, CMS3]);
    const want = plannerNames('callbridge', 'clustered');
    expect([facts.commonName, facts.sans]).toEqual([want.commonName, want.subjectAltNames]);
    expect(r.stdout).toContain(`for ${CMS1}, ${CMS2}, ${CMS3}`);
  });

  it('GIVEN xmpp WHEN run THEN it is clustered: the cluster FQDN, the XMPP domain and the peers', () => {
    const r = csr('--service', 'xmpp', '--out', at('csr'), '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: 'xmpp-clustered', service: 'xmpp', scope: 'clustered', servers: [CMS1, CMS2, CMS3] });
    const facts = csrFacts(at('csr/xmpp-clustered.csr'));
    expect(facts.commonName).toBe(CLUSTER_FQDN);
    expect(facts.sans).toEqual([CLUSTER_FQDN, DOMAIN, CMS1, CMS2, CMS3]);
    expect(facts.sans).toEqual(plannerNames('xmpp', 'clustered').subjectAltNames);
    expect(out.sans).toEqual(facts.sans);
    expect(statSync(at('csr/xmpp-clustered.key')).mode & 0o777).toBe(0o600);
  });

  it('GIVEN a declaration with a basename WHEN its webbridge CSR is made THEN the files take that name and the join URL and XMPP domain are SANs', () => {
    const r = csr('--service', 'webbridge', '--server', CMS2, '--out', at('csr'));
    expect(r.status).toBe(0);
    expect(existsSync(at('csr/wb-cms2-2027.csr'))).toBe(true);
    expect(statSync(at('csr/wb-cms2-2027.key')).mode & 0o777).toBe(0o600);
    const facts = csrFacts(at('csr/wb-cms2-2027.csr'));
    expect(facts.sans).toEqual([CMS2, JOIN, DOMAIN]);
    expect(facts.sans).toEqual(plannerNames('webbridge', 'per-server', CMS2).subjectAltNames);
  });

  it('GIVEN a CMS service as --purpose (as users try) WHEN run THEN it is the service', () => {
    const r = csr('--purpose', 'webadmin', '--server', CMS3, '--out', at('purpose'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(at('purpose')).sort()).toEqual(['webadmin-cms3.csr', 'webadmin-cms3.key']);
    expect(csrFacts(at('purpose/webadmin-cms3.csr')).commonName).toBe(CMS3);
  });

  it('GIVEN --key-type EC and subject options WHEN run THEN an EC key that agrees keys and the subject fields', () => {
    const r = csr('--service', 'webadmin', '--server', CMS2, '--key-type', 'EC', '--o', 'Example Inc', '--c', 'US', '--out', at('ec'));
    expect(r.status).toBe(0);
    const req = readCsr(readFileSync(at('ec/webadmin-cms2.csr')), 'ec');
    expect(req.publicKey.algorithm.name).toBe('ECDSA');
    expect(req.subject).toBe(`C=US, O=Example Inc, CN=${CMS2}`);
    expect(csrFacts(at('ec/webadmin-cms2.csr')).keyUsage.sort()).toEqual(['digitalSignature', 'keyAgreement']);
  });
});

describe('ucrollout csr refuses, in one line', () => {
  const refusals: [string, string[], RegExp][] = [
    ['--on-node on a Meeting Server', ['--service', 'webadmin', '--server', CMS1, '--on-node'], /cluster 'meet' is a Meeting Server cluster: --on-node is not for it .*source: server-csr/],
    ['--distribution on a Meeting Server', ['--service', 'callbridge', '--distribution', 'multi-server'], /--distribution is not for it .*--scope clustered/],
    ['--node on a Meeting Server', ['--service', 'webadmin', '--node', CMS1], /--node is not for it \(name the server with --server FQDN\)/],
    ['extra names on a Meeting Server', ['--service', 'webadmin', '--server', CMS1, '--other-domain', 'x.example.com'], /--other-domain is not for it .*CSR table/],
    ['a CUCM purpose on a Meeting Server', ['--purpose', 'tomcat'], /unknown Meeting Server service 'tomcat' \(--purpose\): .*use --service with one of webadmin, callbridge/],
    ['no service', [], /missing --service S: cluster 'meet' is a Meeting Server cluster/],
    ['xmpp for one server', ['--service', 'xmpp', '--server', CMS1], /xmpp certificates are clustered only .*leave out --server/],
    ['webadmin without a server', ['--service', 'webadmin'], /webadmin certificates are per server only .*give --server FQDN/],
    ['a server that does not run the service', ['--service', 'webbridge', '--server', CMS3], /server 'cms3.example.com' does not run webbridge/],
    ['a server not in the cluster', ['--service', 'webadmin', '--server', 'cms9.example.com'], /server 'cms9.example.com' is not in cluster 'meet': use one of cms1/],
  ];
  for (const [what, args, message] of refusals) {
    it(`GIVEN ${what} WHEN run THEN exit 2, nothing written`, () => {
      const out = at('refused', what.replace(/\W+/g, '-'));
      const r = csr(...args, '--out', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('GIVEN a CUCM cluster WHEN --service or --server is given THEN it names --purpose and --node', () => {
    const r = ucrollout('csr', '--inventory', at('inventory.yaml'), '--cluster', 'lab', '--service', 'webadmin', '--server', CMS1, '--out', at('lab'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cluster 'lab' is a CUCM \/ IM and Presence cluster: --service is for a Meeting Server cluster .*--purpose P; --server .*--node FQDN/);
    expect(existsSync(at('lab'))).toBe(false);
  });

  it('GIVEN a CMS service as --purpose on a CUCM cluster WHEN run THEN the message names --service', () => {
    const r = ucrollout('csr', '--inventory', at('inventory.yaml'), '--cluster', 'lab', '--purpose', 'webadmin', '--out', at('lab'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown purpose 'webadmin': use one of tomcat.*'webadmin' is a Meeting Server service: .*--service webadmin/);
  });

  it('GIVEN an existing key WHEN run again THEN it is refused without --force and replaced with it', () => {
    const out = at('again');
    expect(csr('--service', 'callbridge', '--out', out).status).toBe(0);
    const key = readFileSync(join(out, 'callbridge-clustered.key'), 'latin1');
    const r = csr('--service', 'callbridge', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/callbridge-clustered.csr exists: a new key replaces the one that may be in use; move it away or pass --force/);
    expect(readFileSync(join(out, 'callbridge-clustered.key'), 'latin1')).toBe(key);
    expect(csr('--service', 'callbridge', '--out', out, '--force').status).toBe(0);
    expect(readFileSync(join(out, 'callbridge-clustered.key'), 'latin1')).not.toBe(key);
  });

  it('GIVEN links at the key and CSR paths WHEN run THEN a dangling link is refused, and with --force both are replaced, never written through', () => {
    const out = at('links');
    mkdirSync(out);
    const victim = at('victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(join(out, 'nowhere'), join(out, 'webadmin-cms1.key'));
    symlinkSync(victim, join(out, 'webadmin-cms1.csr'));
    // a dangling link is "there" too
    const r = csr('--service', 'webadmin', '--server', CMS1, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists: a new key replaces/);
    expect(csr('--service', 'webadmin', '--server', CMS1, '--out', out, '--force').status).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(join(out, 'nowhere'))).toBe(false);
    for (const f of ['webadmin-cms1.key', 'webadmin-cms1.csr']) expect(lstatSync(join(out, f)).isSymbolicLink()).toBe(false);
    expect(statSync(join(out, 'webadmin-cms1.key')).mode & 0o777).toBe(0o600);
  });
});

describe('a CSR made here, signed by the lab CA and declared with its key', () => {
  /** The lab CA signs each CSR of csr/ (as the rehearsal does) into signed/<name>.pem. */
  async function sign(name: string): Promise<void> {
    mkdirSync(at('signed'), { recursive: true });
    writeFileSync(at('signed', `${name}.pem`), await signCmsCsr(ca, readFileSync(at('csr', `${name}.csr`), 'latin1'), name));
  }

  /** An inventory declaring the given certificates (source ca: certificate and key), beside the test inventory. */
  function declare(file: string, certs: string[]): string {
    const cluster = INVENTORY.slice(INVENTORY.indexOf('cmsClusters:'), INVENTORY.indexOf('cmsCertificates:'));
    writeFileSync(at(file), `${cluster}cmsCertificates:\n${certs.map((c) => `  - ${c}\n`).join('')}`);
    return at(file);
  }

  const DECLARED = [
    `{ cluster: meet, service: webadmin, server: ${CMS1}, certificate: signed/webadmin-cms1.pem, key: csr/webadmin-cms1.key, ca: lab-ca }`,
    `{ cluster: meet, service: callbridge, scope: clustered, certificate: signed/callbridge-clustered.pem, key: csr/callbridge-clustered.key, ca: lab-ca }`,
    `{ cluster: meet, service: xmpp, scope: clustered, certificate: signed/xmpp-clustered.pem, key: csr/xmpp-clustered.key, ca: lab-ca }`,
    `{ cluster: meet, service: webbridge, server: ${CMS2}, basename: wb-cms2-2027, certificate: signed/wb-cms2-2027.pem, key: csr/wb-cms2-2027.key, ca: lab-ca }`,
  ];

  beforeAll(async () => {
    // The CSRs of the first describe block, made again here so this block stands alone.
    for (const args of [['webadmin', '--server', CMS1], ['callbridge'], ['xmpp'], ['webbridge', '--server', CMS2]]) {
      expect(csr('--service', ...args, '--out', at('csr'), '--force').status).toBe(0);
    }
    for (const name of ['webadmin-cms1', 'callbridge-clustered', 'xmpp-clustered', 'wb-cms2-2027']) await sign(name);
  });

  it('GIVEN the signed certificates and their keys WHEN ucrollout lint --inventory runs THEN no findings', () => {
    const r = ucrollout('lint', '--inventory', declare('signed.yaml', DECLARED), '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ findings: [], errors: 0, warnings: 0 });
    expect(r.status).toBe(0);
  });

  it('GIVEN the same WHEN ucrollout plan runs THEN it plans every certificate with its key file', () => {
    const r = ucrollout('plan', '--inventory', at('signed.yaml'), '--out', at('plan'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(readFileSync(at('plan', 'stacks', 'meet', 'plan.json'), 'utf8'));
    const certs = plan.certificates.map((c: { service: string; scope: string; keyFile: string }) => [c.service, c.scope, c.keyFile.replace(/^.*csr\//, 'csr/')]);
    expect(certs).toEqual([
      ['webadmin', 'per-server', 'csr/webadmin-cms1.key'],
      ['callbridge', 'clustered', 'csr/callbridge-clustered.key'],
      ['webbridge', 'per-server', 'csr/wb-cms2-2027.key'],
      ['xmpp', 'clustered', 'csr/xmpp-clustered.key'],
    ]);
  });

  it('GIVEN a per-server webadmin certificate declared as the clustered callbridge one WHEN linted THEN the lint names the missing peers (it checks the names)', () => {
    const wrong = `{ cluster: meet, service: callbridge, scope: clustered, certificate: signed/webadmin-cms1.pem, key: csr/webadmin-cms1.key, ca: lab-ca }`;
    const r = ucrollout('lint', '--inventory', declare('wrong.yaml', [wrong]), '--json');
    expect(r.status).toBe(1);
    const codes = JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('CMS_CLUSTER_SAN_PEER');
  });
});
