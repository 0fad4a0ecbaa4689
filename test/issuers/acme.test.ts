/**
 * The acme issuer against a real ACME server (pebble), DNS-01 validated by pebble through
 * pebble-challtestsrv, the records published by the hook: no "always valid" shortcut.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ACME_ACCOUNT_KEY_FILE, AcmeIssuerDecl, createIssuer } from '../../lib/issuers';
import { createLabCa } from '../../lib/pki/lab-ca';
import { clusterCsr, namesCsr, rejection, tempDir, testContext, TestContext } from './helpers';
import { Pebble, describePebble, startPebble, writeDnsHook } from './pebble';

describePebble('the acme issuer against pebble', () => {
  const tmp = tempDir('acme');
  let pebble: Pebble;
  let ctx: TestContext;
  let decl: AcmeIssuerDecl;
  const hookLog = () => join(tmp.dir, 'hook.log');
  const hookCalls = () =>
    readFileSync(hookLog(), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; fqdn: string; value: string; cwd: string });

  beforeAll(async () => {
    pebble = await startPebble(tmp.dir);
    ctx = testContext(tmp.dir, {
      env: { PATH: process.env.PATH, CHALLTESTSRV_URL: pebble.challtestsrv, HOOK_LOG: hookLog(), ACME_EAB_HMAC: pebble.eab.hmacKey },
      timeouts: { pollMs: 100, orderMs: 60_000 },
    });
    writeFileSync(join(ctx.baseDir, 'acme-tls.pem'), pebble.tlsCaPem);
    writeDnsHook(join(ctx.baseDir, 'dns-hook.js'));
    decl = {
      kind: 'acme',
      name: 'corp-acme',
      directory: pebble.directory,
      email: 'pki@corp.test',
      caBundle: 'acme-tls.pem',
      dns01Hook: ['./dns-hook.js'],
      externalAccountBinding: { kid: pebble.eab.kid, hmacEnv: 'ACME_EAB_HMAC' },
    };
  });
  afterAll(async () => {
    await pebble?.stop();
    tmp.remove();
  });
  beforeEach(() => {
    writeFileSync(hookLog(), '');
    ctx.lines.length = 0;
  });

  it('orders a multi-server certificate with DNS-01 through the hook, and returns a chain to pebble\'s root', async () => {
    // GIVEN a CUCM + IM&P multi-server CSR
    const { request } = await clusterCsr();
    // WHEN the ACME issuer signs it
    const result = await createIssuer(decl).sign(request, ctx);
    // THEN the leaf carries exactly the CSR's names, and leaf → pebble intermediate → pebble root verify
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    const [leaf, intermediate] = result.chainPem.map((p) => new X509Certificate(p));
    const root = new X509Certificate(await pebble.root());
    expect(leaf.subjectAltName?.split(', ').sort()).toEqual(['DNS:imp-pub.corp.test', 'DNS:ucm-pub-ms.corp.test', 'DNS:ucm-pub.corp.test', 'DNS:ucm-sub1.corp.test']);
    expect(intermediate.subject).toMatch(/Pebble Intermediate CA/);
    expect(leaf.verify(intermediate.publicKey) && intermediate.verify(root.publicKey)).toBe(true);
    // and the hook published then cleaned up one record per name, in the inventory's folder, lego style
    const calls = hookCalls();
    const fqdns = request.dnsNames.map((n) => `_acme-challenge.${n}.`).sort();
    expect(calls.filter((c) => c.action === 'present').map((c) => c.fqdn).sort()).toEqual(fqdns);
    expect(calls.filter((c) => c.action === 'cleanup').map((c) => c.fqdn).sort()).toEqual(fqdns);
    expect(calls.every((c) => c.cwd === ctx.baseDir && /^[A-Za-z0-9_-]{43}$/.test(c.value))).toBe(true);
    expect(ctx.lines[0]).toMatch(/^issuer corp-acme: created the ACME account key .*acme-account\.key \(0600\)/);
  });

  it('makes the account key once, 0600, in its state folder, and reuses it', async () => {
    const file = join(ctx.stateDir, 'corp-acme', ACME_ACCOUNT_KEY_FILE);
    const { request } = await namesCsr(['again.corp.test']);
    // GIVEN the key of the first order (made in the test above, or now)
    await createIssuer(decl).sign(request, ctx);
    const key = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(ctx.stateDir, 'corp-acme')).mode & 0o777).toBe(0o700);
    // WHEN it orders again
    ctx.lines.length = 0;
    const again = await createIssuer(decl).sign((await namesCsr(['again2.corp.test'])).request, ctx);
    // THEN the same key, no new one
    expect(again.status).toBe('issued');
    expect(readFileSync(file, 'utf8')).toBe(key);
    expect(ctx.lines.some((l) => l.includes('created the ACME account key'))).toBe(false);
    // and the existing account is found without an e-mail to update it with
    const noEmail = await createIssuer({ ...decl, email: undefined }).sign((await namesCsr(['again3.corp.test'])).request, ctx);
    expect(noEmail.status).toBe('issued');
  });

  it('makes a key file others can read 0600 again, and refuses one that is not a key', async () => {
    const file = join(ctx.stateDir, 'corp-acme', ACME_ACCOUNT_KEY_FILE);
    await createIssuer(decl).sign((await namesCsr(['mode.corp.test'])).request, ctx);
    chmodSync(file, 0o644);
    ctx.lines.length = 0;
    expect((await createIssuer(decl).sign((await namesCsr(['mode2.corp.test'])).request, ctx)).status).toBe('issued');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ctx.lines[0]).toBe(`issuer corp-acme: ${file} was readable by others (mode 644): made 0600`);
    // GIVEN a damaged key file of another issuer
    mkdirSync(join(ctx.stateDir, 'broken'), { recursive: true });
    writeFileSync(join(ctx.stateDir, 'broken', ACME_ACCOUNT_KEY_FILE), 'not a key', { mode: 0o600 });
    const e = await rejection(createIssuer({ ...decl, name: 'broken' }).sign((await namesCsr(['broken.corp.test'])).request, ctx));
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/the ACME account key .*broken\/acme-account\.key is not a readable private key: restore it from backup, or delete it to register a new account$/);
  });

  it('refuses without the external account binding pebble requires, saying what to declare', async () => {
    const { request } = await namesCsr(['noeab.corp.test']);
    const e = await rejection(createIssuer({ ...decl, name: 'no-eab', externalAccountBinding: undefined }).sign(request, ctx));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/^issuer no-eab: the ACME server refused the account: .*'externalAccountBinding' field: declare externalAccountBinding \{ kid, hmacEnv \} with the key id and HMAC key the CA gave$/);
  });

  it('reports a DNS-01 validation that fails as refused, with what the CA saw', async () => {
    // GIVEN a hook that answers 0 but publishes nothing
    const { request } = await namesCsr(['forgot.corp.test']);
    const e = await rejection(createIssuer(decl).sign(request, { ...ctx, env: { ...ctx.env, HOOK_MODE: 'forget' } }));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/^issuer corp-acme: the ACME server could not validate _acme-challenge\.forgot\.corp\.test\. \(DNS-01\): .+: check that the hook publishes the TXT record/);
    // and the record it presented is cleaned up all the same
    expect(hookCalls().map((c) => c.action)).toEqual(['present', 'cleanup']);
  });

  it("refuses when the hook fails, showing its standard error", async () => {
    const { request } = await namesCsr(['hookfail.corp.test']);
    const e = await rejection(createIssuer(decl).sign(request, { ...ctx, env: { ...ctx.env, HOOK_MODE: 'fail' } }));
    expect(e.code).toBe('refused');
    expect(e.message).toBe("issuer corp-acme: the DNS-01 hook './dns-hook.js present _acme-challenge.hookfail.corp.test.' exited with 1: it said: dns api: 401 for token [redacted]");
  });

  it('refuses an ACME server whose HTTPS certificate the caBundle does not trust, at once', async () => {
    writeFileSync(join(ctx.baseDir, 'other-ca.pem'), (await createLabCa()).root.certPem);
    const started = Date.now();
    const e = await rejection(createIssuer({ ...decl, caBundle: 'other-ca.pem' }).sign((await namesCsr(['tls.corp.test'])).request, ctx));
    expect(e.code).toBe('untrusted');
    expect(e.message).toMatch(/^issuer corp-acme: GET https:\/\/127\.0\.0\.1:\d+\/dir: the server's HTTPS certificate is not trusted/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
