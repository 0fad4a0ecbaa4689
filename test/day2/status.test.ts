/**
 * Issue 10, the pure part of `ucrollout status`: states, findings with their fixes, exit codes,
 * the Prometheus text, renewBefore, and `show network cluster`, on readings made by hand.
 */
import { describe, expect, it } from 'vitest';
import { LiveIdentity, LiveTrust, NodeReading } from '../../lib/day2/live';
import { parseNetworkCluster } from '../../lib/day2/network-cluster';
import { escapeLabel, renderJson, renderPrometheus, renderTable } from '../../lib/day2/render';
import { selectRenewals } from '../../lib/day2/renew';
import { DeclaredFile, evaluateStatus, exitCodeOf } from '../../lib/day2/status';
import { inventoryToDeclarations } from '../../lib/inventory';
import { parseRenewBefore, renewalTime } from '../../lib/model';

const PUB = 'pub.example.com';
const SUB = 'sub.example.com';
const IMP = 'imp.example.com';
const DAY = 86_400_000;
const NOW = new Date('2027-01-01T00:00:00Z');
const iso = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

const DECLARED_TOMCAT = 'a'.repeat(64);
const DECLARED_CM = 'c'.repeat(64);

function declarations(extra: Record<string, unknown> = {}) {
  return inventoryToDeclarations({
    clusters: [{ name: 'lab', publisher: PUB, subscribers: [SUB], imPresence: { databasePublisher: IMP } }],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
    certificates: [
      { cluster: 'lab', purpose: 'tomcat', certificate: 'certs/tomcat.pem', ca: 'corp', renewBefore: 30 },
      { cluster: 'lab', purpose: 'CallManager', certificate: 'certs/cm.pem', ca: 'corp' },
    ],
    ...extra,
  });
}

const files: Record<string, DeclaredFile> = {
  'certs/tomcat.pem': { sha256: DECLARED_TOMCAT, notBefore: iso(-100), notAfter: iso(265), subject: 'CN=pub.example.com-ms' },
  'certs/cm.pem': { sha256: DECLARED_CM, notBefore: iso(-100), notAfter: iso(265), subject: 'CN=pub.example.com-ms' },
};

function identity(purpose: string, sha256: string, over: Partial<LiveIdentity> = {}): LiveIdentity {
  return {
    purpose,
    sha256,
    subject: 'CN=pub.example.com-ms, O=Test',
    issuer: 'CN=Issuing CA, O=Test',
    sans: [PUB, SUB, IMP],
    notBefore: iso(-100),
    notAfter: iso(265),
    selfSigned: false,
    ports: [{ port: 'https', number: 8443, sha256 }],
    ...over,
  };
}

function selfSigned(purpose: string, fqdn: string, sha256: string): LiveIdentity {
  return identity(purpose, sha256, { subject: `CN=${fqdn}`, issuer: `CN=${fqdn}`, sans: [fqdn], notBefore: iso(-10), notAfter: iso(3640), selfSigned: true });
}

function trust(store: string, subject: string, notAfter: string, sha256 = 'e'.repeat(64)): LiveTrust {
  return { store, file: `${store}/${subject}.pem`, sha256, subject: `CN=${subject}`, issuer: `CN=${subject}`, sans: [], notBefore: iso(-1000), notAfter, selfSigned: true };
}

function readings(list: NodeReading[]): Map<string, NodeReading> {
  return new Map(list.map((r) => [r.fqdn, r]));
}

function rolledOut(over: { pub?: LiveIdentity[]; sub?: LiveIdentity[]; imp?: LiveIdentity[]; trust?: LiveTrust[] } = {}): Map<string, NodeReading> {
  const ok = [identity('tomcat', DECLARED_TOMCAT), identity('CallManager', DECLARED_CM, { ports: [{ port: 'sip-tls', number: 5061, sha256: DECLARED_CM }] })];
  return readings([
    { fqdn: PUB, reachable: true, identities: over.pub ?? ok, trust: over.trust ?? [], members: [] },
    { fqdn: SUB, reachable: true, identities: over.sub ?? ok, trust: [] },
    { fqdn: IMP, reachable: true, identities: over.imp ?? [identity('tomcat', DECLARED_TOMCAT)], trust: [] },
  ]);
}

function evaluate(r: Map<string, NodeReading>, now = NOW, decls = declarations()) {
  return evaluateStatus(decls, r, { now, declaredFile: (d) => files[d.certificate!] });
}

const states = (e: ReturnType<typeof evaluate>) =>
  Object.fromEntries(e.report.clusters[0].nodes.flatMap((n) => n.identities.map((i) => [`${n.fqdn.split('.')[0]} ${i.purpose}`, i.state])));

describe('status states and exit codes', () => {
  it('is ok (exit 0) when every node holds and presents the declared certificates', () => {
    // GIVEN a rolled-out cluster WHEN judged THEN every declared identity is ok, nothing found
    const e = evaluate(rolledOut());
    expect(states(e)).toEqual({ 'pub tomcat': 'ok', 'pub CallManager': 'ok', 'sub tomcat': 'ok', 'sub CallManager': 'ok', 'imp tomcat': 'ok' });
    expect(e.report.findings).toEqual([]);
    expect(exitCodeOf(e.report)).toBe(0);
    expect(e.certificates.every((c) => c.reasons.length === 0)).toBe(true);
  });

  it('shows drift for what is declared and unmanaged for the rest before a change (exit 1)', () => {
    // GIVEN nodes that still hold their self-signed certificates
    const r = readings([PUB, SUB, IMP].map((f, i) => ({ fqdn: f, reachable: true, identities: [selfSigned('tomcat', f, String(i).repeat(64)), selfSigned('ipsec', f, `${i}f`.repeat(32))], trust: [] })));
    // WHEN judged
    const e = evaluate(r);
    // THEN tomcat drifts everywhere (one finding naming the nodes), ipsec is unmanaged, and the exit code is a warning
    expect(states(e)).toMatchObject({ 'pub tomcat': 'drift', 'pub ipsec': 'unmanaged', 'imp tomcat': 'drift' });
    const drift = e.report.findings.find((f) => f.code === 'drift' && f.purpose === 'tomcat')!;
    expect(drift.nodes).toEqual([PUB, SUB, IMP]);
    expect(drift.fix).toMatch(/ucrollout renew/);
    expect(e.report.findings.some((f) => f.code === 'self-signed-fallback')).toBe(false);
    expect(exitCodeOf(e.report)).toBe(1);
  });

  it('calls a certificate expiring in 10 days due (exit 1), in 5 days critical (exit 2), expired critical (exit 2)', () => {
    const r = rolledOut();
    const inTen = evaluate(r, new Date(Date.parse(iso(265)) - 10 * DAY));
    expect(states(inTen)['pub tomcat']).toBe('due');
    expect(inTen.report.findings.find((f) => f.code === 'certificate-expiring' && f.purpose === 'tomcat')).toMatchObject({ severity: 'warning', nodes: [PUB, SUB, IMP] });
    expect(exitCodeOf(inTen.report)).toBe(1);
    const inFive = evaluate(r, new Date(Date.parse(iso(265)) - 5 * DAY));
    expect(exitCodeOf(inFive.report)).toBe(2);
    const after = evaluate(r, new Date(Date.parse(iso(265)) + DAY));
    expect(states(after)['sub CallManager']).toBe('expired');
    expect(after.report.findings[0]).toMatchObject({ severity: 'critical', code: 'certificate-expired' });
    expect(exitCodeOf(after.report)).toBe(2);
  });

  it('applies renewBefore: CallManager (default, two thirds) is due before tomcat (30 days)', () => {
    // GIVEN 365-day certificates, 100 days old; two thirds of the lifetime pass at day 243
    const e = evaluate(rolledOut(), new Date(Date.parse(iso(-100)) + 250 * DAY));
    // THEN CallManager is due by its renewal rule and tomcat is not
    expect(states(e)).toMatchObject({ 'pub CallManager': 'due', 'pub tomcat': 'ok' });
    expect(e.report.findings.map((f) => f.code)).toEqual(['renewal-due']);
    const cm = e.certificates.find((c) => c.decl.purpose === 'CallManager')!;
    expect(cm.reasons.join()).toMatch(/due for renewal since .*two thirds/);
    expect(cm.declaredFileDue).toBe(true);
    // AND renew would plan exactly CallManager, saying why
    const selection = selectRenewals(declarations(), e.certificates);
    expect(selection.declarations.certificates.map((c) => c.purpose)).toEqual(['CallManager']);
    expect(selection.warnings.get('lab')!.map((w) => w.code)).toEqual(['renewal', 'renewal-same-certificate']);
  });

  it('knows a pending restart: installed, but the port presents the old leaf', () => {
    const stale = identity('tomcat', DECLARED_TOMCAT, { ports: [{ port: 'https', number: 8443, sha256: 'b'.repeat(64) }] });
    const e = evaluate(rolledOut({ sub: [stale, identity('CallManager', DECLARED_CM)] }));
    expect(states(e)['sub tomcat']).toBe('pending-restart');
    expect(e.report.clusters[0].nodes[1].identities[0].presented).toBe('b'.repeat(64));
    expect(e.report.findings.find((f) => f.code === 'pending-restart')).toMatchObject({ nodes: [SUB], purpose: 'tomcat' });
    expect(exitCodeOf(e.report)).toBe(1);
  });

  it('names an unreachable node (exit 2) and leaves what it holds unknown', () => {
    const r = rolledOut();
    r.set(SUB, { fqdn: SUB, reachable: false, error: 'SSH to 10.0.0.2:22 failed: ECONNREFUSED', identities: [], trust: [] });
    const e = evaluate(r);
    expect(e.report.clusters[0].nodes[1]).toEqual({ fqdn: SUB, reachable: false, identities: [], trust: [] });
    expect(e.report.findings[0]).toMatchObject({ severity: 'critical', code: 'node-unreachable', nodes: [SUB] });
    expect(e.report.findings[0].message).toMatch(/ECONNREFUSED/);
    expect(e.certificates.find((c) => c.decl.purpose === 'tomcat')!.unread).toEqual([SUB]);
    expect(exitCodeOf(e.report)).toBe(2);
  });
});

describe('the seeds’ re-issue triggers', () => {
  it('finds a node of the cluster missing from a multi-server certificate’s SANs', () => {
    // GIVEN a tomcat certificate issued before the IM&P node joined
    const old = identity('tomcat', DECLARED_TOMCAT, { sans: [PUB, SUB] });
    const e = evaluate(rolledOut({ pub: [old], sub: [old], imp: [old] }));
    const f = e.report.findings.find((x) => x.code === 'san-missing-node')!;
    expect(f.message).toMatch(/does not name imp\.example\.com/);
    expect(f.fix).toMatch(/ucrollout csr --inventory FILE --cluster lab --purpose tomcat/);
  });

  it('finds a node back on a self-signed certificate while its peers are CA-signed', () => {
    const e = evaluate(rolledOut({ sub: [selfSigned('tomcat', SUB, '9'.repeat(64)), identity('CallManager', DECLARED_CM)] }));
    const f = e.report.findings.find((x) => x.code === 'self-signed-fallback')!;
    expect(f).toMatchObject({ nodes: [SUB], purpose: 'tomcat' });
    expect(f.message).toMatch(/hostname or domain change, or a restore without backup/);
    expect(states(e)['sub tomcat']).toBe('drift');
  });

  it('finds trust certificates expired or about to, with the delete command as the fix', () => {
    const e = evaluate(rolledOut({ trust: [trust('tomcat-trust', 'Old_Root', iso(-3), '1'.repeat(64)), trust('CallManager-trust', 'Partner_CA', iso(20), '2'.repeat(64)), trust('tomcat-trust', 'Fine', iso(900))] }));
    const codes = e.report.findings.map((f) => [f.code, f.severity, f.store]);
    expect(codes).toEqual([
      ['trust-expired', 'critical', 'tomcat-trust'],
      ['trust-expiring', 'warning', 'CallManager-trust'],
    ]);
    expect(e.report.findings[0].fix).toMatch(/set cert delete trust tomcat-trust\/Old_Root\.pem/);
    expect(exitCodeOf(e.report)).toBe(2);
  });

  it('compares the publisher’s view of the cluster with the inventory', () => {
    const r = rolledOut();
    const pub = r.get(PUB)!;
    r.set(PUB, { ...pub, members: parseNetworkCluster(`10.0.0.1 ${PUB} pub Publisher callmanager DBPub authenticated\n10.0.0.2 ${SUB} sub Subscriber callmanager DBSub authenticated using TCP since Thu Oct 28 11:24:16 2021\n10.0.0.9 new.example.com new Subscriber callmanager DBSub authenticated using TCP since Thu Oct 28 11:24:16 2021\n`) });
    const e = evaluate(r);
    expect(e.report.findings.map((f) => [f.code, f.nodes])).toEqual([
      ['node-not-declared', ['new.example.com']],
      ['node-not-in-cluster', [IMP]],
    ]);
  });
});

describe('the outputs', () => {
  it('prints JSON with exactly the fields of the issue', () => {
    const report = JSON.parse(renderJson(evaluate(rolledOut()).report));
    expect(report.formatVersion).toBe(1);
    const node = report.clusters[0].nodes[0];
    expect(Object.keys(node)).toEqual(['fqdn', 'reachable', 'identities', 'trust']);
    expect(Object.keys(node.identities[0])).toEqual(['purpose', 'sha256', 'subject', 'issuer', 'sans', 'notBefore', 'notAfter', 'selfSigned', 'presented', 'state']);
    expect(node.identities[0].notAfter).toBe(iso(265));
    const withTrust = JSON.parse(renderJson(evaluate(rolledOut({ trust: [trust('tomcat-trust', 'Fine', iso(900))] })).report));
    expect(Object.keys(withTrust.clusters[0].nodes[0].trust[0])).toEqual(['store', 'sha256', 'subject', 'notAfter', 'selfSigned']);
  });

  it('prints the Prometheus text exposition format, label values escaped', () => {
    const text = renderPrometheus(evaluate(rolledOut({ trust: [trust('tomcat-trust', 'Quote "me" \\ now', iso(900))] })).report);
    expect(text).toContain('# TYPE ucrollout_certificate_expiration_timestamp_seconds gauge');
    expect(text).toContain(`ucrollout_certificate_expiration_timestamp_seconds{cluster="lab",node="${PUB}",purpose="tomcat"} ${Date.parse(iso(265)) / 1000}`);
    expect(text).toContain(`ucrollout_certificate_ready{cluster="lab",node="${SUB}",purpose="CallManager"} 1`);
    expect(text).toContain(`ucrollout_trust_expiration_timestamp_seconds{cluster="lab",node="${PUB}",store="tomcat-trust",subject="CN=Quote \\"me\\" \\\\ now"} ${Date.parse(iso(900)) / 1000}`);
    expect(text.split('\n').filter((l) => l.startsWith('# HELP')).length).toBe(4);
    expect(escapeLabel('a\nb')).toBe('a\\nb');
  });

  it('prints a table for people, coloured only when asked', () => {
    const e = evaluate(rolledOut(), new Date(Date.parse(iso(265)) - 10 * DAY));
    const plain = renderTable(e.report);
    expect(plain).toMatch(/cluster lab\n {2}pub\.example\.com\n/);
    expect(plain).toMatch(/tomcat\s+due\s+\d{4}-\d\d-\d\d \(10 d\)/);
    expect(plain).toMatch(/^WARNING: \d+ finding\(s\)/m);
    expect(plain).not.toContain('\x1b[');
    expect(renderTable(e.report, { colour: true })).toContain('\x1b[33mdue');
  });
});

describe('renewBefore', () => {
  it('reads days, a share of the lifetime, and the normalized form; refuses the rest', () => {
    expect(parseRenewBefore('x', 30).value).toEqual({ days: 30 });
    expect(parseRenewBefore('x', '25%').value).toEqual({ percent: 25 });
    expect(parseRenewBefore('x', '45d').value).toEqual({ days: 45 });
    expect(parseRenewBefore('x', { percent: 10 }).value).toEqual({ percent: 10 });
    expect(parseRenewBefore('x', 0).problem).toMatch(/x must be a whole number of days/);
    expect(parseRenewBefore('x', '150%').problem).toBeDefined();
  });

  it('is due at two thirds of the lifetime by default, N days or N % before expiry otherwise', () => {
    const from = '2026-01-01T00:00:00Z';
    const to = '2026-12-31T00:00:00Z'; // 364 days
    expect(renewalTime(from, to).toISOString()).toBe(new Date(Date.parse(from) + (364 * DAY * 2) / 3).toISOString());
    expect(renewalTime(from, to, { days: 30 }).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(renewalTime(from, to, { percent: 50 }).toISOString()).toBe('2026-07-02T00:00:00.000Z');
  });

  it('is accepted by the inventory loader, and a wrong value named with its path', () => {
    expect(declarations().certificates[0].renewBefore).toEqual({ days: 30 });
    expect(declarations().certificates[1].renewBefore).toBeUndefined();
    expect(() =>
      inventoryToDeclarations({
        clusters: [{ name: 'lab', publisher: PUB }],
        certificates: [{ cluster: 'lab', purpose: 'tomcat', certificate: 'c.pem', ca: 'corp', renewBefore: 'soon' }],
      }),
    ).toThrow(/certificates\[0\]\.renewBefore must be a whole number of days/);
  });
});

describe('show network cluster', () => {
  it('reads nodes and roles from the real output shape, wrapped lines and the server table left out', () => {
    const text = [
      '10.3.74.13 IMPPUB.lab.example.com IMPPUB Subscriber cups DBPub authenticated',
      '10.3.74.14 IMPSUB.lab.example.com IMPSUB Subscriber cups DBSub authenticated using TCP since Fri Oct 15 10:22:20 2021',
      '10.3.74.12 CUCMSUB.lab.example.com CUCMSUB Subscriber callmanager DBSub authenticated using TCP since Thu Oct 28 11:24:16 2021',
      '10.3.74.11 CUCMPUB.lab.example.com CUCMPUB Publisher callmanager DBPub',
      'authenticated using TCP since Thu Oct 28 11:27:36 2021',
      '',
      'Server Table (processnode) Entries',
      '----------------------------------',
      'CUCMPUB.lab.example.com',
      '10.3.74.12',
      '',
      'Successful',
    ].join('\n');
    expect(parseNetworkCluster(text)).toEqual([
      { address: '10.3.74.13', fqdn: 'imppub.lab.example.com', role: 'imp-database-publisher' },
      { address: '10.3.74.14', fqdn: 'impsub.lab.example.com', role: 'imp-subscriber' },
      { address: '10.3.74.12', fqdn: 'cucmsub.lab.example.com', role: 'subscriber' },
      { address: '10.3.74.11', fqdn: 'cucmpub.lab.example.com', role: 'publisher' },
    ]);
  });
});

describe('renewal through an issuer', () => {
  it('raises renewalGeneration of a due issued certificate, so the node makes a fresh CSR and the issuer signs it', () => {
    const decls = inventoryToDeclarations({
      issuers: [{ name: 'corp-vault', vault: { address: 'https://vault.example.com:8200', mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN' } }],
      clusters: [{ name: 'lab', publisher: PUB, subscribers: [SUB], imPresence: { databasePublisher: IMP } }],
      certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
      certificates: [
        { cluster: 'lab', purpose: 'tomcat', issuer: 'corp-vault', ca: 'corp', renewalGeneration: 2 },
        { cluster: 'lab', purpose: 'CallManager', certificate: 'certs/cm.pem', ca: 'corp' },
      ],
    });
    const due = { index: 0, decl: decls.certificates[0], reasons: ['due for renewal since 2026-11-01'], unread: [], declaredFileDue: false };
    const ok = { index: 1, decl: decls.certificates[1], reasons: [], unread: [], declaredFileDue: false };
    const selection = selectRenewals(decls, [due, ok] as never);
    expect(selection.declarations.certificates).toEqual([{ ...decls.certificates[0], renewalGeneration: 3 }]);
    expect(selection.warnings.get('lab')!.map((w) => w.code)).toEqual(['renewal', 'renewal-generation']);
    expect(selection.warnings.get('lab')![0].message).toMatch(/issued by 'corp-vault'/);
  });
});
