/** Reading what users hand us: PEM in its variants, DER, PKCS#7, and garbage that must give a clear error. */
import { beforeAll, describe, expect, it } from 'vitest';
import { LintFinding, PkiInputError, lintCertificate, readCertificates, readCsr, readPkcs7, readPrivateKey, writePkcs7 } from '../../lib/pki';
import { LAB_NODES, MS_CN, TestCa, codes, makeCa, makeLeaf, sharedRsaKeyPem } from './support';

let root: TestCa;
let issuing: TestCa;
let leafPem: Buffer;
let leafDer: Buffer;

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Input Root, O=Test' });
  issuing = await makeCa({ name: 'CN=Input Issuing, O=Test', issuer: root });
  leafPem = await makeLeaf({ issuer: issuing });
  leafDer = readCertificates(leafPem, 'leaf')[0];
});

function lint(leaf: Buffer, chain?: Buffer, rootData: Buffer = Buffer.from(root.pem)): LintFinding[] {
  return lintCertificate({ leaf, chain, root: rootData, purpose: 'tomcat', nodes: LAB_NODES, commonName: MS_CN, label: 'leaf' });
}

describe('certificate input formats', () => {
  it('GIVEN the leaf as DER and the chain as DER WHEN linted THEN there is no finding', () => {
    expect(lint(leafDer, issuing.der, root.der)).toEqual([]);
  });

  it('GIVEN PEM files with CRLF line ends and text around the blocks WHEN linted THEN there is no finding', () => {
    const crlf = (s: string) => Buffer.from(`Subject: something\r\n${s.replace(/\n/g, '\r\n')}trailing text\r\n`);
    expect(lint(crlf(leafPem.toString()), crlf(issuing.pem), crlf(root.pem))).toEqual([]);
  });

  it('GIVEN a full-chain PEM (leaf, issuing CA, root) as the only file WHEN linted THEN the blocks after the leaf are its chain', () => {
    expect(lintCertificate({ leaf: Buffer.from(leafPem.toString() + issuing.pem + root.pem), purpose: 'tomcat', nodes: LAB_NODES })).toEqual([]);
  });

  it('GIVEN the chain as a PKCS#7 bundle (.p7b), PEM or DER WHEN linted THEN there is no finding', () => {
    const p7 = writePkcs7([issuing.der, root.der]);
    expect(p7.startsWith('-----BEGIN PKCS7-----\n')).toBe(true);
    expect(lint(leafPem, Buffer.from(p7))).toEqual([]);
    expect(lint(leafPem, readPkcs7DerOf(p7))).toEqual([]);
  });

  it('GIVEN a PKCS#7 bundle WHEN read THEN it gives the certificates in bundle order', () => {
    expect(readPkcs7(writePkcs7([issuing.der, root.der]))).toEqual([issuing.der, root.der]);
  });
});

function readPkcs7DerOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

describe('garbage where a certificate should be', () => {
  const cases: [string, () => Promise<Buffer> | Buffer, RegExp][] = [
    ['an empty file', () => Buffer.alloc(0), /empty/],
    ['white space only', () => Buffer.from('\n \r\n'), /empty/],
    ['plain text, not PEM', () => Buffer.from('hello, this is not a certificate'), /neither PEM nor DER/],
    ['random bytes', () => Buffer.from([0x30, 0x82, 0x7f, 0xff, 1, 2, 3]), /truncated/],
    ['base64 cut in the middle of the block', () => Buffer.from(cut(leafPem.toString(), 0.5)), /truncated|not valid base64/],
    ['a PEM block without its END line', () => Buffer.from(leafPem.toString().split('-----END')[0]), /truncated/],
    ['a private key', () => sharedRsaKeyPem(), /PRIVATE KEY block, not a certificate/],
    ['a CSR', () => Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${leafDer.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`), /CERTIFICATE REQUEST block, not a certificate/],
    ['a DER blob that is not a certificate', () => Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]), /not a readable X.509 certificate/],
  ];
  for (const [what, data, message] of cases) {
    it(`GIVEN ${what} as the leaf WHEN linted THEN CERT_UNREADABLE says why, and no exception escapes`, async () => {
      // WHEN
      const findings = lint(await data());
      // THEN
      expect(codes(findings)).toEqual(['CERT_UNREADABLE']);
      expect(findings[0].message).toMatch(message);
      expect(findings[0].message).toMatch(/^leaf: /);
    });
  }

  it('GIVEN a truncated chain WHEN linted THEN CHAIN_UNREADABLE, and the leaf is still checked', () => {
    const findings = lint(leafPem, Buffer.from(cut(issuing.pem, 0.6)));
    expect(codes(findings)).toEqual(['CHAIN_UNREADABLE']);
  });

  it('GIVEN garbage as the key or the CSR WHEN read THEN a PkiInputError names the file and the fix', () => {
    expect(() => readPrivateKey(Buffer.from('nope'), 'k.pem')).toThrow(PkiInputError);
    expect(() => readPrivateKey(Buffer.from('nope'), 'k.pem')).toThrow(/^k.pem: not a private key/);
    expect(() => readPrivateKey(leafPem, 'k.pem')).toThrow(/CERTIFICATE block, not a private key/);
    expect(() => readPrivateKey(Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'), 'k.pem')).toThrow(/encrypted/);
    expect(() => readCsr(Buffer.alloc(0), 'r.csr')).toThrow(/^r.csr: the file is empty/);
    expect(() => readCsr(leafPem, 'r.csr')).toThrow(/not a CSR/);
  });

  it('GIVEN a .p7b that is not one WHEN read THEN the error says what to give', () => {
    expect(() => readPkcs7(Buffer.from('junk'), 'chain.p7b')).toThrow(/^chain.p7b: not a PKCS#7 bundle/);
    expect(() => readPkcs7(leafPem, 'chain.p7b')).toThrow(/no 'BEGIN PKCS7' block/);
  });
});

/** The PEM text with its base64 body cut at a fraction of its length, END line kept. */
function cut(pem: string, fraction: number): string {
  const [head, rest] = pem.split('-----\n', 2);
  const body = rest.split('-----END')[0].replace(/\s+/g, '');
  const kept = body.slice(0, Math.floor((body.length * fraction) / 4) * 4);
  return `${head}-----\n${kept.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
