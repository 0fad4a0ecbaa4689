import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VaultIssuerDecl, createIssuer } from '../../lib/issuers';
import { VaultTwin } from '../../lib/simulator/issuers';
import { clusterCsr, namesCsr, rejection, sharedLabCa, tempDir, testContext, TestContext } from './helpers';

const TOKEN = 'hvs.CAESIvaulttokenfortests0001';
const tmp = tempDir('vault');
let twin: VaultTwin;
let ctx: TestContext;
let decl: VaultIssuerDecl;

beforeAll(async () => {
  twin = await VaultTwin.start({ ca: await sharedLabCa(), token: TOKEN, mount: 'pki/int', role: 'cucm', allowedDomains: ['corp.test'] });
  ctx = testContext(tmp.dir, { env: { VAULT_TOKEN: TOKEN } });
  mkdirSync(join(ctx.baseDir, 'ca'), { recursive: true });
  writeFileSync(join(ctx.baseDir, 'ca', 'vault-tls.pem'), twin.tlsCaPem);
  decl = { kind: 'vault', name: 'corp-vault', address: twin.address, mount: 'pki/int', role: 'cucm', tokenEnv: 'VAULT_TOKEN', caBundle: 'ca/vault-tls.pem', ttl: '720h', namespace: 'uc' };
});
afterAll(async () => {
  await twin.close();
  tmp.remove();
});
beforeEach(() => {
  twin.fault = undefined;
  twin.sealed = false;
  ctx.lines.length = 0;
});

describe('the vault issuer', () => {
  it('posts the CSR with its common name, names and ttl, and returns leaf and ca_chain', async () => {
    // GIVEN a multi-server CSR and the twin of POST /v1/pki/int/sign/cucm
    const { request } = await clusterCsr();
    // WHEN it signs
    const result = await createIssuer(decl).sign(request, ctx);
    // THEN the leaf, the issuing CA and the root, and the request as Vault reads it
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    const [leaf, issuing, root] = result.chainPem.map((p) => new X509Certificate(p));
    expect(result.chainPem).toHaveLength(3);
    expect(leaf.verify(issuing.publicKey) && issuing.verify(root.publicKey)).toBe(true);
    const sent = twin.signed[twin.signed.length - 1];
    expect(sent.path).toBe('/v1/pki/int/sign/cucm');
    expect(sent.namespace).toBe('uc');
    expect(sent.body).toEqual({
      csr: request.csrPem,
      common_name: 'ucm-pub-ms.corp.test',
      alt_names: 'ucm-pub-ms.corp.test,ucm-pub.corp.test,ucm-sub1.corp.test,imp-pub.corp.test',
      format: 'pem',
      ttl: '720h',
    });
    expect(ctx.lines).toEqual([`issuer corp-vault: POST ${twin.address}/v1/pki/int/sign/cucm for ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test`]);
  });

  it('says which variable to set when the token is missing', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl).sign(request, { ...ctx, env: {} }));
    expect(e.code).toBe('config');
    expect(e.message).toBe('issuer corp-vault: the environment variable VAULT_TOKEN (vault.tokenEnv) is not set: put a Vault token allowed to use this role in it before the rollout');
  });

  it("turns Vault's errors into refusals that say what to fix", async () => {
    const { request } = await clusterCsr();
    const denied = await rejection(createIssuer(decl).sign(request, { ...ctx, env: { VAULT_TOKEN: 'hvs.wrong' } }));
    expect(denied.code).toBe('refused');
    expect(denied.message).toBe('issuer corp-vault: Vault refused the token from VAULT_TOKEN (403: permission denied): give a token whose policy allows update on pki/int/sign/cucm');
    const role = await rejection(createIssuer({ ...decl, role: 'phones' }).sign(request, ctx));
    expect(role.message).toBe(`issuer corp-vault: Vault answered 400 to ${twin.address}/v1/pki/int/sign/phones: unknown role: phones`);
    const mount = await rejection(createIssuer({ ...decl, mount: 'pki' }).sign(request, ctx));
    expect(mount.message).toMatch(/Vault answered 404 to .*\/v1\/pki\/sign\/cucm: no handler for route "pki\/sign\/cucm"\. route entry not found\.: check the mount 'pki' and role 'cucm'$/);
  });

  it("refuses names outside the role's allowed domains, with Vault's words", async () => {
    const { request } = await namesCsr(['ucm.corp.test', 'ucm.other.example']);
    const e = await rejection(createIssuer(decl).sign(request, ctx));
    expect(e.message).toBe(`issuer corp-vault: Vault answered 400 to ${twin.address}/v1/pki/int/sign/cucm: subject alternate name ucm.other.example not allowed by this role`);
  });

  it('reports a sealed Vault as unreachable (worth trying again)', async () => {
    twin.sealed = true;
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl).sign(request, ctx));
    expect(e.code).toBe('unreachable');
    expect(e.message).toMatch(/Vault is sealed or in standby \(503: Vault is sealed\)/);
  });

  it('refuses a Vault whose HTTPS certificate the caBundle does not trust', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer({ ...decl, caBundle: undefined }).sign(request, ctx));
    expect(e.code).toBe('untrusted');
    expect(e.message).toMatch(/the server's HTTPS certificate is not trusted \(\w+\): put the CA that signed it in the issuer's caBundle$/);
    const missing = await rejection(createIssuer({ ...decl, caBundle: 'ca/none.pem' }).sign(request, ctx));
    expect(missing.message).toBe("issuer corp-vault: cannot read vault.caBundle 'ca/none.pem' (ENOENT): give the PEM file of the CA that signed the server's HTTPS certificate");
  });

  it('refuses what a misconfigured role signs: another key, or an added name', async () => {
    const { request } = await clusterCsr();
    twin.fault = 'other-key';
    expect((await rejection(createIssuer(decl).sign(request, ctx))).code).toBe('mismatch');
    twin.fault = 'extra-san';
    expect((await rejection(createIssuer(decl).sign(request, ctx))).message).toMatch(/the CA changed the CSR's subjectAltNames \(DNS names added: added-by-ca\.example\.com\)/);
  });

  it('reports an address nobody listens on as unreachable', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer({ ...decl, address: 'https://127.0.0.1:1' }).sign(request, ctx));
    expect(e.code).toBe('unreachable');
    expect(e.message).toBe('issuer corp-vault: POST https://127.0.0.1:1/v1/pki/int/sign/cucm failed (ECONNREFUSED): check the address and that the CA is up, then try again');
  });
});
