/**
 * Every lint code fires on its bad case and on nothing else, and a good certificate has
 * no finding. The table is typed Record<LintCode, …>: a new code does not compile without its case.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eku } from '../../lib/catalog';
import { CertificateDecl, Declarations } from '../../lib/model';
import {
  LINT_CODES,
  LintCertificateInput,
  LintCode,
  LintFinding,
  generateCsr,
  generateKeyPair,
  lintCertificate,
  privateKeyPem,
  toPem,
} from '../../lib/pki';
import { lintDeclarations } from '../../lib/platforms';
import { x509 } from '../../lib/pki/x509';
import {
  EC,
  IMP,
  LAB_NODES,
  MS_CN,
  PUB,
  SUB,
  TestCa,
  codes,
  fakeRsaPublicKey,
  labCluster,
  makeCa,
  makeLeaf,
  sharedRsaKeyPem,
  sharedRsaKeys,
  tempDir,
} from './support';

const DAY = 86_400_000;
const IPSEC_EKU = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.IPSEC_END_SYSTEM];
const EC_KU = ['digitalSignature', 'keyAgreement'];

let root: TestCa;
let issuing: TestCa;
let otherRoot: TestCa;
let good: Buffer;
let goodCsr: Buffer;
const tmp = tempDir();

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Test Root, O=Test' });
  issuing = await makeCa({ name: 'CN=Test Issuing, O=Test', issuer: root, pathLength: 0 });
  otherRoot = await makeCa({ name: 'CN=Other Root, O=Other' });
  good = await makeLeaf({ issuer: issuing });
  const keys = await sharedRsaKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${MS_CN}, O=Example`,
    keys,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
    extensions: [new x509.SubjectAlternativeNameExtension([MS_CN, ...LAB_NODES].map((value) => ({ type: 'dns' as const, value })))],
  });
  goodCsr = Buffer.from(toPem(csr.rawData, 'CERTIFICATE REQUEST'));
});
afterAll(() => tmp.remove());

/** The good tomcat input with some fields replaced. */
async function lint(over: Partial<LintCertificateInput> = {}): Promise<LintFinding[]> {
  return lintCertificate({
    leaf: good,
    label: 'leaf.pem',
    chain: Buffer.from(issuing.pem),
    root: Buffer.from(root.pem),
    purpose: 'tomcat',
    distribution: 'multi-server',
    nodes: LAB_NODES,
    commonName: MS_CN,
    key: await sharedRsaKeyPem(),
    csr: goodCsr,
    ...over,
  });
}

/** A leaf with another key: the key and CSR checks are left out, they would only repeat the difference. */
async function lintOtherKey(over: Partial<LintCertificateInput>): Promise<LintFinding[]> {
  return lint({ key: undefined, csr: undefined, ...over });
}

/** lintDeclarations of the lab cluster with one certificate declaration changed. */
async function lintDecl(over: Partial<CertificateDecl>): Promise<LintFinding[]> {
  writeFileSync(join(tmp.dir, 'root.pem'), root.pem);
  writeFileSync(join(tmp.dir, 'issuing.pem'), issuing.pem);
  writeFileSync(join(tmp.dir, 'leaf.pem'), good);
  const decls: Declarations = {
    clusters: [labCluster()],
    certificateAuthorities: [{ name: 'corp', root: 'root.pem', intermediates: ['issuing.pem'] }],
    certificates: [{ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'leaf.pem', ca: 'corp', ...over }],
    trustEntries: [],
  };
  return lintDeclarations(decls, { baseDir: tmp.dir });
}

async function ecPublicKey(): Promise<CryptoKey> {
  return (await generateKeyPair(EC)).publicKey;
}

const BAD_CASES: Record<LintCode, () => Promise<LintFinding[]>> = {
  CERT_UNREADABLE: () => lint({ leaf: Buffer.from('this is not a certificate\n') }),
  CHAIN_UNREADABLE: async () => lint({ chain: await sharedRsaKeyPem() }),
  ROOT_UNREADABLE: () => lint({ root: Buffer.alloc(0) }),
  KEY_UNREADABLE: () => lint({ key: good }),
  CSR_UNREADABLE: () => lint({ csr: goodCsr.subarray(0, 200) }),
  PURPOSE_UNKNOWN: () => lint({ purpose: 'tomcatt' }),
  CLUSTER_UNKNOWN: () => lintDecl({ cluster: 'nowhere' }),
  CA_UNKNOWN: () => lintDecl({ ca: 'nobody' }),
  NODE_UNKNOWN: () => lintDecl({ distribution: 'single-server', node: 'nope.example.com' }),
  CALLMANAGER_WITH_TVS: async () => {
    // A good CallManager and a good TVS certificate for the lab's CUCM nodes: one change may not hold both (DOMAIN.md §5)
    writeFileSync(join(tmp.dir, 'callmanager.pem'), await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB] }));
    writeFileSync(join(tmp.dir, 'tvs.pem'), await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB], keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] }));
    await lintDecl({});
    const decls: Declarations = {
      clusters: [labCluster()],
      certificateAuthorities: [{ name: 'corp', root: 'root.pem', intermediates: ['issuing.pem'] }],
      certificates: [
        { cluster: 'lab', purpose: 'CallManager', distribution: 'multi-server', certificate: 'callmanager.pem', ca: 'corp' },
        { cluster: 'lab', purpose: 'TVS', distribution: 'multi-server', certificate: 'tvs.pem', ca: 'corp' },
      ],
      trustEntries: [],
    };
    return lintDeclarations(decls, { baseDir: tmp.dir });
  },
  DISTRIBUTION_UNSUPPORTED: async () =>
    lintOtherKey({
      purpose: 'ipsec',
      nodes: undefined,
      commonName: undefined,
      leaf: await makeLeaf({ issuer: issuing, eku: IPSEC_EKU, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] }),
    }),
  SAN_MISSING_NODE: async () => lint({ leaf: await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB] }), csr: undefined }),
  CN_NOT_IN_SAN: async () => lint({ leaf: await makeLeaf({ issuer: issuing, dns: LAB_NODES }), csr: undefined }),
  CN_MISSING: async () => lint({ leaf: await makeLeaf({ issuer: issuing, subject: 'O=Example' }), commonName: undefined }),
  CN_UNEXPECTED: () => lint({ commonName: 'other-pub.example.com-ms' }),
  SAN_UNEXPECTED: async () => lint({ leaf: await makeLeaf({ issuer: issuing, dns: [MS_CN, ...LAB_NODES, 'extra.example.com'] }), csr: undefined }),
  SAN_IP_ADDRESS: async () => lint({ leaf: await makeLeaf({ issuer: issuing, ips: ['10.0.0.1'] }), csr: undefined }),
  SAN_WILDCARD: async () => lint({ leaf: await makeLeaf({ issuer: issuing, dns: [MS_CN, ...LAB_NODES, '*.example.com'] }), csr: undefined }),
  SAN_CSR_MISMATCH: async () => {
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'tomcat-ECDSA', distribution: 'multi-server' });
    const publicKey = new x509.Pkcs10CertificateRequest(csr.csrPem).publicKey;
    const leaf = await makeLeaf({ issuer: issuing, publicKey, keyUsage: EC_KU, dns: [MS_CN, ...LAB_NODES.slice(0, 2)], ips: ['10.0.0.1'] });
    const findings = await lint({ purpose: 'tomcat-ECDSA', leaf, key: Buffer.from(csr.keyPem), csr: Buffer.from(csr.csrPem), nodes: LAB_NODES.slice(0, 2) });
    // The IP address the CA added is also SAN_IP_ADDRESS; the mismatch must be reported besides it.
    expect(codes(findings).sort()).toEqual(['SAN_CSR_MISMATCH', 'SAN_IP_ADDRESS']);
    return findings.filter((f) => f.code === 'SAN_CSR_MISMATCH');
  },
  S2S_DOMAIN_NOT_WILDCARD: async () =>
    lint({
      purpose: 'cup-xmpp-s2s',
      leaf: await makeLeaf({ issuer: issuing, cn: `${IMP}-ms`, dns: [`${IMP}-ms`, IMP, 'example.com'], eku: IPSEC_EKU, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] }),
      nodes: [IMP],
      commonName: `${IMP}-ms`,
      csr: undefined,
    }),
  KEY_TYPE_MISMATCH: async () => lintOtherKey({ leaf: await makeLeaf({ issuer: issuing, publicKey: await ecPublicKey(), keyUsage: EC_KU }) }),
  KEY_TOO_SMALL: async () => lintOtherKey({ leaf: await makeLeaf({ issuer: issuing, publicKey: fakeRsaPublicKey(1024) }) }),
  KEY_TOO_LARGE: async () => lintOtherKey({ leaf: await makeLeaf({ issuer: issuing, publicKey: fakeRsaPublicKey(8192) }) }),
  KEY_CURVE_UNSUPPORTED: async () => {
    const spki = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'der' });
    const publicKey = new x509.PublicKey(new Uint8Array(spki));
    return lintOtherKey({ purpose: 'tomcat-ECDSA', leaf: await makeLeaf({ issuer: issuing, publicKey, keyUsage: EC_KU }) });
  },
  SIGNATURE_HASH_WEAK: async () => lint({ leaf: await makeLeaf({ issuer: issuing, hash: 'SHA-1' }) }),
  EKU_MISSING: async () => lint({ leaf: await makeLeaf({ issuer: issuing, eku: [Eku.SERVER_AUTH] }) }),
  KU_DIGITAL_SIGNATURE_MISSING: async () => lint({ leaf: await makeLeaf({ issuer: issuing, keyUsage: ['dataEncipherment'] }) }),
  KEY_USAGE_ABSENT: async () => lint({ leaf: await makeLeaf({ issuer: issuing, keyUsage: null }) }),
  KEY_USAGE_MISMATCH: async () => lint({ leaf: await makeLeaf({ issuer: issuing, keyUsage: ['digitalSignature'] }) }),
  KU_ENCIPHERMENT_ON_EC: async () =>
    lintOtherKey({ purpose: 'tomcat-ECDSA', leaf: await makeLeaf({ issuer: issuing, publicKey: await ecPublicKey(), keyUsage: [...EC_KU, 'keyEncipherment'] }) }),
  LEAF_IS_CA: async () => lint({ leaf: await makeLeaf({ issuer: issuing, isCa: true }) }),
  CERT_NOT_YET_VALID: async () => lint({ leaf: await makeLeaf({ issuer: issuing, notBefore: new Date(Date.now() + DAY) }) }),
  CERT_EXPIRED: async () => lint({ leaf: await makeLeaf({ issuer: issuing, notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) }) }),
  CERT_EXPIRES_SOON: async () => lint({ leaf: await makeLeaf({ issuer: issuing, notAfter: new Date(Date.now() + 10 * DAY) }) }),
  LEAF_SELF_SIGNED: async () => {
    const keys = await sharedRsaKeys();
    const self: TestCa = { pem: '', der: Buffer.alloc(0), signer: { name: `CN=${MS_CN}, O=Example`, keys, spec: { keyType: 'RSA' } } };
    return lint({ leaf: await makeLeaf({ issuer: self }) });
  },
  CHAIN_INCOMPLETE: () => lint({ chain: undefined }),
  CHAIN_WRONG_ROOT: () => lint({ chain: Buffer.from(issuing.pem + root.pem), root: Buffer.from(otherRoot.pem) }),
  CHAIN_SIGNATURE_INVALID: async () => {
    const impostor = await makeCa({ name: 'CN=Test Issuing, O=Test', issuer: root, pathLength: 0 });
    return lint({ chain: Buffer.from(impostor.pem) });
  },
  CHAIN_ORDER: async () => {
    const { leaf, top, middle, deepRoot } = await threeLevels();
    return lintOtherKey({ leaf, chain: Buffer.from(top.pem + middle.pem), root: Buffer.from(deepRoot.pem) });
  },
  CHAIN_UNRELATED: () => lint({ chain: Buffer.from(issuing.pem + otherRoot.pem) }),
  CA_NOT_CA: async () => {
    const notCa = await makeCa({ name: 'CN=Not A CA, O=Test', issuer: root, isCa: false });
    return lintOtherKey({ leaf: await makeLeaf({ issuer: notCa }), chain: Buffer.from(notCa.pem) });
  },
  CA_KEY_CERT_SIGN_MISSING: async () => {
    const noSign = await makeCa({ name: 'CN=No keyCertSign, O=Test', issuer: root, keyUsage: x509.KeyUsageFlags.digitalSignature });
    return lintOtherKey({ leaf: await makeLeaf({ issuer: noSign }), chain: Buffer.from(noSign.pem) });
  },
  CA_PATH_LENGTH: async () => {
    const { leaf, top, middle, deepRoot } = await threeLevels(0);
    return lintOtherKey({ leaf, chain: Buffer.from(middle.pem + top.pem), root: Buffer.from(deepRoot.pem) });
  },
  KEY_MISMATCH: async () => lint({ key: Buffer.from(await privateKeyPem((await generateKeyPair(EC)).privateKey)) }),
  CSR_KEY_MISMATCH: async () => {
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'tomcat-ECDSA', distribution: 'multi-server' });
    return lint({ csr: Buffer.from(csr.csrPem) });
  },
};

/** root → top (pathLength 1) → middle (pathLength 0) → leaf; the root's pathLength as given (none: unlimited). */
async function threeLevels(rootPathLength?: number) {
  const deepRoot = await makeCa({ name: 'CN=Deep Root, O=Test', pathLength: rootPathLength });
  const top = await makeCa({ name: 'CN=Deep Policy CA, O=Test', issuer: deepRoot, pathLength: 1 });
  const middle = await makeCa({ name: 'CN=Deep Issuing CA, O=Test', issuer: top, pathLength: 0 });
  return { deepRoot, top, middle, leaf: await makeLeaf({ issuer: middle }) };
}

describe('lint codes', () => {
  it('GIVEN a good tomcat certificate from the test CA WHEN linted with chain, root, key and CSR THEN there is no finding', async () => {
    expect(await lint()).toEqual([]);
  });

  it('GIVEN the good certificate declared for the lab cluster WHEN the declarations are linted THEN there is no finding', async () => {
    expect(await lintDecl({})).toEqual([]);
  });

  for (const code of Object.keys(LINT_CODES) as LintCode[]) {
    it(`GIVEN the bad case for ${code} WHEN linted THEN exactly ${code} is found, with its severity`, async () => {
      // WHEN
      const findings = await BAD_CASES[code]();
      // THEN
      expect(codes(findings)).toEqual([code]);
      expect(findings[0].severity).toBe(LINT_CODES[code][0]);
      expect(findings[0].message.length).toBeGreaterThan(20);
      // No certificate or key material in a message: names, paths and fingerprints only.
      expect(findings[0].message).not.toMatch(/-----|MII[A-Za-z0-9+/]{16}|\n/);
    });
  }
});
