/** CSR generation: the platform's SAN auto-population, CN convention, key and usage per purpose (DOMAIN.md §2). */
import { describe, expect, it } from 'vitest';
import { Eku } from '../../lib/catalog';
import { PkiInputError, csrContent, generateCsr, keyUsageNames, readCsr } from '../../lib/pki';
import { x509 } from '../../lib/pki/x509';
import { IMP, MS_CN, PUB, SUB, labCluster } from './support';

const IMP2 = 'cs-imp2.example.com';
const TFTP = 'cs-tftp.example.com';

/** Lab cluster plus a second IM&P node and a TFTP-only CUCM node (no CallManager service). */
function biggerCluster(keepInactive?: boolean) {
  return labCluster({
    subscribers: [SUB, { fqdn: TFTP, services: ['Cisco TFTP'] }],
    imPresence: { databasePublisher: IMP, subscribers: [IMP2] },
    callManagerIncludeInactiveNodes: keepInactive,
  });
}

/** The IM&P database publisher's multi-server CN on 15.0: `<host>-ms.<domain>` (seed 000). */
const IMP_MS = 'cs-imp-ms.example.com';

describe('csrContent: SANs and CN as the platform auto-populates them', () => {
  it('GIVEN a multi-server tomcat CSR WHEN planned THEN CN is <publisher>-ms and the SANs are the CN and every CUCM and IM&P node', () => {
    const c = csrContent({ cluster: biggerCluster(true), purpose: 'tomcat', distribution: 'multi-server' });
    expect(c.commonName).toBe(MS_CN);
    expect(c.sans).toEqual([MS_CN, PUB, SUB, TFTP, IMP, IMP2]);
    expect(c.name).toBe('lab-tomcat-ms');
    expect(c.key).toMatchObject({ keyType: 'RSA' });
  });

  it('GIVEN CallManager and a node without the service WHEN the cluster keeps or drops it THEN the SANs follow the explicit choice', () => {
    expect(csrContent({ cluster: biggerCluster(true), purpose: 'CallManager', distribution: 'multi-server' }).sans).toEqual([MS_CN, PUB, SUB, TFTP]);
    expect(csrContent({ cluster: biggerCluster(false), purpose: 'CallManager', distribution: 'multi-server' }).sans).toEqual([MS_CN, PUB, SUB]);
  });

  it('GIVEN CallManager and a node without the service WHEN no choice was made THEN it refuses, naming the node and the setting', () => {
    expect(() => csrContent({ cluster: biggerCluster(undefined), purpose: 'CallManager', distribution: 'multi-server' })).toThrow(
      /cs-tftp.example.com does not run Cisco CallManager: set callManagerIncludeInactiveNodes/,
    );
  });

  it('GIVEN cup-xmpp WHEN planned THEN only IM&P nodes are covered and the CN is the IM&P database publisher with -ms', () => {
    const c = csrContent({ cluster: biggerCluster(true), purpose: 'cup-xmpp', distribution: 'multi-server' });
    // 15.0: -ms after the host name (seed 000, issue 11)
    expect(c.commonName).toBe(IMP_MS);
    expect(c.sans).toEqual([IMP_MS, IMP, IMP2]);
    expect(c.platform).toBe('imp');
    expect(c.usage.eku).toEqual([Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.IPSEC_END_SYSTEM]);
  });

  it('GIVEN cup-xmpp-s2s with hosted domains WHEN planned THEN *.domain is added for group chat, after other domains', () => {
    const c = csrContent({
      cluster: labCluster(),
      purpose: 'cup-xmpp-s2s',
      distribution: 'multi-server',
      otherDomains: ['chat.example.com'],
      wildcardDomains: ['example.com', '*.example.org'],
    });
    expect(c.sans).toEqual([IMP_MS, IMP, 'chat.example.com', '*.example.com', '*.example.org']);
  });

  it('GIVEN wildcard domains for tomcat WHEN planned THEN it refuses: CUCM takes wildcards only in cup-xmpp-s2s', () => {
    expect(() => csrContent({ cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', wildcardDomains: ['example.com'] })).toThrow(/only for cup-xmpp-s2s/);
  });

  it('GIVEN a single-server cup CSR for the IM&P node WHEN planned THEN CN and SAN are the node', () => {
    const c = csrContent({ cluster: labCluster(), purpose: 'cup', distribution: 'single-server', node: IMP.toUpperCase() });
    expect(c).toMatchObject({ commonName: IMP, sans: [IMP], name: 'lab-cup-cs-imp', platform: 'imp' });
  });

  it('GIVEN subject fields WHEN planned THEN they come in DER order with the CN last', () => {
    const c = csrContent({ cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', subject: { O: 'Example', OU: 'UC', L: 'Paris', ST: 'IDF', C: 'FR' } });
    expect(c.subject).toEqual([['C', 'FR'], ['ST', 'IDF'], ['L', 'Paris'], ['O', 'Example'], ['OU', 'UC'], ['CN', MS_CN]]);
  });

  const refusals: [string, Parameters<typeof csrContent>[0], RegExp][] = [
    ['an unknown purpose', { cluster: labCluster(), purpose: 'web', distribution: 'multi-server' }, /Unknown certificate purpose 'web': use one of tomcat/],
    ['multi-server CAPF', { cluster: labCluster(), purpose: 'CAPF', distribution: 'multi-server' }, /CAPF has no multi-server/],
    ['single-server without node', { cluster: labCluster(), purpose: 'ipsec', distribution: 'single-server' }, /give the node's FQDN \(cs-ccm-pub/],
    ['a node of another cluster', { cluster: labCluster(), purpose: 'ipsec', distribution: 'single-server', node: 'x.example.com' }, /not in cluster lab/],
    ['CAPF on a subscriber', { cluster: labCluster(), purpose: 'CAPF', distribution: 'single-server', node: SUB }, /not for node cs-ccm-sub.example.com \(subscriber\): use one of cs-ccm-pub/],
    ['cup on a CUCM node', { cluster: labCluster(), purpose: 'cup', distribution: 'single-server', node: PUB }, /use one of cs-imp.example.com/],
    ['an RSA key for -ECDSA', { cluster: labCluster(), purpose: 'tomcat-ECDSA', distribution: 'multi-server', keyType: 'RSA' }, /needs an EC key/],
    ['an EC key for tomcat', { cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', keyType: 'EC' }, /use RSA, or the purpose tomcat-ECDSA for an EC key/],
    ['a 1024-bit key', { cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', keySize: 1024 as 2048 }, /RSA key size must be one of 2048, 3072, 4096/],
    ['SHA-1', { cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', hash: 'SHA-1' as 'SHA-256' }, /hash must be one of SHA-256/],
    ['a bad other domain', { cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', otherDomains: ['not a domain'] }, /otherDomains\[0\] must be a fully qualified domain name/],
    ['a three-letter country', { cluster: labCluster(), purpose: 'tomcat', distribution: 'multi-server', subject: { C: 'FRA' } }, /subject C must be a two-letter/],
  ];
  for (const [what, opts, message] of refusals) {
    it(`GIVEN ${what} WHEN planned THEN a PkiInputError says what to do`, () => {
      expect(() => csrContent(opts)).toThrow(PkiInputError);
      expect(() => csrContent(opts)).toThrow(message);
    });
  }
});

describe('generateCsr', () => {
  it('GIVEN tomcat-ECDSA on P-384 with SHA-384 WHEN generated THEN the CSR verifies and holds the SANs, key usage and EKU of the purpose', async () => {
    // WHEN
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'tomcat-ECDSA', distribution: 'multi-server', curve: 'P-384', hash: 'SHA-384', subject: { O: 'Example', C: 'US' } });
    // THEN
    const req = readCsr(Buffer.from(csr.csrPem), 'csr');
    expect(await req.verify()).toBe(true);
    expect(req.subject).toBe(`C=US, O=Example, CN=${MS_CN}`);
    expect(req.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-384' });
    expect(req.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    const san = new x509.SubjectAlternativeNameExtension(req.getExtension('2.5.29.17')!.rawData);
    expect(san.names.items.map((n) => n.value)).toEqual(csr.sans);
    expect([...keyUsageNames(new x509.KeyUsagesExtension(req.getExtension('2.5.29.15')!.rawData).usages)]).toEqual(['digitalSignature', 'keyAgreement']);
    expect(new x509.ExtendedKeyUsageExtension(req.getExtension('2.5.29.37')!.rawData).usages).toEqual([Eku.SERVER_AUTH, Eku.CLIENT_AUTH]);
    expect(csr.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(csr.csrPem.endsWith('-----END CERTIFICATE REQUEST-----\n')).toBe(true);
  });

  it('GIVEN an RSA purpose with 3072 bits WHEN generated THEN the key is RSA-3072 and the signature SHA-256', async () => {
    const csr = await generateCsr({ cluster: labCluster(), purpose: 'cup', distribution: 'single-server', node: IMP, keySize: 3072 });
    const req = readCsr(Buffer.from(csr.csrPem), 'csr');
    expect(req.publicKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072 });
    expect(req.signatureAlgorithm).toMatchObject({ hash: { name: 'SHA-256' } });
    expect(csr).toMatchObject({ name: 'lab-cup-cs-imp', commonName: IMP, sans: [IMP] });
  });
});
