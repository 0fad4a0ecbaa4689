import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin, writeNodeFaults } from '../../lib/simulator';
import { CliSession, IMP, bundle, IssuedCert, PUB, SUB, TEST_ENV, TestCa, labDeclarations, portRefuses, presentedChain, presentedCommonName, readCa, tempDir, withoutPem } from './fixtures';

describe('twin identity rollout as the vendor checks it', () => {
  let twin: RunningTwin;
  let ca: TestCa;
  let tomcat: IssuedCert;
  let pub: CliSession;
  let sub: CliSession;
  let imp: CliSession;
  let selfSignedCa: string;

  beforeAll(async () => {
    const dir = tempDir('identity');
    ca = await TestCa.create('Corp', join(dir, 'keys-from-csr'));
    // Multi-server tomcat: CN <publisher>-ms, every node in the SANs (DOMAIN.md §2); RSA like the real purpose.
    tomcat = await ca.issue(`${PUB}-ms`, [PUB, SUB, IMP], 'RSA');
    twin = await startTwin({
      declarations: labDeclarations(),
      stateDir: join(dir, 'state'),
      addressBase: '127.0.22.2',
      portMode: 'dynamic',
      restartMillis: 100,
      keyDirs: [ca.keyDir],
      env: TEST_ENV,
    });
    selfSignedCa = readCa(twin.ready);
    [pub, sub, imp] = await Promise.all([PUB, SUB, IMP].map((n) => CliSession.open(twin.ready, n)));
  });

  afterAll(async () => {
    for (const s of [pub, sub, imp]) s?.close();
    await twin?.stop();
  });

  it('refuses the leaf while its CA chain is not in the trust store', async () => {
    // WHEN
    const lines = withoutPem(await pub.paste('set cert import own tomcat', bundle(tomcat.pem, ca.intermediate.pem)));
    // THEN
    expect(lines).toEqual(['Paste the Certificate and Hit Enter', 'ERROR: CA Certificate is Not Available in the Trust-Store']);
  });

  it('still refuses the leaf with the root alone (the intermediate is missing)', async () => {
    // GIVEN
    const trust = withoutPem(await pub.paste('set cert import trust tomcat', ca.root.pem));
    expect(trust).toEqual([
      'Paste the Certificate and Hit Enter',
      'Import of trust certificate is successful',
      'Restart the services related to tomcat-trust for the change to take effect.',
    ]);
    // WHEN
    const lines = withoutPem(await pub.paste('set cert import own tomcat', bundle(tomcat.pem, ca.intermediate.pem)));
    // THEN
    expect(lines[lines.length - 1]).toBe('ERROR: CA Certificate is Not Available in the Trust-Store');
  });

  it('distributes a trust upload on the publisher to every node of the cluster', async () => {
    // WHEN
    await pub.paste('set cert import trust tomcat', ca.intermediate.pem);
    // THEN
    for (const session of [pub, sub, imp]) {
      const list = (await session.run('show cert list trust')).join('\n');
      expect(list).toContain('tomcat-trust/Corp_Root_CA.pem');
      expect(list).toContain('tomcat-trust/Corp_Issuing_CA.pem');
    }
  });

  it('keeps a trust upload on a subscriber on that subscriber', async () => {
    // GIVEN
    const local = await ca.issue('Partner Root', ['partner.example.net']);
    // WHEN
    await sub.paste('set cert import trust CallManager', local.pem);
    // THEN
    expect((await sub.run('show cert list trust')).join('\n')).toContain('CallManager-trust/Partner_Root.pem');
    expect((await pub.run('show cert list trust')).join('\n')).not.toContain('Partner_Root.pem');
  });

  it('distributes a multi-server leaf from the publisher to each SAN node and reports per node', async () => {
    // GIVEN the intermediate is deleted on the IM&P node, so it cannot take the leaf
    const deleted = await imp.confirm('set cert delete trust tomcat-trust/Corp_Issuing_CA.pem');
    expect(deleted).toContain('Successfully deleted Corp_Issuing_CA.pem');
    // WHEN
    const lines = withoutPem(await pub.paste('set cert import own tomcat', bundle(tomcat.pem, ca.intermediate.pem)));
    // THEN
    expect(lines).toEqual([
      'Paste the Certificate and Hit Enter',
      `${PUB}: Success`,
      `${SUB}: Success`,
      `${IMP}: Failed - CA Certificate is Not Available in the Trust-Store`,
      'ERROR: The certificate was not imported on 1 node(s)',
      'Please restart services related to tomcat for the new certificate to become active.',
    ]);
    const subOwn = await sub.run('show cert own tomcat');
    expect(subOwn.find((l) => l.startsWith('Subject: '))).toContain(`CN=${PUB}-ms`);
    expect((await imp.run('show cert own tomcat')).find((l) => l.startsWith('Subject: '))).toContain(`CN=${IMP}`);
  });

  it('succeeds on every SAN node once the chain is everywhere', async () => {
    // GIVEN
    await pub.paste('set cert import trust tomcat', ca.intermediate.pem);
    // WHEN
    const lines = withoutPem(await pub.paste('set cert import own tomcat', bundle(tomcat.pem, ca.intermediate.pem)));
    // THEN
    expect(lines.slice(1, 5)).toEqual([`${PUB}: Success`, `${SUB}: Success`, `${IMP}: Success`, 'Successfully imported certificate for tomcat.']);
    expect(withoutPem(await pub.run('show cert list own'))).toContain('tomcat/tomcat.pem: Certificate Signed by Corp Issuing CA');
  });

  it('presents the new identity only after the serving service restarted on that node', async () => {
    // GIVEN the upload is done on every node, but no restart yet
    const before = await presentedChain(twin.ready, SUB, 'https', selfSignedCa);
    expect(before).toHaveLength(1);
    expect(before[0]).not.toBe(tomcat.sha256);
    // WHEN Tomcat restarts on the subscriber only
    const restart = await sub.run('utils service restart Cisco Tomcat');
    expect(restart[restart.length - 1]).toBe('Cisco Tomcat[STARTED]');
    // THEN the subscriber serves leaf + intermediate, verified against the CA root; the publisher still the old one
    expect(await presentedChain(twin.ready, SUB, 'https', ca.root.pem)).toEqual([tomcat.sha256, ca.intermediate.sha256]);
    expect((await presentedChain(twin.ready, PUB, 'https', selfSignedCa))[0]).not.toBe(tomcat.sha256);
  });

  it('serves the -ECDSA sibling on the shared port to a client that only speaks ECDSA', async () => {
    // WHEN
    const ecdsaOnly = await presentedCommonName(twin.ready, SUB, 'https', { sigalgs: 'ecdsa_secp256r1_sha256' });
    const anyClient = await presentedCommonName(twin.ready, SUB, 'https');
    // THEN: the CA-signed tomcat (RSA) for a default client, the self-signed tomcat-ECDSA for an ECDSA-only one
    expect(anyClient).toBe(`${PUB}-ms`);
    expect(ecdsaOnly).toBe('cs-ccm-sub-EC.example.com');
  });

  it('drops connections to a port while its service is not started', async () => {
    // GIVEN a restart that hangs in STARTING
    writeNodeFaults(twin.ready.stateDir, SUB, { restartHangs: ['Cisco Tomcat'] });
    sub.send('utils service restart Cisco Tomcat\n');
    await sub.waitFor('Cisco Tomcat[STARTING]');
    // THEN
    expect(await portRefuses(twin.ready, SUB, 'https')).toBe(true);
    // WHEN the fault clears, the restart completes and the port serves again
    writeNodeFaults(twin.ready.stateDir, SUB, undefined);
    await sub.waitFor('Cisco Tomcat[STARTED]');
    await sub.waitFor('admin:');
    expect(await presentedCommonName(twin.ready, SUB, 'https')).toBe(`${PUB}-ms`);
  });
});
