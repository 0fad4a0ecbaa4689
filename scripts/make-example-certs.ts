/**
 * Writes the public certificates the examples declare (examples/ca, examples/certs): a lab
 * root and issuing CA, and leafs whose SANs cover each example cluster. Private keys are
 * thrown away: the examples only plan and synthesize. Run: npx tsx scripts/make-example-certs.ts
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2036-01-01T00:00:00Z');
const root = join(__dirname, '..', 'examples');

async function main() {
  const rootKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=Example Lab Root CA, O=uc-cert-rollout LAB CA - NOT FOR PRODUCTION', notBefore, notAfter,
    keys: rootKeys, signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey)],
  });
  const issKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const issCert = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: 'CN=Example Lab Issuing CA, O=uc-cert-rollout LAB CA - NOT FOR PRODUCTION', issuer: rootCert.subject, notBefore, notAfter,
    publicKey: issKeys.publicKey, signingKey: rootKeys.privateKey, signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(issKeys.publicKey), await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey)],
  });
  mkdirSync(join(root, 'ca'), { recursive: true });
  writeFileSync(join(root, 'ca', 'root.pem'), rootCert.toString('pem') + '\n');
  writeFileSync(join(root, 'ca', 'issuing.pem'), issCert.toString('pem') + '\n');
  const expKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const expressway = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '03', name: 'CN=Example Expressway-C Root CA, O=Example', notBefore, notAfter,
    keys: expKeys, signingAlgorithm: EC, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  writeFileSync(join(root, 'ca', 'expressway-root.pem'), expressway.toString('pem') + '\n');

  let serial = 16;
  const leaf = async (file: string, cn: string, sans: string[], ec: boolean, ipsec: boolean) => {
    const alg = ec ? EC : RSA;
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const usages = x509.KeyUsageFlags.digitalSignature | (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment);
    const eku = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', ...(ipsec ? ['1.3.6.1.5.5.7.3.5'] : [])];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'), subject: `CN=${cn}, O=Example`, issuer: issCert.subject, notBefore, notAfter,
      publicKey: keys.publicKey, signingKey: issKeys.privateKey, signingAlgorithm: EC,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(usages, true),
        new x509.ExtendedKeyUsageExtension(eku), new x509.SubjectAlternativeNameExtension(sans.map((s) => ({ type: 'dns' as const, value: s }))),
        await x509.AuthorityKeyIdentifierExtension.create(issKeys.publicKey)],
    });
    mkdirSync(join(root, 'certs'), { recursive: true });
    writeFileSync(join(root, 'certs', file), cert.toString('pem') + '\n');
  };

  const lab = ['cs-ccm-pub.example.com', 'cs-ccm-sub.example.com', 'cs-imp.example.com'];
  await leaf('lab-tomcat.pem', 'cs-ccm-pub.example.com-ms', ['cs-ccm-pub.example.com-ms', ...lab], false, false);
  await leaf('lab-callmanager.pem', 'cs-ccm-pub.example.com-ms', ['cs-ccm-pub.example.com-ms', ...lab.slice(0, 2)], false, false);

  const cucm = ['cucm-pub.corp.example.com', ...[1, 2, 3, 4, 5].map((i) => `cucm-sub${i}.corp.example.com`)];
  const imp = ['imp-pub.corp.example.com', 'imp-sub1.corp.example.com'];
  const ms = 'cucm-pub.corp.example.com-ms';
  await leaf('large-tomcat.pem', ms, [ms, ...cucm, ...imp], false, false);
  await leaf('large-tomcat-ecdsa.pem', ms, [ms, ...cucm, ...imp], true, false);
  await leaf('large-callmanager.pem', ms, [ms, ...cucm.slice(0, 5)], false, false);
  const impMs = 'imp-pub.corp.example.com-ms';
  await leaf('large-cup-xmpp.pem', impMs, [impMs, ...imp], false, true);
  await leaf('large-cup-xmpp-s2s.pem', impMs, [impMs, ...imp, '*.corp.example.com'], false, true);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
