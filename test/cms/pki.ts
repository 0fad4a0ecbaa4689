/**
 * Real certificates for the CMS lint and prepare tests, made in memory with lib/pki: a root, an
 * issuing CA and leafs with any names. Keys stay in memory (or in a temp folder of the test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeySpec, Signer, generateKeyPair, issueCertificate, privateKeyPem, toPem } from '../../lib/pki';
import { X509, x509 } from '../../lib/pki/x509';

const EC: KeySpec = { keyType: 'EC', curve: 'P-256' };
const DAY = 86_400_000;

export interface TestCert {
  readonly pem: string;
  readonly der: Buffer;
  readonly signer: Signer;
  readonly keyPem: () => Promise<string>;
}

async function issue(subject: string, issuer: TestCert | undefined, extensions: X509.Extension[]): Promise<TestCert> {
  const keys = await generateKeyPair(EC);
  const self: Signer = { name: subject, keys, spec: EC };
  const cert = await issueCertificate({
    subject,
    publicKey: keys.publicKey,
    signer: issuer ? issuer.signer : self,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    extensions,
  });
  const der = Buffer.from(cert.rawData);
  return { pem: toPem(der, 'CERTIFICATE'), der, signer: { ...self, name: cert.subjectName }, keyPem: () => privateKeyPem(keys.privateKey) };
}

export interface TestPki {
  readonly root: TestCert;
  readonly issuing: TestCert;
  leaf(cn: string, dns: readonly string[]): Promise<TestCert>;
}

export async function makePki(name = 'Test'): Promise<TestPki> {
  const ca = (pathLength: number) => [new x509.BasicConstraintsExtension(true, pathLength, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)];
  const root = await issue(`CN=${name} Root CA, O=Test`, undefined, ca(1));
  const issuing = await issue(`CN=${name} Issuing CA, O=Test`, root, ca(0));
  return {
    root,
    issuing,
    leaf: (cn, dns) =>
      issue(`CN=${cn}, O=Example`, issuing, [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
        ...(dns.length > 0 ? [new x509.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns' as const, value })))] : []),
      ]),
  };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ucrollout-cms-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
