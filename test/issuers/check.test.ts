import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IssuerError, checkIssuedChain, readSignRequest } from '../../lib/issuers';
import { csrForKey } from '../../lib/pki/csr';
import { createLabCa, signCsr } from '../../lib/pki/lab-ca';
import { EXTRA_SAN, twinSign } from '../../lib/simulator/issuers';
import { clusterCsr, namesCsr, rejection, sharedLabCa } from './helpers';

const NOW = new Date();

describe('readSignRequest', () => {
  it("reads the CSR's key, common name and DNS names", async () => {
    // GIVEN a multi-server CSR as the publisher makes it
    const { request } = await clusterCsr();
    // WHEN it is read
    const csr = await readSignRequest('t', request);
    // THEN its names are the request's, lower case, in CSR order
    expect(csr.commonName).toBe('ucm-pub-ms.corp.test');
    expect(csr.dnsNames).toEqual(['ucm-pub-ms.corp.test', 'ucm-pub.corp.test', 'ucm-sub1.corp.test', 'imp-pub.corp.test']);
    expect(csr.keyKind).toBe('EC');
    expect(csr.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a request whose names are not those of its CSR', async () => {
    const { request } = await namesCsr(['a.corp.test', 'b.corp.test']);
    const e = await rejection(readSignRequest('t', { ...request, dnsNames: ['a.corp.test', 'c.corp.test'] }));
    expect(e).toBeInstanceOf(IssuerError);
    expect(e.code).toBe('bad-request');
    expect(e.message).toBe("issuer t: the sign request's names are not the CSR's (in the request only: c.corp.test; in the CSR only: b.corp.test): take the names from the CSR the node made");
    expect((await rejection(readSignRequest('t', { ...request, commonName: 'b.corp.test' }))).message).toMatch(/common name 'b\.corp\.test' is not the CSR's 'a\.corp\.test'/);
  });

  it('refuses a damaged CSR, and a request without id', async () => {
    const { request } = await namesCsr(['a.corp.test']);
    const damaged = request.csrPem.replace(/(\n[A-Za-z0-9+/]{10})[A-Za-z0-9+/]/, '$1A');
    expect((await rejection(readSignRequest('t', { ...request, csrPem: damaged }))).code).toBe('bad-request');
    expect((await rejection(readSignRequest('t', { ...request, csrPem: 'hello' }))).message).toMatch(/^issuer t: the CSR: /);
    expect((await rejection(readSignRequest('t', { ...request, id: '' }))).message).toMatch(/has no id/);
  });
});

describe('checkIssuedChain', () => {
  it('puts the leaf first and orders its issuers, dropping duplicates', async () => {
    // GIVEN a chain handed back out of order, with the leaf twice
    const ca = await sharedLabCa();
    const { request } = await clusterCsr();
    const csr = await readSignRequest('t', request);
    const leaf = await signCsr(ca, request.csrPem, { purpose: 'tomcat-ECDSA' });
    const lines: string[] = [];
    // WHEN it is checked
    const chain = checkIssuedChain('t', csr, [ca.root.certPem, leaf, ca.intermediate!.certPem, leaf], NOW, (l) => lines.push(l));
    // THEN leaf, issuing CA, root
    expect(chain.map((p) => new X509Certificate(p).subject.split('\n')[0])).toEqual(['CN=ucm-pub-ms.corp.test', 'CN=Issuers Test Issuing CA', 'CN=Issuers Test']);
    expect(lines).toEqual(['issuer t: the CA returned the leaf at position 2: it is put first']);
  });

  it('refuses a certificate for another key: the CA signed another request', async () => {
    const ca = await sharedLabCa();
    const { request } = await clusterCsr();
    const csr = await readSignRequest('t', request);
    const other = await twinSign(ca, request.csrPem, 'other-key');
    let e: unknown;
    try {
      checkIssuedChain('t', csr, [other, ca.intermediate!.certPem], NOW);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(IssuerError);
    expect((e as IssuerError).code).toBe('mismatch');
    expect((e as Error).message).toMatch(/^issuer t: the CA returned 'CN=ucm-pub-ms\.corp\.test' \(SHA-256 [0-9a-f]{16}…\), which is not for the CSR's key: it signed another request/);
  });

  it('refuses a leaf whose names are not exactly the CSR\'s (DOMAIN.md §5)', async () => {
    const ca = await sharedLabCa();
    const { request } = await namesCsr(['a.corp.test', 'b.corp.test']);
    const csr = await readSignRequest('t', request);
    // a CA that adds a name
    const added = await twinSign(ca, request.csrPem, 'extra-san');
    expect(() => checkIssuedChain('t', csr, [added], NOW)).toThrow(
      `issuer t: the CA changed the CSR's subjectAltNames (DNS names added: ${EXTRA_SAN}): CUCM refuses a certificate whose names are not its CSR's (DOMAIN.md §5); configure the template, role or profile to copy the CSR's names unchanged`,
    );
    // a CA that drops one: the leaf of a CSR for a.corp.test alone, on the same key
    const { keyPem } = await namesCsr(['x.corp.test']);
    const two = await csrForKey({ subject: [['CN', 'a.corp.test']], altNames: ['a.corp.test', 'b.corp.test'], keyPem });
    const one = await csrForKey({ subject: [['CN', 'a.corp.test']], altNames: ['a.corp.test'], keyPem });
    const csr2 = await readSignRequest('t', { id: 'x', csrPem: two, commonName: 'a.corp.test', dnsNames: ['a.corp.test', 'b.corp.test'] });
    const dropped = await signCsr(ca, one, { purpose: 'tomcat-ECDSA' });
    expect(() => checkIssuedChain('t', csr2, [dropped], NOW)).toThrow(/DNS names dropped: b\.corp\.test/);
  });

  it('refuses a chain whose issuer bears the name but not the key', async () => {
    // GIVEN two lab CAs with the same names
    const ca = await createLabCa({ commonName: 'Twin Name', intermediate: true });
    const impostor = await createLabCa({ commonName: 'Twin Name', intermediate: true });
    const { request } = await namesCsr(['a.corp.test']);
    const csr = await readSignRequest('t', request);
    const leaf = await signCsr(ca, request.csrPem, { purpose: 'tomcat-ECDSA' });
    expect(() => checkIssuedChain('t', csr, [leaf, impostor.intermediate!.certPem], NOW)).toThrow(/is not signed by 'CN=Twin Name Issuing CA.*the chain is broken/);
  });

  it('refuses an expired leaf, and an answer without certificates', async () => {
    const ca = await sharedLabCa();
    const { request } = await namesCsr(['a.corp.test']);
    const csr = await readSignRequest('t', request);
    const old = await signCsr(ca, request.csrPem, { purpose: 'tomcat-ECDSA', days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
    expect(() => checkIssuedChain('t', csr, [old], NOW)).toThrow(/which expired .*: check the CA's clock/);
    expect(() => checkIssuedChain('t', csr, [], NOW)).toThrow('issuer t: the CA returned no certificate');
  });

  it('leaves out certificates that are not on the leaf\'s path, and says so', async () => {
    const ca = await sharedLabCa();
    const stranger = await createLabCa({ commonName: 'Stranger' });
    const { request } = await namesCsr(['a.corp.test']);
    const csr = await readSignRequest('t', request);
    const leaf = await signCsr(ca, request.csrPem, { purpose: 'tomcat-ECDSA' });
    const lines: string[] = [];
    expect(checkIssuedChain('t', csr, [leaf, stranger.root.certPem, ca.intermediate!.certPem], NOW, (l) => lines.push(l))).toHaveLength(2);
    expect(lines[0]).toMatch(/^issuer t: left out 1 certificate\(s\) not on the leaf's issuer path: 'CN=Stranger/);
  });
});
