/**
 * Writes the public certificates examples/cms.yaml declares (examples/certs/cms-*.pem): a lab
 * root and issuing CA, and leafs whose names follow the CSR table of DOMAIN.md §4. Private keys
 * are thrown away: the example plans and synthesizes; a rehearsal signs its own.
 * Run: npx tsx scripts/make-cms-example-certs.ts
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2036-01-01T00:00:00Z');
const LAB = 'O=uc-cert-rollout LAB CA - NOT FOR PRODUCTION';
const certs = join(__dirname, '..', 'examples', 'certs');

const servers = ['cms1.example.com', 'cms2.example.com', 'cms3.example.com'];
const clusterFqdn = 'cms.example.com';
const joinUrl = 'join.example.com';
const xmppDomain = 'example.com';

async function main() {
  mkdirSync(certs, { recursive: true });
  const write = (file: string, cert: x509.X509Certificate) => writeFileSync(join(certs, file), cert.toString('pem') + '\n');
  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);

  const rootKeys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=Example Meeting Lab Root CA, ${LAB}`, notBefore, notAfter, keys: rootKeys, signingAlgorithm: RSA,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), caUsage, await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey)],
  });
  const issKeys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: `CN=Example Meeting Lab Issuing CA, ${LAB}`, issuer: root.subject, notBefore, notAfter,
    publicKey: issKeys.publicKey, signingKey: rootKeys.privateKey, signingAlgorithm: RSA,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), caUsage, await x509.SubjectKeyIdentifierExtension.create(issKeys.publicKey), await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey)],
  });
  write('cms-root.pem', root);
  write('cms-issuing.pem', issuing);

  let serial = 16;
  const leaf = async (file: string, cn: string, sans: string[]) => {
    const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
      await x509.AuthorityKeyIdentifierExtension.create(issKeys.publicKey),
    ];
    if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'dns' as const, value }))));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'), subject: `CN=${cn}, O=Example`, issuer: issuing.subject, notBefore, notAfter,
      publicKey: keys.publicKey, signingKey: issKeys.privateKey, signingAlgorithm: RSA, extensions,
    });
    write(file, cert);
  };

  // DOMAIN.md §4: webadmin CN only; webbridge SANs = join URL + XMPP domain; clustered SANs = peers; CN in any SAN list.
  for (const s of servers) await leaf(`cms-webadmin-${s.split('.')[0]}.pem`, s, []);
  for (const s of servers.slice(0, 2)) await leaf(`cms-webbridge-${s.split('.')[0]}.pem`, s, [s, joinUrl, xmppDomain]);
  await leaf('cms-callbridge.pem', clusterFqdn, [clusterFqdn, ...servers]);
  await leaf('cms-xmpp.pem', clusterFqdn, [clusterFqdn, xmppDomain, ...servers]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
