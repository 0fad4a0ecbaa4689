/** The lab CA: marked not for production, keys 0600, signing that copies only whitelisted CSR extensions. */
import { X509Certificate } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURPOSES, selectNodes } from '../../lib/catalog';
import {
  LAB_CA_ORGANIZATION,
  LabCa,
  PkiInputError,
  createLabCa,
  generateCsr,
  generateKeyPair,
  issueSelfSigned,
  lintCertificate,
  loadLabCa,
  parseCertificate,
  readCertificates,
  signCsr,
  toPem,
  writeLabCa,
} from '../../lib/pki';
import { x509 } from '../../lib/pki/x509';
import { EC, IMP, MS_CN, PUB, codes, labCluster, tempDir } from './support';

let ca: LabCa;
const tmp = tempDir();
beforeAll(async () => {
  ca = await createLabCa({ intermediate: true });
});
afterAll(() => tmp.remove());

const view = (pem: string) => parseCertificate(readCertificates(Buffer.from(pem), 'c')[0], 'c');

describe('createLabCa', () => {
  it('GIVEN an intermediate is asked WHEN created THEN root and issuing CA say NOT FOR PRODUCTION and chain to each other', () => {
    const root = view(ca.root.certPem);
    const issuing = view(ca.intermediate!.certPem);
    expect(root.subject).toContain(`O=${LAB_CA_ORGANIZATION}`);
    expect(issuing.subject).toContain('NOT FOR PRODUCTION');
    expect(issuing.issuer).toBe(root.subject);
    expect(root.basicConstraints).toEqual({ ca: true, pathLength: 1 });
    expect(issuing.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(new X509Certificate(ca.intermediate!.certPem).verify(new X509Certificate(ca.root.certPem).publicKey)).toBe(true);
  });

  it('GIVEN a CA WHEN written and loaded THEN the four files exist, keys have mode 0600, and the CA comes back the same', () => {
    // WHEN
    writeLabCa(ca, tmp.dir);
    const loaded = loadLabCa(tmp.dir);
    // THEN
    expect(statSync(join(tmp.dir, 'root.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'issuing.key')).mode & 0o777).toBe(0o600);
    expect(loaded).toEqual(ca);
  });

  it('GIVEN a CA without intermediate WHEN written and loaded THEN issuing.* is the root and no intermediate comes back', async () => {
    const single = await createLabCa({ commonName: 'Rehearsal Root' });
    const dir = join(tmp.dir, 'single');
    writeLabCa(single, dir);
    expect(loadLabCa(dir)).toEqual({ root: single.root });
    expect(view(single.root.certPem).subject).toBe(`CN=Rehearsal Root, O=${LAB_CA_ORGANIZATION}`);
  });

  it('GIVEN a CA folder whose issuing key was swapped WHEN loaded THEN it refuses, naming the files', async () => {
    const dir = join(tmp.dir, 'swapped');
    writeLabCa(ca, dir);
    writeFileSync(join(dir, 'issuing.key'), ca.root.keyPem);
    expect(() => loadLabCa(dir)).toThrow(/issuing.key is not the key of issuing.pem/);
    expect(() => loadLabCa(join(tmp.dir, 'missing'))).toThrow(/cannot read root.pem \(ENOENT\)/);
  });
});

describe('signCsr', () => {
  it('GIVEN a CSR that asks for CA:TRUE and keyCertSign WHEN signed for tomcat THEN the leaf is CA:FALSE with the purpose usage, SANs copied', async () => {
    // GIVEN a hostile CSR made by hand with the library
    const keys = await generateKeyPair(EC);
    const req = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=${MS_CN}`,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: MS_CN }, { type: 'dns', value: PUB }]),
      ],
    });
    // WHEN
    const leaf = view(await signCsr(ca, toPem(req.rawData, 'CERTIFICATE REQUEST'), { purpose: 'tomcat-ECDSA', days: 30 }));
    // THEN
    expect(leaf.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect([...leaf.keyUsage!]).toEqual(['digitalSignature', 'keyAgreement']);
    expect(leaf.dnsNames).toEqual([MS_CN.toLowerCase(), PUB]);
    expect(leaf.issuer).toBe(view(ca.intermediate!.certPem).subject);
    expect(Math.round((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86_400_000)).toBe(30);
  });

  it('GIVEN an RSA CSR WHEN signed for an -ECDSA purpose THEN it refuses, naming the purpose', async () => {
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'cup', distribution: 'single-server', node: IMP });
    await expect(signCsr(ca, csr.csrPem, { purpose: 'cup-ECDSA', csrLabel: 'cup.csr' })).rejects.toThrow(/cup.csr .* has an RSA key but purpose cup-ECDSA needs EC/);
    await expect(signCsr(ca, csr.csrPem, { purpose: 'cup', days: 0 })).rejects.toThrow(PkiInputError);
    await expect(signCsr(ca, 'garbage', { purpose: 'cup' })).rejects.toThrow(/CSR: not a CSR/);
  });

  it('GIVEN a CSR whose bytes were changed after signing WHEN signed THEN it refuses: the signature does not verify', async () => {
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'tomcat-ECDSA', distribution: 'multi-server' });
    const der = readCertificatesLike(csr.csrPem);
    const at = der.indexOf(Buffer.from(PUB));
    der[at] = 'x'.charCodeAt(0);
    await expect(signCsr(ca, toPem(der, 'CERTIFICATE REQUEST'), { purpose: 'tomcat-ECDSA' })).rejects.toThrow(/signature does not verify/);
  });
});

function readCertificatesLike(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

describe('every purpose, end to end', () => {
  it('GIVEN each purpose of the catalog WHEN a CSR is generated, signed by the lab CA and linted with key and CSR THEN there is no finding', async () => {
    const cluster = labCluster({ callManagerIncludeInactiveNodes: true });
    for (const purpose of PURPOSES) {
      // GIVEN
      const node = purpose.multiServer ? undefined : selectNodes(cluster, purpose.covers, [])[0].fqdn;
      const csr = await generateCsr({ cluster, purpose: purpose.name, distribution: purpose.multiServer ? 'multi-server' : 'single-server', node });
      // WHEN
      const leaf = await signCsr(ca, csr.csrPem, { purpose: purpose.name });
      const findings = lintCertificate({
        leaf: Buffer.from(leaf),
        chain: Buffer.from(ca.intermediate!.certPem),
        root: Buffer.from(ca.root.certPem),
        purpose: purpose.name,
        nodes: csr.sans.filter((s) => s !== csr.commonName || !purpose.multiServer),
        commonName: csr.commonName,
        key: Buffer.from(csr.keyPem),
        csr: Buffer.from(csr.csrPem),
        platform: purpose.platforms.includes('cucm') ? 'cucm' : 'imp',
      });
      // THEN
      expect({ purpose: purpose.name, findings }).toEqual({ purpose: purpose.name, findings: [] });
    }
  });
});

describe('issueSelfSigned', () => {
  it('GIVEN a node WHEN its self-signed EC certificate is made THEN issuer = subject, it verifies itself and lists the DNS names', async () => {
    const { certPem, keyPem } = await issueSelfSigned({ commonName: PUB, dnsNames: [PUB], keyType: 'EC', days: 10 });
    const cert = view(certPem);
    expect(cert.subject).toBe(`CN=${PUB}`);
    expect(cert.selfIssued).toBe(true);
    expect(cert.dnsNames).toEqual([PUB]);
    expect(cert.keyKind).toBe('EC');
    expect(new X509Certificate(certPem).verify(new X509Certificate(certPem).publicKey)).toBe(true);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // A lint against the lab CA calls it what it is.
    expect(codes(lintCertificate({ leaf: Buffer.from(certPem), root: Buffer.from(ca.root.certPem), purpose: 'tomcat-ECDSA', nodes: [PUB] }))).toContain('LEAF_SELF_SIGNED');
  });

  it('GIVEN a common name with DN syntax in it WHEN issued THEN it refuses', async () => {
    await expect(issueSelfSigned({ commonName: 'a,O=b', dnsNames: [], keyType: 'EC' })).rejects.toThrow(/commonName must be a host name/);
  });
});

