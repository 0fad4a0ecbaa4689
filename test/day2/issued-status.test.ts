/**
 * Issue 9 in `ucrollout status`: an issued certificate has no declared file, its leaf is known
 * only after the sign step: a node holding a CA-signed identity is ok, a self-signed one drifts.
 */
import { describe, expect, it } from 'vitest';
import { LiveIdentity, NodeReading } from '../../lib/day2/live';
import { evaluateStatus } from '../../lib/day2/status';
import { inventoryToDeclarations } from '../../lib/inventory';

const PUB = 'pub.example.com';
const NOW = new Date('2027-01-01T00:00:00Z');
const iso = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

const decls = inventoryToDeclarations({
  issuers: [{ name: 'corp-acme', acme: { directory: 'https://acme.corp.example/dir', dns01Hook: './hook.sh' } }],
  clusters: [{ name: 'lab', publisher: PUB }],
  certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
  certificates: [{ cluster: 'lab', purpose: 'tomcat', issuer: 'corp-acme', ca: 'corp' }],
});

function tomcat(selfSigned: boolean): Map<string, NodeReading> {
  const sha256 = (selfSigned ? 'b' : 'a').repeat(64);
  const id: LiveIdentity = {
    purpose: 'tomcat',
    sha256,
    subject: selfSigned ? `CN=${PUB}` : 'CN=pub-ms.example.com',
    issuer: selfSigned ? `CN=${PUB}` : 'CN=Corp Issuing CA',
    sans: [PUB],
    notBefore: iso(-10),
    notAfter: iso(80),
    selfSigned,
    ports: [{ port: 'https', number: 8443, sha256 }],
  };
  return new Map([[PUB, { fqdn: PUB, reachable: true, identities: [id], trust: [] }]]);
}

describe('status of an issued certificate', () => {
  it('is ok when the node holds a CA-signed identity, without reading a declared file', () => {
    const e = evaluateStatus(decls, tomcat(false), { now: NOW, declaredFile: () => { throw new Error('an issued certificate has no file to read'); } });
    expect(e.report.clusters[0].nodes[0].identities[0].state).toBe('ok');
  });

  it('when due, says to renew it through its issuer, not to put a file in place', () => {
    const late = new Date(NOW.getTime() + 75 * 86_400_000);
    const e = evaluateStatus(decls, tomcat(false), { now: late, declaredFile: () => undefined });
    expect(e.report.clusters[0].nodes[0].identities[0].state).toBe('due');
    const fixes = e.report.findings.map((f) => f.fix ?? '');
    expect(fixes.some((f) => f.includes("signed by 'corp-acme'") && f.includes('ucrollout renew'))).toBe(true);
    expect(fixes.join('\n')).not.toContain("'undefined'");
  });

  it('drifts when another CA signed what the node holds, and says so', () => {
    const corp = { declaredCa: (name: string) => (name === 'corp' ? ['CN=Corp Root CA', 'CN=Corp Issuing CA'] : undefined) };
    // GIVEN the declared CA's intermediate issued the node's identity: ok
    const ours = evaluateStatus(decls, tomcat(false), { now: NOW, declaredFile: () => undefined, ...corp });
    expect(ours.report.clusters[0].nodes[0].identities[0].state).toBe('ok');
    // GIVEN another CA: drift, naming the issuer seen and the declared one
    const other = { declaredCa: () => ['CN=Other Root CA'] };
    const e = evaluateStatus(decls, tomcat(false), { now: NOW, declaredFile: () => undefined, ...other });
    expect(e.report.clusters[0].nodes[0].identities[0].state).toBe('drift');
    const drift = e.report.findings.find((f) => f.code === 'drift')!;
    expect(drift.message).toBe("the tomcat certificate from issuer 'corp-acme' (CA 'corp') is not the one installed: the node holds one issued by 'CN=Corp Issuing CA'");
    expect(drift.message).not.toContain('undefined');
  });

  it('drifts while the node is still (or again) self-signed', () => {
    const e = evaluateStatus(decls, tomcat(true), { now: NOW, declaredFile: () => undefined });
    expect(e.report.clusters[0].nodes[0].identities[0].state).toBe('drift');
  });
});
