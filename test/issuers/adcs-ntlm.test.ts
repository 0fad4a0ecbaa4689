/**
 * The adcs issuer with `authentication: ntlm` against the certsrv twin in IIS's Windows
 * Authentication mode (401 offering Negotiate and NTLM, NTLMv2 per TCP connection, Extended
 * Protection): issued, pending then approved, denied, a wrong password; and the twin's own
 * rule that a handshake authenticates one connection only.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdcsIssuerDecl, createIssuer } from '../../lib/issuers';
import { httpsCall } from '../../lib/issuers/http';
import { answerChallenge, negotiateMessage, ntlmAccount, tlsServerEndPointBinding } from '../../lib/issuers/ntlm';
import { OneConnection } from '../../lib/issuers/one-connection';
import { schemeToken } from '../../lib/issuers/www-authenticate';
import { AdcsTwin } from '../../lib/simulator/issuers';
import { clusterCsr, rejection, sharedLabCa, tempDir, testContext, TestContext } from './helpers';

const USER = 'CORP\\svc-ucrollout';
const PASSWORD = 'Ntlm-Passw0rd-For-Tests';
const tmp = tempDir('adcs-ntlm');
const twins: AdcsTwin[] = [];
let twin: AdcsTwin;
let ctx: TestContext;
let decl: AdcsIssuerDecl;

/** A twin with these schemes, its TLS root written as the caBundle `file`. */
async function startSite(file: string, authSchemes: string[], extra: { extendedProtection?: boolean } = {}): Promise<AdcsTwin> {
  const t = await AdcsTwin.start({ ca: await sharedLabCa(), username: USER, password: PASSWORD, authSchemes, ...extra });
  twins.push(t);
  writeFileSync(join(ctx.baseDir, 'ca', file), t.tlsCaPem);
  return t;
}

beforeAll(async () => {
  ctx = testContext(tmp.dir, { env: { ADCS_USER: USER, ADCS_PASSWORD: PASSWORD, ADCS_BARE_USER: 'svc-ucrollout' }, timeouts: { requestMs: 10_000 } });
  mkdirSync(join(ctx.baseDir, 'ca'), { recursive: true });
  twin = await startSite('adcs-tls.pem', ['Negotiate', 'NTLM']);
  decl = { kind: 'adcs', name: 'corp-adcs', url: twin.url, template: 'CUCMWebServer', caBundle: 'ca/adcs-tls.pem', authentication: 'ntlm', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' } };
});
afterAll(async () => {
  await Promise.all(twins.map((t) => t.close()));
  tmp.remove();
});
beforeEach(() => {
  twin.disposition = 'issue';
  ctx.lines.length = 0;
});

describe('the adcs issuer over NTLM', () => {
  it('signs through one NTLMv2 handshake: certfnsh.asp, certnew.cer and certnew.p7b on the one authenticated connection', async () => {
    // GIVEN a certsrv site with Windows Authentication only
    const { request } = await clusterCsr('tomcat/sign/ntlm#1');
    const logons = twin.ntlm!.logons;
    // WHEN it signs
    const result = await createIssuer(decl).sign(request, ctx);
    // THEN the chain, and one logon for the three requests (the connection stayed authenticated)
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    expect(result.chainPem.map((p) => new X509Certificate(p).subject.split('\n')[0])).toEqual(['CN=ucm-pub-ms.corp.test', 'CN=Issuers Test Issuing CA', 'CN=Issuers Test']);
    expect(twin.ntlm!.logons - logons).toBe(1);
    expect([...twin.requests.values()].pop()).toMatchObject({ status: 'issued', csrPem: request.csrPem });
  });

  it('returns pending, then the certificate once a CA manager issued it', async () => {
    twin.disposition = 'pending';
    const { request } = await clusterCsr('CallManager/sign/ntlm#1');
    const first = await createIssuer(decl).sign(request, ctx);
    expect(first.status).toBe('pending');
    if (first.status !== 'pending') return;
    await twin.approve(Number(first.requestId));
    const before = twin.submissions;
    const second = await createIssuer(decl).sign(request, ctx);
    expect(second.status).toBe('issued');
    expect(twin.submissions).toBe(before);
    expect(ctx.lines).toContain(`issuer corp-adcs: asking the CA for request ${first.requestId}`);
  });

  it("refuses a denied request with the CA's reason", async () => {
    twin.disposition = 'deny';
    const e = await rejection(createIssuer(decl).sign((await clusterCsr('denied/ntlm#1')).request, ctx));
    expect(e.code).toBe('denied');
    expect(e.message).toMatch(/^issuer corp-adcs: the CA denied the request \(template CUCMWebServer\): Denied by Policy Module: fix what/);
  });

  it('says the CA refused the account on a wrong password, naming the variables and never the password', async () => {
    const wrongPassword = 'Wrong-Passw0rd-Not-Shown';
    const e = await rejection(createIssuer(decl).sign((await clusterCsr()).request, { ...ctx, env: { ADCS_USER: USER, ADCS_PASSWORD: wrongPassword } }));
    expect(e.code).toBe('refused');
    expect(e.message).toBe(`issuer corp-adcs: POST ${twin.url}/certfnsh.asp: the CA refused the account from ADCS_USER / ADCS_PASSWORD over NTLM (401): check the user name (DOMAIN\\user), the domain and the password`);
    expect(e.message).not.toContain(wrongPassword);
    expect(ctx.lines.join('\n')).not.toContain(wrongPassword);
    expect(twin.ntlm!.lastRefusal).toMatch(/wrong password/);
  });

  it('takes a bare user name with credentials.domain, and a site offering only Negotiate (raw NTLM tokens)', async () => {
    const negotiateOnly = await startSite('negotiate-tls.pem', ['Negotiate']);
    const bare: AdcsIssuerDecl = { ...decl, url: negotiateOnly.url, caBundle: 'ca/negotiate-tls.pem', credentials: { usernameEnv: 'ADCS_BARE_USER', passwordEnv: 'ADCS_PASSWORD', domain: 'CORP' } };
    expect((await createIssuer(bare).sign((await clusterCsr()).request, ctx)).status).toBe('issued');
    expect(negotiateOnly.ntlm!.logons).toBe(1);
  });

  it('says which authentication to declare when the site offers the other one', async () => {
    const { request } = await clusterCsr();
    const basicDecl: AdcsIssuerDecl = { ...decl, authentication: 'basic' };
    const basic = await rejection(createIssuer(basicDecl).sign(request, ctx));
    expect(basic.message).toMatch(/the CA offers only Negotiate, NTLM authentication \(401\): declare the issuer's authentication as ntlm, or enable Basic on the certsrv site$/);
    const basicSite = await startSite('basic-tls.pem', ['Basic']);
    const ntlm = await rejection(createIssuer({ ...decl, url: basicSite.url, caBundle: 'ca/basic-tls.pem' }).sign(request, ctx));
    expect(ntlm.message).toMatch(/the CA offers only Basic authentication \(401\): declare the issuer's authentication as basic, or enable NTLM on the certsrv site$/);
  });
});

describe('the certsrv twin in NTLM mode', () => {
  const account = ntlmAccount(USER, PASSWORD);
  const ca = () => [twin.tlsCaPem];
  const get = (connection: OneConnection, authorization?: string) =>
    httpsCall('twin-test', { url: `${twin.url}/certnew.cer?ReqID=1&Enc=b64`, method: 'GET', ca: ca(), agent: connection, timeoutMs: 10_000, headers: authorization ? { authorization } : {} });

  /** NEGOTIATE and CHALLENGE on `connection`: the AUTHENTICATE that answers it (not sent). */
  async function handshake(connection: OneConnection, bind = true): Promise<string> {
    const negotiate = negotiateMessage();
    const challenged = await get(connection, `NTLM ${negotiate.toString('base64')}`);
    expect(challenged.status).toBe(401);
    const challenge = schemeToken(challenged.headers, 'NTLM')!;
    const channelBindings = bind ? tlsServerEndPointBinding(connection.peerCertificate!) : undefined;
    return `NTLM ${answerChallenge(account, negotiate, challenge, { channelBindings }).toString('base64')}`;
  }

  it('offers NTLM and Negotiate, authenticates the connection of the handshake, and only that one', async () => {
    const one = new OneConnection(ca());
    const other = new OneConnection(ca());
    try {
      const anonymous = await get(one);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toEqual(expect.stringMatching(/Negotiate, NTLM|NTLM, Negotiate/));
      const authenticate = await handshake(one);
      expect((await get(one, authenticate)).status).toBe(200);
      // the same connection stays authenticated without a header
      expect((await get(one)).status).toBe(200);
      // a new connection starts over, and the AUTHENTICATE replayed on it is refused
      expect((await get(other)).status).toBe(401);
      expect((await get(other, authenticate)).status).toBe(401);
      expect(twin.ntlm!.lastRefusal).toBe('an AUTHENTICATE on a connection that got no CHALLENGE');
    } finally {
      one.close();
      other.close();
    }
  });

  it('refuses an AUTHENTICATE without the channel binding of its TLS connection (Extended Protection)', async () => {
    const one = new OneConnection(ca());
    try {
      const unbound = await handshake(one, false);
      expect((await get(one, unbound)).status).toBe(401);
      expect(twin.ntlm!.lastRefusal).toMatch(/channel binding/);
    } finally {
      one.close();
    }
  });
});
