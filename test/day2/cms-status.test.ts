/**
 * Issue 10 for Meeting Servers, the pure part: what the MMP prints, read (service status,
 * `pki inspect`, `database cluster status`), and the judgement of CMS servers: ok, drift,
 * pending restart, unmanaged, expiry, unreachable, and their Prometheus lines.
 */
import { describe, expect, it } from 'vitest';
import { parseDatabaseRole } from '../../lib/day2/cms-discover';
import { parseInspect, parseServiceStatus } from '../../lib/day2/cms-live';
import { LiveIdentity, NodeReading } from '../../lib/day2/live';
import { renderPrometheus } from '../../lib/day2/render';
import { DeclaredFile, evaluateStatus, exitCodeOf } from '../../lib/day2/status';
import { inventoryToDeclarations } from '../../lib/inventory';

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const CB = 'b'.repeat(64);
const WA1 = 'a'.repeat(64);

const decls = inventoryToDeclarations({
  cmsClusters: [
    {
      name: 'meet',
      version: '2.9',
      clusterFqdn: 'cms.example.com',
      servers: [
        { fqdn: 'cms1.example.com', services: ['webadmin', 'callbridge'], databaseRole: 'primary' },
        { fqdn: 'cms2.example.com', services: ['webadmin', 'callbridge'], databaseRole: 'replica' },
      ],
    },
  ],
  certificateAuthorities: [{ name: 'ca', root: 'ca/root.pem' }],
  cmsCertificates: [
    { cluster: 'meet', service: 'callbridge', scope: 'clustered', certificate: 'certs/cb.pem', key: 'keys/cb.key', ca: 'ca' },
    { cluster: 'meet', service: 'webadmin', server: 'cms1.example.com', certificate: 'certs/wa1.pem', key: 'keys/wa1.key', ca: 'ca' },
  ],
});
const files: Record<string, DeclaredFile> = {
  'certs/cb.pem': { sha256: CB, notBefore: iso(-10), notAfter: iso(355), subject: 'CN=cms.example.com' },
  'certs/wa1.pem': { sha256: WA1, notBefore: iso(-10), notAfter: iso(355), subject: 'CN=cms1.example.com' },
};

function id(purpose: string, sha256: string, presented: string | undefined = sha256, over: Partial<LiveIdentity> = {}): LiveIdentity {
  return { purpose, sha256, subject: 'CN=x', issuer: 'CN=ca', sans: [], notBefore: iso(-10), notAfter: iso(355), selfSigned: false, ports: presented ? [{ port: 'p', number: 1, sha256: presented }] : [], ...over };
}

function evaluate(cms1: LiveIdentity[], cms2: LiveIdentity[] | undefined) {
  const r = new Map<string, NodeReading>([
    ['cms1.example.com', { fqdn: 'cms1.example.com', reachable: true, identities: cms1, trust: [] }],
    ['cms2.example.com', cms2 ? { fqdn: 'cms2.example.com', reachable: true, identities: cms2, trust: [] } : { fqdn: 'cms2.example.com', reachable: false, error: 'connection refused', identities: [], trust: [] }],
  ]);
  return evaluateStatus(decls, r, { now: NOW, declaredFile: () => undefined, declaredCmsFile: (d) => files[d.certificate] }).report;
}

describe('Meeting Server status, judged', () => {
  it('says ok for the declared certificates in use, unmanaged for the undeclared, exit 0', () => {
    const report = evaluate([id('webadmin', WA1), id('callbridge', CB)], [id('webadmin', 'c'.repeat(64)), id('callbridge', CB)]);
    expect(report.clusters[0].name).toBe('meet');
    expect(report.clusters[0].nodes.map((n) => n.identities.map((i) => `${i.purpose} ${i.state}`))).toEqual([
      ['webadmin ok', 'callbridge ok'],
      ['webadmin unmanaged', 'callbridge ok'],
    ]);
    expect(report.findings).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
    expect(renderPrometheus(report)).toContain('ucrollout_certificate_ready{cluster="meet",node="cms2.example.com",purpose="callbridge"} 1');
  });

  it('gives drift, pending-restart and expiry, and exit 2 for an unreachable server', () => {
    const report = evaluate([id('webadmin', 'd'.repeat(64)), id('callbridge', CB, 'e'.repeat(64))], undefined);
    expect(report.clusters[0].nodes[0].identities.map((i) => i.state)).toEqual(['drift', 'pending-restart']);
    expect(report.findings.map((f) => `${f.severity} ${f.code} ${f.nodes.join(',')}`)).toEqual([
      'critical node-unreachable cms2.example.com',
      'warning drift cms1.example.com',
      'warning pending-restart cms1.example.com',
    ]);
    expect(exitCodeOf(report)).toBe(2);
    const expiring = evaluate([id('webadmin', WA1, WA1, { notAfter: iso(3) })], [id('callbridge', CB)]);
    expect(expiring.clusters[0].nodes[0].identities[0].state).toBe('due');
    expect(expiring.findings.map((f) => `${f.severity} ${f.code}`)).toContain('critical certificate-expiring');
  });
});

describe('MMP output, read', () => {
  it('reads a service status: enabled, key and certificate files', () => {
    const text = ['Enabled                             : true', 'TLS listening port                  : 445', 'Key file                            : webadmin-1a2b.key', 'Certificate file                    : webadmin-1a2b.crt', 'CA Bundle file                      : none'].join('\n');
    expect(parseServiceStatus(text)).toEqual({ enabled: true, keyFile: 'webadmin-1a2b.key', certificateFile: 'webadmin-1a2b.crt', bundleFile: undefined });
    expect(parseServiceStatus('HTTPS Key file : w3.key\nHTTPS Full chain certificate file : w3-fullchain.crt')).toMatchObject({ keyFile: 'w3.key', certificateFile: 'w3-fullchain.crt' });
    expect(parseServiceStatus("ERROR: Unknown command 'webbridge3': type help for the commands")).toBeUndefined();
  });

  it('reads the first certificate of pki inspect', () => {
    const fp = Array.from({ length: 32 }, () => 'AB').join(':');
    const text = [
      'Checking x.crt ...',
      'Certificate 1:',
      '    Subject             : CN=cms1.example.com',
      '    Issuer              : CN=Issuing CA',
      '    Not before          : Fri, 01 Jan 2027 00:00:00 UTC',
      '    Not after           : Sat, 01 Jan 2028 00:00:00 UTC',
      '    Subject alt names   : cms1.example.com, join.example.com',
      `    SHA-256 fingerprint : ${fp}`,
      'Certificate 2:',
      '    Subject             : CN=Issuing CA',
    ].join('\n');
    expect(parseInspect(text)).toEqual({
      sha256: 'ab'.repeat(32),
      subject: 'CN=cms1.example.com',
      issuer: 'CN=Issuing CA',
      sans: ['cms1.example.com', 'join.example.com'],
      notBefore: '2027-01-01T00:00:00.000Z',
      notAfter: '2028-01-01T00:00:00.000Z',
      selfSigned: false,
    });
    expect(parseInspect('ERROR: x.crt not found')).toBeUndefined();
  });

  it('reads the database role from database cluster status', () => {
    expect(parseDatabaseRole('Status : Enabled\nNodes:\n  cms1.example.com (me) : Connected Primary\nInterface : a')).toEqual({ role: 'primary', iface: 'a' });
    expect(parseDatabaseRole('Status : Enabled\nNodes:\n  cms1.example.com : Connected Primary\n  cms2.example.com (me) : Connected Replica ( In Sync )')).toEqual({ role: 'replica', iface: undefined });
    expect(parseDatabaseRole('Status : Disabled\nNodes: none')).toEqual({ role: 'none', iface: undefined });
  });
});
