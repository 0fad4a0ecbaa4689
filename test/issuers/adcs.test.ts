import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdcsIssuerDecl, createIssuer, readCertsrvPage } from '../../lib/issuers';
import { AdcsTwin } from '../../lib/simulator/issuers';
import { clusterCsr, rejection, sharedLabCa, tempDir, testContext, TestContext } from './helpers';

const USER = 'CORP\\svc-ucrollout';
const PASSWORD = 'Adcs-Passw0rd-For-Tests';
const tmp = tempDir('adcs');
let twin: AdcsTwin;
let ctx: TestContext;
let decl: AdcsIssuerDecl;

beforeAll(async () => {
  twin = await AdcsTwin.start({ ca: await sharedLabCa(), username: USER, password: PASSWORD, templates: ['CUCMWebServer'] });
  ctx = testContext(tmp.dir, { env: { ADCS_USER: USER, ADCS_PASSWORD: PASSWORD } });
  mkdirSync(join(ctx.baseDir, 'ca'), { recursive: true });
  writeFileSync(join(ctx.baseDir, 'ca', 'adcs-tls.pem'), twin.tlsCaPem);
  decl = { kind: 'adcs', name: 'corp-adcs', url: twin.url, template: 'CUCMWebServer', caBundle: 'ca/adcs-tls.pem', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' } };
});
afterAll(async () => {
  await twin.close();
  tmp.remove();
});
beforeEach(() => {
  twin.disposition = 'issue';
  twin.fault = undefined;
  ctx.lines.length = 0;
});

/** Where the issuer remembers the pending request of a sign request id. */
function pendingFile(id: string): string {
  return join(ctx.stateDir, 'corp-adcs', 'pending', `${createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`);
}

function subjects(chain: readonly string[]): string[] {
  return chain.map((p) => new X509Certificate(p).subject.split('\n')[0]);
}

describe('the adcs issuer', () => {
  it('submits to certfnsh.asp and returns the leaf and the .p7b chain, in order', async () => {
    // GIVEN a CA that issues at once
    const { request } = await clusterCsr('tomcat/sign/dc1#1');
    const before = twin.submissions;
    // WHEN it signs
    const result = await createIssuer(decl).sign(request, ctx);
    // THEN one request with the template, and the chain leaf → issuing CA → root (the .p7b lists it out of order)
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    expect(subjects(result.chainPem)).toEqual(['CN=ucm-pub-ms.corp.test', 'CN=Issuers Test Issuing CA', 'CN=Issuers Test']);
    expect(twin.submissions - before).toBe(1);
    const filed = [...twin.requests.values()].pop()!;
    expect(filed).toMatchObject({ template: 'CUCMWebServer', status: 'issued', csrPem: request.csrPem });
    expect(ctx.lines).toEqual([
      `issuer corp-adcs: POST ${twin.url}/certfnsh.asp (template CUCMWebServer) for ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test`,
      `issuer corp-adcs: request ${filed.id} issued for ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test`,
    ]);
  });

  it('returns pending with the request id, then the certificate once a CA manager issued it, without a second request', async () => {
    // GIVEN a template that needs a CA manager's approval
    twin.disposition = 'pending';
    const { request } = await clusterCsr('CallManager/sign/dc1#1');
    const issuer = createIssuer(decl);
    const before = twin.submissions;
    // WHEN it signs
    const first = await issuer.sign(request, ctx);
    // THEN pending, naming the request to approve
    expect(first.status).toBe('pending');
    if (first.status !== 'pending') return;
    expect(first.message).toBe(
      `request ${first.requestId} (template CUCMWebServer, ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test) is pending at the CA: a CA manager must issue it (certsrv.msc → Pending Requests → ${first.requestId} → Issue), then run the step again`,
    );
    // and signing again before approval asks again (still pending), without filing anew
    expect(await issuer.sign(request, ctx)).toMatchObject({ status: 'pending', requestId: first.requestId });
    // WHEN the CA manager issues it and the step runs again
    await twin.approve(Number(first.requestId));
    const second = await createIssuer(decl).sign(request, ctx);
    // THEN the certificate, from the one request filed
    expect(second.status).toBe('issued');
    expect(twin.submissions - before).toBe(1);
    expect(ctx.lines).toContain(`issuer corp-adcs: asking the CA for request ${first.requestId}`);
    // and the remembered id is gone (the next renewal files a new request)
    expect(existsSync(pendingFile(request.id))).toBe(false);
  });

  it('keeps the pending request id in a 0600 file of its state folder, and takes one given by the caller', async () => {
    twin.disposition = 'pending';
    const { request } = await clusterCsr('pending-file#1');
    const first = await createIssuer(decl).sign(request, ctx);
    if (first.status !== 'pending') throw new Error('expected pending');
    expect(statSync(pendingFile(request.id)).mode & 0o777).toBe(0o600);
    expect(statSync(join(ctx.stateDir, 'corp-adcs')).mode & 0o777).toBe(0o700);
    // WHEN another run (its state folder lost) is told the id
    await twin.approve(Number(first.requestId));
    const other = testContext(join(tmp.dir, 'other'), { env: ctx.env });
    mkdirSync(other.baseDir, { recursive: true });
    writeFileSync(join(other.baseDir, 'ca-tls.pem'), twin.tlsCaPem);
    const before = twin.submissions;
    const result = await createIssuer({ ...decl, caBundle: 'ca-tls.pem' }).sign({ ...request, pendingRequestId: first.requestId }, other);
    expect(result.status).toBe('issued');
    expect(twin.submissions).toBe(before);
  });

  it('files a new request when the CSR changed since the pending one (the old one is for a stale CSR)', async () => {
    twin.disposition = 'pending';
    const first = await createIssuer(decl).sign((await clusterCsr('regenerated#1')).request, ctx);
    if (first.status !== 'pending') throw new Error('expected pending');
    const fresh = (await clusterCsr('regenerated#1')).request;
    const second = await createIssuer(decl).sign(fresh, ctx);
    expect(second).toMatchObject({ status: 'pending' });
    expect(second.status === 'pending' && second.requestId).not.toBe(first.requestId);
    expect(ctx.lines).toContain(`issuer corp-adcs: request ${first.requestId} pending at the CA was for an older CSR: filing a new request (deny ${first.requestId} on the CA)`);
  });

  it("refuses a denied request with the CA's reason, at submission and after pending", async () => {
    const { request } = await clusterCsr('denied#1');
    twin.disposition = 'deny';
    const denied = await rejection(createIssuer(decl).sign(request, ctx));
    expect(denied.code).toBe('denied');
    expect(denied.message).toBe(
      "issuer corp-adcs: the CA denied the request (template CUCMWebServer): Denied by Policy Module: fix what the message says (template permissions, subject or names the template allows), then sign again",
    );
    // pending, then a CA manager denies it
    twin.disposition = 'pending';
    const pending = await createIssuer(decl).sign(request, ctx);
    if (pending.status !== 'pending') throw new Error('expected pending');
    twin.deny(Number(pending.requestId));
    const later = await rejection(createIssuer(decl).sign(request, ctx));
    expect(later.code).toBe('denied');
    expect(later.message).toMatch(new RegExp(`the CA denied request ${pending.requestId} \\(template CUCMWebServer\\): Denied by CORP\\\\pki-admin: fix what`));
    expect(existsSync(pendingFile(request.id))).toBe(false);
  });

  it('names the unknown template in the denial', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer({ ...decl, template: 'WebServer2' }).sign(request, ctx));
    expect(e.message).toMatch(/the CA denied the request \(template WebServer2\): Denied by Policy Module 0x80094800, The request was for a certificate template that is not supported by the Active Directory Certificate Services policy: WebServer2\./);
  });

  it('refuses wrong credentials, and says to declare ntlm when the site offers only Windows Authentication', async () => {
    const { request } = await clusterCsr();
    const wrong = await rejection(createIssuer(decl).sign(request, { ...ctx, env: { ADCS_USER: USER, ADCS_PASSWORD: 'nope-nope' } }));
    expect(wrong.code).toBe('refused');
    expect(wrong.message).toBe(`issuer corp-adcs: POST ${twin.url}/certfnsh.asp: the CA refused the account from ADCS_USER / ADCS_PASSWORD over Basic (401): check the user name (DOMAIN\\user), the domain and the password`);
    const ntlm = await AdcsTwin.start({ ca: await sharedLabCa(), username: USER, password: PASSWORD, authSchemes: ['Negotiate', 'NTLM'] });
    try {
      writeFileSync(join(ctx.baseDir, 'ca', 'ntlm-tls.pem'), ntlm.tlsCaPem);
      const e = await rejection(createIssuer({ ...decl, url: ntlm.url, caBundle: 'ca/ntlm-tls.pem' }).sign(request, ctx));
      expect(e.message).toMatch(/the CA offers only Negotiate, NTLM authentication \(401\): declare the issuer's authentication as ntlm, or enable Basic on the certsrv site$/);
    } finally {
      await ntlm.close();
    }
  });

  it('refuses the certificate of another request', async () => {
    twin.fault = 'other-key';
    const e = await rejection(createIssuer(decl).sign((await clusterCsr()).request, ctx));
    expect(e.code).toBe('mismatch');
  });

  it('says when the URL is not a web enrollment', async () => {
    const e = await rejection(createIssuer({ ...decl, url: twin.url.replace('/certsrv', '/other') }).sign((await clusterCsr()).request, ctx));
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/no web enrollment there \(404\): the url is the certsrv folder/);
  });
});

describe('readCertsrvPage', () => {
  it('reads the shapes certsrv answers in', () => {
    expect(readCertsrvPage('<P> Certificate Issued </P><A Href="certnew.cer?ReqID=42&amp;Enc=b64">Base 64 encoded</A>')).toEqual({ kind: 'issued', requestId: '42' });
    expect(readCertsrvPage('<B> Certificate Pending </B><P>Your certificate request has been received. However, you must wait for an administrator…</P><P>Your Request Id is 43.</P>')).toEqual({ kind: 'pending', requestId: '43' });
    expect(readCertsrvPage('Certificate Server Error<BR>Disposition message:\t\tTaken Under Submission')).toEqual({ kind: 'pending' });
    expect(readCertsrvPage('<B> Certificate Request Denied </B> Your certificate request was denied. The disposition message is "Denied by Policy Module  0x80094014, The EMail name is unavailable".')).toEqual({
      kind: 'denied',
      message: 'Denied by Policy Module 0x80094014, The EMail name is unavailable',
    });
    expect(readCertsrvPage('<B> Certificate Server Error </B> An unexpected error has occurred: The disposition message is "Error Parsing Request"')).toEqual({ kind: 'error', message: 'Error Parsing Request' });
    expect(readCertsrvPage('<html>Welcome</html>')).toEqual({ kind: 'unknown' });
  });
});
