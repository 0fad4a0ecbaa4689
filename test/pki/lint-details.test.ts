/** Lint behaviour beyond "this code fires": what stays silent, windows and dates, chain shapes. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eku } from '../../lib/catalog';
import { LintCertificateInput, lintCertificate } from '../../lib/pki';
import { IMP, LAB_NODES, MS_CN, TestCa, codes, makeCa, makeLeaf } from './support';

const DAY = 86_400_000;
let root: TestCa;
let issuing: TestCa;
let good: Buffer;

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Detail Root, O=Test' });
  issuing = await makeCa({ name: 'CN=Detail Issuing, O=Test', issuer: root });
  good = await makeLeaf({ issuer: issuing });
});

function lint(over: Partial<LintCertificateInput> = {}) {
  return lintCertificate({ leaf: good, chain: Buffer.from(issuing.pem), root: Buffer.from(root.pem), purpose: 'tomcat', nodes: LAB_NODES, commonName: MS_CN, ...over });
}

describe('lint details', () => {
  it('GIVEN a certificate 20 days from expiry WHEN the renewal window is 10 or 30 days THEN it warns only within the window', async () => {
    const leaf = await makeLeaf({ issuer: issuing, notAfter: new Date(Date.now() + 20 * DAY) });
    expect(lint({ leaf, renewalWindowDays: 10 })).toEqual([]);
    expect(codes(lint({ leaf }))).toEqual(['CERT_EXPIRES_SOON']);
  });

  it('GIVEN a good certificate WHEN linted as of a date after its expiry THEN CERT_EXPIRED, for the leaf only', () => {
    const findings = lint({ now: new Date(Date.now() + 400 * DAY) });
    expect(findings.map((f) => [f.code, f.certificate])).toEqual([['CERT_EXPIRED', 'certificate']]);
  });

  it('GIVEN an expired intermediate WHEN linted THEN CERT_EXPIRED names the chain certificate', async () => {
    const old = await makeCa({ name: 'CN=Old Issuing, O=Test', issuer: root, notBefore: new Date(Date.now() - 40 * DAY), notAfter: new Date(Date.now() - DAY) });
    const leaf = await makeLeaf({ issuer: old, notBefore: new Date(Date.now() - 30 * DAY) });
    const findings = lint({ leaf, chain: Buffer.from(old.pem), chainLabel: 'old.pem' });
    expect(findings.map((f) => [f.code, f.certificate])).toEqual([['CERT_EXPIRED', 'old.pem']]);
  });

  it('GIVEN the chain root-first WHEN the order is declared root-first THEN no CHAIN_ORDER; given issuer-first it is', async () => {
    const policy = await makeCa({ name: 'CN=Detail Policy, O=Test', issuer: root });
    const deep = await makeCa({ name: 'CN=Detail Deep, O=Test', issuer: policy });
    const leaf = await makeLeaf({ issuer: deep });
    expect(lint({ leaf, chain: Buffer.from(policy.pem + deep.pem), chainOrder: 'root-first' })).toEqual([]);
    expect(lint({ leaf, chain: Buffer.from(deep.pem + policy.pem + root.pem) })).toEqual([]);
    expect(codes(lint({ leaf, chain: Buffer.from(policy.pem + deep.pem) }))).toEqual(['CHAIN_ORDER']);
  });

  it('GIVEN no declared root WHEN the chain ends at a self-signed root THEN it is accepted; without any root THEN CHAIN_INCOMPLETE', () => {
    expect(lint({ root: undefined, chain: Buffer.from(issuing.pem + root.pem) })).toEqual([]);
    const findings = lint({ root: undefined });
    expect(codes(findings)).toEqual(['CHAIN_INCOMPLETE']);
    expect(findings[0].message).toContain("its issuer 'CN=Detail Root, O=Test' is in neither the chain nor the root");
  });

  it('GIVEN cup-xmpp-s2s with node names and *.domain WHEN linted THEN the wildcard is allowed', async () => {
    const leaf = await makeLeaf({
      issuer: issuing,
      cn: `${IMP}-ms`,
      dns: [`${IMP}-ms`, IMP, '*.example.com'],
      eku: [Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.IPSEC_END_SYSTEM],
      keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'],
    });
    expect(lint({ leaf, purpose: 'cup-xmpp-s2s', nodes: [IMP], commonName: `${IMP}-ms` })).toEqual([]);
  });

  it('GIVEN names in another case WHEN linted THEN SAN and CN comparisons ignore case', async () => {
    const leaf = await makeLeaf({ issuer: issuing, cn: MS_CN.toUpperCase(), dns: [MS_CN.toUpperCase(), ...LAB_NODES.map((n) => n.toUpperCase())] });
    expect(lint({ leaf })).toEqual([]);
  });

  it('GIVEN an RSA tomcat certificate with keyEncipherment WHEN linted THEN it is never refused for it', async () => {
    const leaf = await makeLeaf({ issuer: issuing, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] });
    expect(lint({ leaf })).toEqual([]);
  });

  it('GIVEN the IM&P tomcat row (which asks keyEncipherment) WHEN the certificate lacks it THEN only a warning', () => {
    const findings = lint({ platform: 'imp' });
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['KEY_USAGE_MISMATCH', 'warning']]);
  });

  it('GIVEN a certificate without any SAN WHEN linted THEN each node is named missing and the CN is not in the SANs', async () => {
    const leaf = await makeLeaf({ issuer: issuing, dns: [] });
    const findings = lint({ leaf });
    expect(findings.map((f) => f.node ?? f.code)).toEqual(['CN_NOT_IN_SAN', ...LAB_NODES]);
  });
});
