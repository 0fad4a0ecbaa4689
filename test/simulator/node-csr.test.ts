/**
 * Issue 9: the twin as strict as a node. A node holds only the keys of the CSRs it generated
 * (`set csr gen`, POST …/csr); an identity whose key it did not generate, or signed from a CSR a
 * newer one replaced, is refused as the platform refuses it (DOMAIN.md §5: public key mismatch);
 * a multi-server certificate made from the publisher's CSR goes to its SAN nodes with the key.
 * No key folder is searched unless a test asks for one.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa, createLabCa, issuingCa, signCsr } from '../../lib/pki/lab-ca';
import { csrForKey } from '../../lib/pki/csr';
import { generateKeyPem } from '../../lib/pki/keys';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { KEY_MISMATCH, generateNodeCsr, importIdentity } from '../../lib/simulator/cucm/identity';
import { importTrust } from '../../lib/simulator/cucm/trust';
import { CliSession, IMP, PUB, SUB, TEST_ENV, labDeclarations, presentedChain, readCa, tempDir } from './fixtures';

const MS_CN = 'cs-ccm-pub-ms.example.com';

describe('the twin holds only the keys of the CSRs it generated', () => {
  let twin: RunningTwin;
  let ca: LabCa;
  let dir: string;
  const chain = () => [issuingCa(ca).certPem, ca.root.certPem];

  beforeAll(async () => {
    dir = tempDir('node-csr');
    ca = await createLabCa({ commonName: 'Node CSR Test', intermediate: true, keyType: 'EC' });
    twin = await startTwin({ declarations: labDeclarations(), stateDir: join(dir, 'state'), addressBase: '127.0.95.2', portMode: 'dynamic', restartMillis: 50, env: TEST_ENV });
    // GIVEN the CA chain in tomcat-trust on the publisher (distributed to every node)
    for (const pem of [ca.root.certPem, issuingCa(ca).certPem]) expect(importTrust(twin.world, PUB, 'tomcat', [pem]).ok).toBe(true);
  });
  afterAll(async () => {
    await twin?.stop();
  });

  it('makes a multi-server CSR on the publisher with the names asked for, and refuses one on a subscriber', async () => {
    // WHEN the REST API asks the publisher for a multi-server tomcat CSR
    const made = await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP], keyType: 'rsa', keyLength: 2048 });
    // THEN it carries exactly those names, and the node keeps its key (never shown)
    expect(made.ok).toBe(true);
    const names = (await import('../../lib/issuers/check')).readSignRequest;
    const facts = await names('t', { id: 'x', csrPem: made.ok ? made.value : '', commonName: MS_CN, dnsNames: [MS_CN, PUB, SUB, IMP] });
    expect(facts.dnsNames).toEqual([MS_CN, PUB, SUB, IMP]);
    expect(twin.world.node(PUB).csrs.tomcat.distribution).toBe('multi-server');
    // AND a subscriber makes none
    const onSub = await generateNodeCsr(twin.world, SUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN] });
    expect(onSub).toEqual({ ok: false, error: expect.stringMatching(/generated on the publisher/) });
  });

  it("requests the key usage of every platform the certificate goes to (DOMAIN.md §2's table)", async () => {
    const usageOf = async (made: { ok: boolean; value?: string }) => {
      const csr = new (await import('../../lib/pki/x509')).x509.Pkcs10CertificateRequest(made.ok ? made.value! : '');
      const ku = csr.getExtension('2.5.29.15');
      const { keyUsageNames } = await import('../../lib/pki/certificate');
      const { x509 } = await import('../../lib/pki/x509');
      return ku ? [...keyUsageNames(new x509.KeyUsagesExtension(ku.rawData).usages)].sort() : [];
    };
    // GIVEN a multi-server tomcat CSR spanning CUCM and IM&P: the union, keyEncipherment included (IM&P's row)
    const spanning = await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP] });
    expect(await usageOf(spanning)).toEqual(['dataEncipherment', 'digitalSignature', 'keyEncipherment']);
    // AND one for the CUCM nodes only: CUCM's tomcat row, without keyEncipherment
    const cucmOnly = await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB] });
    expect(await usageOf(cucmOnly)).toEqual(['dataEncipherment', 'digitalSignature']);
  });

  it('installs a certificate signed from its current CSR and distributes it, with the key, to the SAN nodes', async () => {
    // GIVEN the publisher's current multi-server CSR, signed by the CA
    const made = await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP] });
    const leaf = await signCsr(ca, made.ok ? made.value : '', { purpose: 'tomcat' });
    // WHEN uploaded on the publisher
    const result = importIdentity(twin.world, PUB, 'tomcat', [leaf, ...chain()]);
    // THEN every SAN node holds it, each with the key of the publisher's CSR, and the CSR became the identity
    expect(result.error).toBeUndefined();
    expect(result.distribution.map((d) => [d.node, d.ok])).toEqual([[PUB, true], [SUB, true], [IMP, true]]);
    const spki = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    for (const n of [PUB, SUB, IMP]) {
      const record = twin.world.node(n).identities.tomcat;
      expect(record.sha256).toBe(new X509Certificate(leaf).fingerprint256.replace(/:/g, '').toLowerCase());
      expect(createPublicKey(twin.world.key(record.keyFile)).export({ type: 'spki', format: 'der' }).toString('hex')).toBe(spki);
    }
    expect(twin.world.node(PUB).csrs.tomcat).toBeUndefined();
    // AND the same certificate again is accepted (the key is the identity's)
    expect(importIdentity(twin.world, PUB, 'tomcat', [leaf, ...chain()]).error).toBeUndefined();
  });

  it('refuses a certificate signed from a CSR a newer one replaced (public key mismatch)', async () => {
    // GIVEN a CSR, signed, and then a newer CSR (its key replaces the first one's)
    const first = await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP] });
    const stale = await signCsr(ca, first.ok ? first.value : '', { purpose: 'tomcat' });
    await generateNodeCsr(twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP] });
    const before = twin.world.node(PUB).identities.tomcat.sha256;
    // WHEN the certificate of the replaced CSR is uploaded
    const result = importIdentity(twin.world, PUB, 'tomcat', [stale, ...chain()]);
    // THEN it is refused as the platform refuses it, and nothing changed on any node
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(new RegExp(`^${KEY_MISMATCH}: the certificate was not signed from the current CSR of tomcat`));
    expect(twin.world.node(PUB).identities.tomcat.sha256).toBe(before);
  });

  it('refuses a certificate for a key it never generated, even with the key lying in its own state folder', async () => {
    // GIVEN a key and CSR made elsewhere (as `ucrollout csr` does), signed, and the key dropped into the twin's keys folder
    const keyPem = await generateKeyPem({ keyType: 'RSA' });
    const csr = await csrForKey({ subject: [['CN', SUB]], altNames: [SUB], keyPem });
    const leaf = await signCsr(ca, csr, { purpose: 'tomcat' });
    writeFileSync(join(dir, 'state', 'keys', 'foreign.key'), keyPem, { mode: 0o600 });
    // WHEN uploaded on its node
    const result = importIdentity(twin.world, SUB, 'tomcat', [leaf, ...chain()]);
    // THEN refused: a node has no private-key import, and no folder is searched
    expect(result.error).toMatch(new RegExp(`^${KEY_MISMATCH}: the certificate's key is not the key of a CSR of tomcat generated on this node`));
    expect(twin.world.keyFinder).toBeUndefined();
  });

  it('serves the installed identity with the key of the CSR after the restart', async () => {
    // GIVEN the installed multi-server tomcat of the second test; WHEN Cisco Tomcat restarts on the subscriber
    const sub = await CliSession.open(twin.ready, SUB);
    try {
      await sub.run('utils service restart Cisco Tomcat', 20_000);
    } finally {
      sub.close();
    }
    // THEN its port presents the CA-signed leaf (the TLS handshake proves the node has the key)
    const presented = await presentedChain(twin.ready, SUB, 'https', [readCa(twin.ready), ca.root.certPem].join(''));
    expect(presented[0]).toBe(twin.world.node(SUB).identities.tomcat.sha256);
  });

  it('asks "Include OU in CSR (yes|no)?" on 14SU1 and later, and makes a CSR for this server', async () => {
    // GIVEN the publisher on 15.0 and the subscriber on 14.0 (before SU1)
    const pub = await CliSession.open(twin.ready, PUB);
    const sub = await CliSession.open(twin.ready, SUB);
    try {
      // WHEN `set csr gen tomcat` runs on the publisher THEN it asks, and with "no" makes a CSR without OU for CN = its FQDN
      pub.send('set csr gen tomcat\n');
      await pub.waitFor('Include OU in CSR (yes|no)?');
      pub.send('no\n');
      await pub.waitFor('Successfully Generated CSR for tomcat.');
      const shown = (await pub.run('show csr own tomcat')).join('\n');
      expect(shown).toMatch(/-----BEGIN CERTIFICATE REQUEST-----/);
      const subjectCn = (await import('../../lib/pki/input')).readCsr(Buffer.from(shown), 'csr').subject;
      expect(subjectCn).toMatch(new RegExp(`CN=${PUB}`));
      expect(subjectCn).not.toMatch(/OU=/);
      // AND on 14.0 it does not ask
      const lines = await sub.run('set csr gen tomcat');
      expect(lines).toEqual(['Successfully Generated CSR for tomcat.']);
    } finally {
      pub.close();
      sub.close();
    }
  });
});
