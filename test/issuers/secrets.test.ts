/**
 * Secrets never reach a log line or an error message: each issuer runs with a recognisable
 * secret, through success and failure, against CAs that echo what they were sent, and every
 * line and message is searched for the secret in the forms it travels in.
 */
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IssuerDecl, createIssuer } from '../../lib/issuers';
import { writeLabCa } from '../../lib/pki/lab-ca';
import { AdcsTwin, VaultTwin, closeServer, listenLoopback, loopbackTls, readBody } from '../../lib/simulator/issuers';
import { clusterCsr, sharedLabCa, tempDir, testContext, TestContext } from './helpers';
import { describePebble, startPebble, writeDnsHook } from './pebble';

const SECRET = 'Tr0ub4dor-3-SECRET-VALUE-9f1c';
const tmp = tempDir('secrets');
afterAll(() => tmp.remove());

/** Every form a secret travels in: as it is, base64 (Basic auth), URL-encoded (forms). */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

/** Signs, keeping the error message of a refusal: both go into the transcript. */
async function run(issuer: IssuerDecl, ctx: TestContext, transcript: string[], request?: Awaited<ReturnType<typeof clusterCsr>>['request']): Promise<string> {
  try {
    const r = await createIssuer(issuer).sign(request ?? (await clusterCsr()).request, ctx);
    transcript.push(JSON.stringify(r.status === 'pending' ? r : { status: r.status }));
    return r.status;
  } catch (e) {
    transcript.push(String((e as Error).message), String((e as Error).stack));
    return 'error';
  }
}

function expectNoSecret(texts: readonly string[], secrets: readonly string[]): void {
  const found = texts.flatMap((t) => secrets.flatMap(forms).filter((s) => t.includes(s)).map((s) => `${JSON.stringify(s)} in: ${t.slice(0, 200)}`));
  expect(found).toEqual([]);
}

/** Every file under the folder, but the one allowed to hold the secret. */
function filesUnder(dir: string, except: (path: string) => boolean = () => false): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile() && !except(p))
    .map((p) => readFileSync(p, 'latin1'));
}

/** An HTTPS server that answers every request with the request itself: headers and body. */
async function echoServer(status: number, shape: (echo: string) => string): Promise<{ url: string; caPem: string; server: Server }> {
  const tls = await loopbackTls();
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, async (req, res) => {
    const echo = `${JSON.stringify(req.headers)} ${await readBody(req)}`;
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(shape(echo));
  });
  return { url: `https://127.0.0.1:${await listenLoopback(server)}`, caPem: tls.caPem, server };
}

describe('no secret in logs or errors', () => {
  it('adcs: the password (and its Basic header) through issued, pending, denied and an echoing CA', async () => {
    const ctx = testContext(join(tmp.dir, 'adcs'), { env: { ADCS_USER: 'CORP\\svc', ADCS_PASSWORD: SECRET } });
    const twin = await AdcsTwin.start({ ca: await sharedLabCa(), username: 'CORP\\svc', password: SECRET });
    const echo = await echoServer(500, (e) => `<html>Server Error: ${e}</html>`);
    const echoPage = await echoServer(200, (e) => `<B> Certificate Request Denied </B> The disposition message is "${e.replace(/"/g, "'")}"`);
    try {
      writeFileSync(join(ctx.baseDir, 'twin.pem'), twin.tlsCaPem);
      writeFileSync(join(ctx.baseDir, 'echo.pem'), echo.caPem);
      writeFileSync(join(ctx.baseDir, 'echo-page.pem'), echoPage.caPem);
      const decl = { kind: 'adcs', name: 'adcs', url: twin.url, template: 'CUCMWebServer', caBundle: 'twin.pem', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' } } as const;
      const transcript: string[] = [];
      expect(await run(decl, ctx, transcript)).toBe('issued');
      twin.disposition = 'pending';
      const { request } = await clusterCsr('secret-pending');
      expect(await run(decl, ctx, transcript, request)).toBe('pending');
      twin.disposition = 'deny';
      expect(await run(decl, ctx, transcript)).toBe('error');
      expect(await run({ ...decl, url: `${echo.url}/certsrv`, caBundle: 'echo.pem' }, ctx, transcript)).toBe('error');
      expect(await run({ ...decl, url: `${echoPage.url}/certsrv`, caBundle: 'echo-page.pem' }, ctx, transcript)).toBe('error');
      // the echoing CA's text did reach the message, with the secret blanked out
      expect(transcript.join('\n')).toContain('[redacted]');
      expectNoSecret([...ctx.lines, ...transcript, ...filesUnder(ctx.stateDir)], [SECRET, `CORP\\svc:${SECRET}`]);
    } finally {
      await Promise.all([twin.close(), closeServer(echo.server), closeServer(echoPage.server)]);
    }
  });

  it('vault: the token through issued, refused and an echoing Vault', async () => {
    const ctx = testContext(join(tmp.dir, 'vault'), { env: { VAULT_TOKEN: SECRET } });
    const twin = await VaultTwin.start({ ca: await sharedLabCa(), token: SECRET });
    const echo = await echoServer(400, (e) => JSON.stringify({ errors: [`invalid request: ${e}`] }));
    try {
      writeFileSync(join(ctx.baseDir, 'twin.pem'), twin.tlsCaPem);
      writeFileSync(join(ctx.baseDir, 'echo.pem'), echo.caPem);
      const decl = { kind: 'vault', name: 'vault', address: twin.address, mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN', caBundle: 'twin.pem' } as const;
      const transcript: string[] = [];
      expect(await run(decl, ctx, transcript)).toBe('issued');
      expect(await run({ ...decl, role: 'other' }, ctx, transcript)).toBe('error');
      expect(await run({ ...decl, address: echo.url, caBundle: 'echo.pem' }, ctx, transcript)).toBe('error');
      expect(transcript.join('\n')).toContain('[redacted]');
      expectNoSecret([...ctx.lines, ...transcript], [SECRET]);
    } finally {
      await Promise.all([twin.close(), closeServer(echo.server)]);
    }
  });

  it("command: a secretEnv value the program prints is blanked out of what is shown", async () => {
    const ctx = testContext(join(tmp.dir, 'command'), { env: { PATH: process.env.PATH, STEP_PASSWORD: SECRET } });
    writeFileSync(join(ctx.baseDir, 'leaky.sh'), '#!/bin/sh\ncat >/dev/null\necho "login failed with password $STEP_PASSWORD" >&2\nexit 1\n');
    chmodSync(join(ctx.baseDir, 'leaky.sh'), 0o755);
    const transcript: string[] = [];
    expect(await run({ kind: 'command', name: 'cmd', run: ['./leaky.sh'], secretEnv: ['STEP_PASSWORD'] }, ctx, transcript)).toBe('error');
    expect(transcript[0]).toBe("issuer cmd: the command './leaky.sh' exited with 1: it said: login failed with password [redacted]");
    expectNoSecret([...ctx.lines, ...transcript], [SECRET]);
  });

  it("lab: the CA's private keys stay out of logs and errors", async () => {
    const ctx = testContext(join(tmp.dir, 'lab'));
    const ca = await sharedLabCa();
    writeLabCa(ca, join(ctx.baseDir, 'lab-ca'));
    const transcript: string[] = [];
    expect(await run({ kind: 'lab', name: 'lab', ca: 'lab-ca' }, ctx, transcript)).toBe('issued');
    const { request } = await clusterCsr();
    expect(await run({ kind: 'lab', name: 'lab', ca: 'lab-ca' }, ctx, transcript, { ...request, purpose: 'tomcat' })).toBe('error');
    const body = (pem: string) => pem.split('\n')[1];
    expectNoSecret([...ctx.lines, ...transcript], [body(ca.root.keyPem), body(ca.intermediate!.keyPem)]);
  });
});

describePebble('no secret in logs or errors: acme', () => {
  it('the EAB HMAC key and the account key, through an order and a failing hook that prints the HMAC', async () => {
    const dir = join(tmp.dir, 'acme');
    const ctx = testContext(dir, { timeouts: { pollMs: 100, orderMs: 60_000 } });
    const pebble = await startPebble(dir);
    try {
      const env = { PATH: process.env.PATH, CHALLTESTSRV_URL: pebble.challtestsrv, HOOK_LOG: join(dir, 'hook.log'), ACME_EAB_HMAC: pebble.eab.hmacKey };
      writeFileSync(join(ctx.baseDir, 'acme-tls.pem'), pebble.tlsCaPem);
      writeDnsHook(join(ctx.baseDir, 'dns-hook.js'));
      const decl = {
        kind: 'acme',
        name: 'acme',
        directory: pebble.directory,
        caBundle: 'acme-tls.pem',
        dns01Hook: ['./dns-hook.js'],
        externalAccountBinding: { kid: pebble.eab.kid, hmacEnv: 'ACME_EAB_HMAC' },
      } as const;
      const transcript: string[] = [];
      expect(await run(decl, { ...ctx, env }, transcript)).toBe('issued');
      expect(await run(decl, { ...ctx, env: { ...env, HOOK_MODE: 'fail' } }, transcript)).toBe('error');
      expect(transcript.join('\n')).toContain('[redacted]');
      const keyFile = join(ctx.stateDir, 'acme', 'acme-account.key');
      const accountKey = readFileSync(keyFile, 'utf8');
      const keyBody = accountKey.split('\n').slice(1, -2).join('');
      // the account key is in its own 0600 file and nowhere else in the state folder
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expectNoSecret([...ctx.lines, ...transcript, ...filesUnder(ctx.stateDir, (p) => p === keyFile)], [pebble.eab.hmacKey, keyBody]);
    } finally {
      await pebble.stop();
    }
  });
});
