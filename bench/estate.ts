/**
 * The benchmark estate of issue 2: 3 clusters of 1+6 CUCM and 1+2 IM&P nodes (30 nodes),
 * 8 multi-server purposes each, signed by one throw-away CA, written to a scratch folder:
 * estate.yaml (the inventory) and estate.json (the same, for the constructs bench).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const PURPOSES = ['tomcat', 'tomcat-ECDSA', 'CallManager', 'CallManager-ECDSA', 'cup-xmpp', 'cup-xmpp-ECDSA', 'cup-xmpp-s2s', 'cup-xmpp-s2s-ECDSA'];

export const ESTATE_CLUSTERS = 3;

export async function writeEstate(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=Bench Root CA', notBefore, notAfter, keys: caKeys, signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey)],
  });
  writeFileSync(join(dir, 'root.pem'), ca.toString('pem') + '\n');
  // One RSA and one EC leaf key serve every certificate: the bench measures planning, not keygen.
  const rsa = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ec = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const clusters = [];
  const certificates = [];
  let serial = 16;
  for (let c = 1; c <= ESTATE_CLUSTERS; c++) {
    const d = `dc${c}.example.com`;
    const cucm = [`cucm-pub.${d}`, ...[1, 2, 3, 4, 5, 6].map((i) => `cucm-sub${i}.${d}`)];
    const imp = [`imp-pub.${d}`, `imp-sub1.${d}`, `imp-sub2.${d}`];
    clusters.push({
      name: `dc${c}`,
      publisher: cucm[0],
      subscribers: cucm.slice(1),
      imPresence: { databasePublisher: { fqdn: imp[0], xmppFederation: true }, subscribers: imp.slice(1).map((fqdn) => ({ fqdn, xmppFederation: true })) },
    });
    for (const purpose of PURPOSES) {
      const isEc = purpose.endsWith('-ECDSA');
      const family = purpose.replace(/-ECDSA$/, '');
      const nodes = family === 'tomcat' ? [...cucm, ...imp] : family === 'CallManager' ? cucm : imp;
      const cn = `${family === 'tomcat' || family === 'CallManager' ? cucm[0] : imp[0]}-ms`;
      const ipsec = family.startsWith('cup');
      const keys = isEc ? ec : rsa;
      const usages = x509.KeyUsageFlags.digitalSignature | (isEc ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment);
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16), subject: `CN=${cn}`, issuer: ca.subject, notBefore, notAfter,
        publicKey: keys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: EC,
        extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(usages, true),
          new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', ...(ipsec ? ['1.3.6.1.5.5.7.3.5'] : [])]),
          new x509.SubjectAlternativeNameExtension([cn, ...nodes].map((value) => ({ type: 'dns' as const, value }))),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey)],
      });
      const file = `dc${c}-${purpose}.pem`;
      writeFileSync(join(dir, file), leaf.toString('pem') + '\n');
      certificates.push({ cluster: `dc${c}`, purpose, distribution: 'multi-server', certificate: file, ca: 'bench' });
    }
  }
  const inventory = join(dir, 'estate.yaml');
  const declared = { clusters, certificateAuthorities: [{ name: 'bench', root: 'root.pem' }], certificates };
  writeFileSync(inventory, stringify(declared));
  // The same estate for bench/constructs-estate.js, which declares it through the constructs.
  writeFileSync(join(dir, 'estate.json'), JSON.stringify(declared, null, 2));
  return inventory;
}
