/** Chains in the order each target wants, PKCS#7 and fingerprints (DOMAIN.md §3, §4). */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { cmsBundle, cmsCaBundle, cucmTrustUploadOrder, readCertificates, sha256Fingerprint } from '../../lib/pki';
import { TestCa, makeCa, makeLeaf } from './support';

let root: TestCa;
let policy: TestCa;
let issuing: TestCa;
let other: TestCa;
let leaf: Buffer;
let leafDer: Buffer;

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Bundle Root, O=Test' });
  policy = await makeCa({ name: 'CN=Bundle Policy CA, O=Test', issuer: root });
  issuing = await makeCa({ name: 'CN=Bundle Issuing CA, O=Test', issuer: policy });
  other = await makeCa({ name: 'CN=Unrelated Root, O=Other' });
  leaf = await makeLeaf({ issuer: issuing });
  leafDer = readCertificates(leaf, 'leaf')[0];
});

describe('cucmTrustUploadOrder', () => {
  it('GIVEN the CA certificates in any order WHEN ordered THEN the root comes first, then each intermediate as issued', () => {
    expect(cucmTrustUploadOrder([issuing.pem, root.der, policy.pem])).toEqual([root.der, policy.der, issuing.der]);
    expect(cucmTrustUploadOrder([Buffer.from(issuing.pem + policy.pem + root.pem)])).toEqual([root.der, policy.der, issuing.der]);
  });

  it('GIVEN a chain without its root or with an unrelated certificate WHEN ordered THEN it refuses, naming the certificate', () => {
    expect(() => cucmTrustUploadOrder([issuing.pem, policy.pem])).toThrow(/does not reach a self-signed root.*Bundle Policy CA.*add the root/);
    expect(() => cucmTrustUploadOrder([root.pem, policy.pem, other.pem])).toThrow(/Unrelated Root.*is not on the chain/);
  });
});

describe('cmsBundle', () => {
  it('GIVEN leaf, intermediates in any order and root WHEN bundled THEN entity first, root last, exactly one trailing newline', () => {
    // WHEN
    const bundle = cmsBundle(leaf, [policy.pem, issuing.der], root.pem);
    // THEN
    expect(readCertificates(Buffer.from(bundle), 'bundle')).toEqual([leafDer, issuing.der, policy.der, root.der]);
    expect(bundle.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(bundle.endsWith('\n\n')).toBe(false);
    expect(bundle).not.toContain('\r');
  });

  it('GIVEN a missing intermediate or a wrong root WHEN bundled THEN it refuses, saying where the chain stops', () => {
    expect(() => cmsBundle(leaf, [issuing.pem], root.pem)).toThrow(/stops at 'CN=Bundle Issuing CA, O=Test'/);
    expect(() => cmsBundle(leaf, [issuing.pem, policy.pem], other.pem)).toThrow(/does not chain to the root 'CN=Unrelated Root/);
    expect(() => cmsBundle(leaf, [issuing.pem, policy.pem, other.pem], root.pem)).toThrow(/Unrelated Root.*not on the chain/);
  });

  it('GIVEN the CA certificates WHEN a CA bundle is made THEN it is the same without the entity', () => {
    const caBundle = cmsCaBundle([policy.pem, issuing.pem], root.pem);
    expect(readCertificates(Buffer.from(caBundle), 'bundle')).toEqual([issuing.der, policy.der, root.der]);
    expect(cmsBundle(leaf, [policy.pem, issuing.pem], root.pem).endsWith(caBundle)).toBe(true);
  });
});

describe('sha256Fingerprint', () => {
  it('GIVEN a certificate as DER or PEM WHEN fingerprinted THEN it is the lowercase hex SHA-256 of the DER', () => {
    const expected = createHash('sha256').update(leafDer).digest('hex');
    expect(sha256Fingerprint(leafDer)).toBe(expected);
    expect(sha256Fingerprint(leaf.toString())).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});
