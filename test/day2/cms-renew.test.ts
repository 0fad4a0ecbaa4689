/**
 * `ucrollout renew` for Meeting Servers, the pure part: the status judgement gives each declared
 * CMS certificate its reasons (due, expired, drift, pending restart, unread), and the one
 * selection plans only those, a server-made one that is the installed, due certificate with the
 * next renewal label (a fresh key and CSR, signed again), never the database procedure.
 */
import { describe, expect, it } from 'vitest';
import { nextRenewalLabel, selectRenewals } from '../../lib/day2/renew';
import { LiveIdentity, NodeReading } from '../../lib/day2/live';
import { DeclaredFile, evaluateStatus } from '../../lib/day2/status';
import { inventoryToDeclarations } from '../../lib/inventory';
import { cmsAwaitsSignature } from '../../lib/model';

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const CB = 'b'.repeat(64);
const WA1 = 'a'.repeat(64);
const XMPP = 'c'.repeat(64);
const CMS1 = 'cms1.example.com';
const CMS2 = 'cms2.example.com';

const decls = inventoryToDeclarations({
  issuers: [{ name: 'corp-vault', vault: { address: 'https://vault.example.com:8200', mount: 'pki', role: 'cms', tokenEnv: 'VAULT_TOKEN' } }],
  cmsClusters: [
    {
      name: 'meet',
      version: '2.9',
      clusterFqdn: 'cms.example.com',
      xmppDomains: ['example.com'],
      databaseCertificates: { caCommonName: 'example.com' },
      servers: [
        { fqdn: CMS1, services: ['webadmin', 'callbridge', 'xmpp'], databaseRole: 'primary' },
        { fqdn: CMS2, services: ['callbridge', 'xmpp'], databaseRole: 'replica' },
      ],
    },
  ],
  certificateAuthorities: [{ name: 'ca', root: 'ca/root.pem' }],
  cmsCertificates: [
    { cluster: 'meet', service: 'callbridge', scope: 'clustered', certificate: 'certs/cb.pem', key: 'keys/cb.key', ca: 'ca' },
    { cluster: 'meet', service: 'webadmin', server: CMS1, certificate: 'certs/wa1.pem', key: 'keys/wa1.key', ca: 'ca' },
    { cluster: 'meet', service: 'xmpp', scope: 'clustered', source: 'server-csr', issuer: 'corp-vault', renewal: '2027', certificate: 'certs/xmpp.pem', ca: 'ca' },
  ],
});
// callbridge and xmpp: 100 days old of 365 (due at day 243); webadmin: 10 days old.
const files: Record<string, DeclaredFile> = {
  'certs/cb.pem': { sha256: CB, notBefore: iso(-100), notAfter: iso(265), subject: 'CN=cms.example.com' },
  'certs/wa1.pem': { sha256: WA1, notBefore: iso(-10), notAfter: iso(355), subject: 'CN=cms1.example.com' },
  'certs/xmpp.pem': { sha256: XMPP, notBefore: iso(-100), notAfter: iso(265), subject: 'CN=cms.example.com' },
};

function id(purpose: string, sha256: string, over: Partial<LiveIdentity> = {}): LiveIdentity {
  const f = Object.values(files).find((x) => x.sha256 === sha256);
  return { purpose, sha256, subject: 'CN=x', issuer: 'CN=ca', sans: [], notBefore: f?.notBefore ?? iso(-10), notAfter: f?.notAfter ?? iso(355), selfSigned: false, ports: [{ port: 'p', number: 1, sha256 }], ...over };
}

function evaluate(now: Date, cms1: LiveIdentity[], cms2: LiveIdentity[] | undefined) {
  const readings = new Map<string, NodeReading>([
    [CMS1, { fqdn: CMS1, reachable: true, identities: cms1, trust: [] }],
    [CMS2, cms2 ? { fqdn: CMS2, reachable: true, identities: cms2, trust: [] } : { fqdn: CMS2, reachable: false, error: 'connection refused', identities: [], trust: [] }],
  ]);
  return evaluateStatus(decls, readings, { now, declaredFile: () => undefined, declaredCmsFile: (d) => files[d.certificate] });
}

const rolledOut = (now: Date) => evaluate(now, [id('webadmin', WA1), id('callbridge', CB), id('xmpp', XMPP)], [id('callbridge', CB), id('xmpp', XMPP)]);

describe('Meeting Server certificates, judged for renewal', () => {
  it('has no reasons while every certificate is ok, and renew selects nothing', () => {
    const e = rolledOut(NOW);
    expect(e.cmsCertificates.map((c) => [c.decl.service, c.reasons])).toEqual([
      ['callbridge', []],
      ['webadmin', []],
      ['xmpp', []],
    ]);
    const selection = selectRenewals(decls, e.certificates, e.cmsCertificates);
    expect(selection.selected).toEqual([]);
    expect(selection.declarations.cmsClusters).toEqual([]);
  });

  it('selects only what is past two thirds of its lifetime: a file with the same-certificate warning, a server-made one with the next renewal label', () => {
    // GIVEN day 150 of callbridge's and xmpp's 365 days, webadmin 60 days old
    const e = rolledOut(new Date(NOW.getTime() + 150 * DAY));
    const [cb, wa, xmpp] = e.cmsCertificates;
    expect(cb.reasons).toEqual([expect.stringMatching(/^the installed certificate is due for renewal since 2027-05-\d\d \(once two thirds of its lifetime have passed/)]);
    expect(cb.declaredFileDue).toBe(true);
    expect(wa.reasons).toEqual([]);
    expect(xmpp.declaredFileDue).toBe(true);

    const selection = selectRenewals(decls, e.certificates, e.cmsCertificates);
    // THEN callbridge as declared, xmpp with renewal 2028 and signed again; webadmin not; no database procedure
    expect(selection.declarations.cmsCertificates).toEqual([decls.cmsCertificates![0], { ...decls.cmsCertificates![2], renewal: '2028', signAgain: true }]);
    expect(selection.declarations.cmsClusters!.map((c) => [c.name, c.databaseCertificates])).toEqual([['meet', undefined]]);
    expect(selection.declarations.clusters).toEqual([]);
    expect(selection.declarations.issuers).toEqual(decls.issuers);
    expect(selection.warnings.get('meet')!.map((w) => w.code)).toEqual(['renewal', 'renewal-same-certificate', 'renewal', 'renewal-label']);
    expect(selection.warnings.get('meet')![1].message).toMatch(/callbridge \('certs\/cb\.pem'\) is the installed certificate.*Put the renewed certificate in 'certs\/cb\.pem' \(its key in 'keys\/cb\.key'\)/);
    expect(selection.warnings.get('meet')![3].message).toMatch(/xmpp \(issued by 'corp-vault'\): a fresh key and CSR on the server \(renewal '2028', a new basename\), signed by 'corp-vault', saved over 'certs\/xmpp\.pem'; set renewal: '2028'/);
    expect(selection.selected.map((s) => [s.purpose, s.node, s.source, s.sameCertificate])).toEqual([
      ['callbridge', undefined, "'certs/cb.pem'", true],
      ['xmpp', undefined, "issued by 'corp-vault'", false],
    ]);
    // AND the renewed declaration plans phase 1: its file is the certificate it renews
    expect(cmsAwaitsSignature(selection.declarations.cmsCertificates![1], () => true)).toBe(true);
    expect(cmsAwaitsSignature(decls.cmsCertificates![2], () => true)).toBe(false);
  });

  it('gives drift, pending restart, expiry and unread servers their reasons; a drifted server-made one is installed as declared', () => {
    const e = evaluate(
      new Date(NOW.getTime() + 100 * DAY),
      [id('webadmin', WA1, { ports: [{ port: 'p', number: 1, sha256: 'e'.repeat(64) }] }), id('xmpp', 'd'.repeat(64), { subject: 'CN=old' })],
      undefined,
    );
    const [cb, wa, xmpp] = e.cmsCertificates;
    expect(cb.reasons).toEqual([`${CMS1} holds no callbridge certificate`]);
    expect(cb.unread).toEqual([CMS2]);
    expect(wa.reasons).toEqual([`installed on ${CMS1} but not presented yet on p (a restart is pending)`]);
    expect(xmpp.reasons).toEqual([`not installed on ${CMS1}, which holds ${'d'.repeat(16)}… ('CN=old')`]);
    expect(xmpp.unread).toEqual([CMS2]);
    expect(xmpp.declaredFileDue).toBe(false);
    const selection = selectRenewals(decls, e.certificates, e.cmsCertificates);
    expect(selection.declarations.cmsCertificates).toEqual(decls.cmsCertificates);
    expect(selection.warnings.get('meet')!.map((w) => w.code)).toEqual(['renewal', 'renewal-unread', 'renewal', 'renewal', 'renewal-unread']);

    const expired = rolledOut(new Date(NOW.getTime() + 266 * DAY));
    expect(expired.cmsCertificates[0].reasons).toEqual([`the installed certificate expired on ${iso(265).slice(0, 10)}`]);
  });

  it('counts the renewal label up', () => {
    expect([undefined, '2027', 'r09', 'spring', 'spring-1'].map(nextRenewalLabel)).toEqual(['1', '2028', 'r10', 'spring-1', 'spring-2']);
  });
});
