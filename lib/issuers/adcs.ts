/**
 * The adcs issuer: Microsoft AD CS web enrollment (certsrv), Basic or NTLM authentication
 * (adcs-auth.ts) over verified HTTPS. The CSR goes to `certfnsh.asp` (`Mode=newreq`,
 * `CertAttrib=CertificateTemplate:<T>`); the page that comes back says issued (a
 * `certnew.cer?ReqID=N` link), pending (a request id a CA manager must approve) or denied (with
 * the disposition message). Issued: the leaf from
 * `certnew.cer?ReqID=N&Enc=b64`, the chain from `certnew.p7b?ReqID=N&Enc=b64`. Pending: the
 * request id is kept in the state folder under the sign request's id, and the next sign with
 * that id asks `certnew.cer` again instead of filing a new request.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readPkcs7 } from '../pki/pkcs7';
import { PemLabel, certificatePems, toPem } from '../pki/pem';
import { writeSecretFile } from '../pki/secret-file';
import { CertsrvAuthentication, certsrvAuthentication } from './adcs-auth';
import { CsrFacts, checkIssuedChain, readSignRequest } from './check';
import { IssuerError } from './errors';
import { HttpsAnswer, shownUrl } from './http';
import { Issuer, IssuerContext, ResolvedContext, SignRequest, SignResult, issuerStateDir, readCaBundle, resolveContext } from './issuer';
import { Secrets, quoteOutside } from './secrets';
import { AdcsIssuerDecl } from './types';
import { offeredSchemes } from './www-authenticate';

/** What a certsrv page says about a request. */
export type CertsrvPage =
  | { readonly kind: 'issued'; readonly requestId: string }
  | { readonly kind: 'pending'; readonly requestId?: string }
  | { readonly kind: 'denied'; readonly message?: string }
  | { readonly kind: 'error'; readonly message?: string }
  | { readonly kind: 'unknown' };

/** Reads the page certfnsh.asp (or certnew.cer for a request that is not issued) answered. */
export function readCertsrvPage(html: string): CertsrvPage {
  const issued = /certnew\.cer\?ReqID=(\d+)/i.exec(html);
  if (issued) return { kind: 'issued', requestId: issued[1] };
  const message = dispositionMessage(html);
  if (/Certificate Pending|Taken Under Submission|request is (still )?pending|must wait for an\s+administrator/i.test(html)) {
    const id = /Your Request Id is\s*(\d+)/i.exec(html) ?? /Request\s*Id[^0-9<]{0,20}(\d+)/i.exec(html) ?? /ReqID"?\s+Value="?(\d+)/i.exec(html);
    return id ? { kind: 'pending', requestId: id[1] } : { kind: 'pending' };
  }
  if (/Certificate Request Denied|request was denied|Denied by/i.test(html)) return { kind: 'denied', ...(message ? { message } : {}) };
  if (/Certificate Server Error|An unexpected error has occurred|error has occurred/i.test(html)) return { kind: 'error', ...(message ? { message } : {}) };
  return { kind: 'unknown' };
}

function dispositionMessage(html: string): string | undefined {
  const m = /The disposition message is\s*"([^"]*)"/i.exec(html) ?? /Disposition message:\s*(?:<[^>]*>\s*)*([^<\r\n]+)/i.exec(html) ?? /Error:\s*(?:<[^>]*>\s*)*([^<\r\n]+)/i.exec(html);
  return m ? textOf(m[1]) : undefined;
}

function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

interface PendingRecord {
  readonly id: string;
  readonly requestId: string;
  readonly csrSha256: string;
  readonly submitted: string;
}

export class AdcsIssuer implements Issuer {
  readonly kind = 'adcs' as const;
  readonly name: string;

  constructor(private readonly decl: AdcsIssuerDecl) {
    this.name = decl.name;
  }

  async sign(request: SignRequest, context: IssuerContext): Promise<SignResult> {
    const ctx = resolveContext(context);
    const csr = await readSignRequest(this.name, request);
    // The session may hold a connection open (NTLM): it is closed however the sign ends.
    const session = this.session(ctx);
    try {
      return await this.signWith(session, request, csr, ctx);
    } finally {
      session.close();
    }
  }

  private async signWith(session: CertsrvSession, request: SignRequest, csr: CsrFacts, ctx: ResolvedContext): Promise<SignResult> {
    const pendingFile = join(issuerStateDir(ctx, this.name), 'pending', `${createHash('sha256').update(request.id).digest('hex').slice(0, 32)}.json`);
    const remembered = this.readPending(pendingFile, request.id);
    let requestId = request.pendingRequestId;
    if (requestId !== undefined && !/^\d{1,10}$/.test(requestId)) throw new IssuerError(this.name, 'bad-request', `pendingRequestId must be the CA's request number, got ${JSON.stringify(requestId.slice(0, 20))}`);
    if (requestId === undefined && remembered) {
      if (remembered.csrSha256 === csr.sha256) requestId = remembered.requestId;
      else ctx.log(`issuer ${this.name}: request ${remembered.requestId} pending at the CA was for an older CSR: filing a new request (deny ${remembered.requestId} on the CA)`);
    }

    const page = requestId === undefined ? await session.submit(csr) : await session.poll(requestId);
    switch (page.kind) {
      case 'issued': {
        const chain = await session.fetchChain(page.requestId);
        rmSync(pendingFile, { force: true });
        ctx.log(`issuer ${this.name}: request ${page.requestId} issued for ${csr.dnsNames.join(', ')}`);
        return { status: 'issued', chainPem: checkIssuedChain(this.name, csr, chain, ctx.now(), ctx.log) };
      }
      case 'pending': {
        const id = page.requestId ?? requestId;
        if (!id) throw new IssuerError(this.name, 'bad-response', "the CA says the request is pending but names no request id: find it in the CA's Pending Requests and sign again with it");
        const record: PendingRecord = { id: request.id, requestId: id, csrSha256: csr.sha256, submitted: remembered?.requestId === id ? remembered.submitted : ctx.now().toISOString() };
        writeSecretFile(pendingFile, `${JSON.stringify(record)}\n`);
        const message = `request ${id} (template ${this.decl.template}, ${csr.dnsNames.join(', ')}) is pending at the CA: a CA manager must issue it (certsrv.msc → Pending Requests → ${id} → Issue), then run the step again`;
        ctx.log(`issuer ${this.name}: ${message}`);
        return { status: 'pending', requestId: id, message };
      }
      case 'denied':
        rmSync(pendingFile, { force: true });
        throw new IssuerError(
          this.name,
          'denied',
          `the CA denied ${requestId ? `request ${requestId}` : 'the request'} (template ${this.decl.template})${page.message ? `: ${quoteOutside(page.message, session.secrets, 500)}` : ''}: fix what the message says (template permissions, subject or names the template allows), then sign again`,
        );
      case 'error':
        throw new IssuerError(this.name, 'refused', `the CA could not take the request${page.message ? `: ${quoteOutside(page.message, session.secrets, 500)}` : ''}: check the template name '${this.decl.template}' and the account's enroll permission`);
      default:
        throw new IssuerError(this.name, 'bad-response', `the page ${requestId ? 'certnew.cer' : 'certfnsh.asp'} answered says neither issued, pending nor denied: is ${shownUrl(this.decl.url)} an AD CS web enrollment?`);
    }
  }

  private readPending(file: string, id: string): PendingRecord | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const r = JSON.parse(text) as PendingRecord;
      return r.id === id && /^\d+$/.test(r.requestId) ? r : undefined;
    } catch {
      return undefined;
    }
  }

  private session(ctx: ResolvedContext): CertsrvSession {
    const d = this.decl;
    const secrets = new Secrets(this.name);
    const user = secrets.fromEnv(ctx.env, d.credentials.usernameEnv, 'adcs.credentials.usernameEnv', 'the enrollment account (DOMAIN\\user or user@domain)');
    const password = secrets.fromEnv(ctx.env, d.credentials.passwordEnv, 'adcs.credentials.passwordEnv', "the enrollment account's password");
    const ca = readCaBundle(this.name, ctx, d.caBundle, 'adcs.caBundle');
    return new CertsrvSession(this.name, d, ctx, secrets, certsrvAuthentication(this.name, d, user, password, secrets, ca), ca);
  }
}

/** One sign's conversation with certsrv: its authentication (and connection), its trust, its cookies. */
class CertsrvSession {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;

  constructor(
    private readonly issuer: string,
    private readonly decl: AdcsIssuerDecl,
    private readonly ctx: ResolvedContext,
    readonly secrets: Secrets,
    private readonly auth: CertsrvAuthentication,
    private readonly ca: string[] | undefined,
  ) {
    this.base = decl.url.replace(/\/+$/, '');
  }

  close(): void {
    this.auth.close();
  }

  async submit(csr: CsrFacts): Promise<CertsrvPage> {
    const form = new URLSearchParams({
      Mode: 'newreq',
      CertRequest: csr.pem,
      CertAttrib: `CertificateTemplate:${this.decl.template}`,
      TargetStoreFlags: '0',
      SaveCert: 'yes',
    });
    this.ctx.log(`issuer ${this.issuer}: POST ${shownUrl(`${this.base}/certfnsh.asp`)} (template ${this.decl.template}) for ${csr.dnsNames.join(', ')}`);
    const answer = await this.call('POST', 'certfnsh.asp', form.toString());
    return readCertsrvPage(answer.body.toString('utf8'));
  }

  /** Asks for a request filed earlier: its certificate when issued, else what the page says. */
  async poll(requestId: string): Promise<CertsrvPage> {
    this.ctx.log(`issuer ${this.issuer}: asking the CA for request ${requestId}`);
    const answer = await this.call('GET', `certnew.cer?ReqID=${requestId}&Enc=b64`);
    if (this.isCertificate(answer)) return { kind: 'issued', requestId };
    const page = readCertsrvPage(answer.body.toString('utf8'));
    return page.kind === 'unknown' || page.kind === 'issued' ? page : page.kind === 'pending' ? { kind: 'pending', requestId } : page;
  }

  /** The leaf and the chain of an issued request (leaf first as the CA gives them; check.ts orders them). */
  async fetchChain(requestId: string): Promise<string[]> {
    const leaf = await this.call('GET', `certnew.cer?ReqID=${requestId}&Enc=b64`);
    const leafPems = certificatePems(leaf.body.toString('latin1'));
    if (!this.isCertificate(leaf) || leafPems.length === 0) {
      throw new IssuerError(this.issuer, 'bad-response', `certnew.cer for request ${requestId} did not answer a certificate: check the request on the CA`);
    }
    const p7b = await this.call('GET', `certnew.p7b?ReqID=${requestId}&Enc=b64`);
    let chain: Buffer[];
    try {
      chain = readPkcs7(pkcs7Der(p7b.body), `certnew.p7b for request ${requestId}`);
    } catch (e) {
      throw new IssuerError(this.issuer, 'bad-response', (e as Error).message);
    }
    return [...leafPems, ...chain.map((der) => toPem(der, PemLabel.CERTIFICATE))];
  }

  private isCertificate(answer: HttpsAnswer): boolean {
    const type = String(answer.headers['content-type'] ?? '');
    return /pkix-cert|x-x509|octet-stream/i.test(type) || /^\s*-----BEGIN CERTIFICATE-----/.test(answer.body.toString('latin1', 0, 64));
  }

  private async call(method: 'GET' | 'POST', path: string, form?: string): Promise<HttpsAnswer> {
    const url = `${this.base}/${path}`;
    const answer = await this.auth.send({
      url,
      method,
      headers: {
        ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
      body: form,
      ca: this.ca,
      timeoutMs: this.ctx.timeouts.requestMs,
    });
    for (const c of ([] as string[]).concat(answer.headers['set-cookie'] ?? [])) {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
      if (m) this.cookies.set(m[1], m[2]);
    }
    if (answer.status === 200) return answer;
    const where = `${method} ${shownUrl(url)}`;
    if (answer.status === 401) {
      const offered = offeredSchemes(answer.headers);
      const { usernameEnv, passwordEnv } = this.decl.credentials;
      throw new IssuerError(
        this.issuer,
        'refused',
        this.auth.accepts(answer) || offered.length === 0
          ? `${where}: the CA refused the account from ${usernameEnv} / ${passwordEnv} over ${this.auth.scheme} (401): check the user name (DOMAIN\\user), the domain and the password`
          : `${where}: the CA offers only ${offered.join(', ')} authentication (401): declare the issuer's authentication as ${this.auth.scheme === 'Basic' ? 'ntlm' : 'basic'}, or enable ${this.auth.scheme} on the certsrv site`,
      );
    }
    if (answer.status === 403) throw new IssuerError(this.issuer, 'refused', `${where}: the account from ${this.decl.credentials.usernameEnv} may not use web enrollment (403): grant it Enroll on template ${this.decl.template}`);
    if (answer.status === 404) throw new IssuerError(this.issuer, 'config', `${where}: no web enrollment there (404): the url is the certsrv folder, e.g. https://ca.corp.example/certsrv`);
    throw new IssuerError(this.issuer, answer.status >= 500 ? 'unreachable' : 'refused', `${where} answered ${answer.status}: ${quoteOutside(textOf(answer.body.toString('utf8')), this.secrets, 300) || 'no text'}`);
  }
}

/**
 * The DER of a certnew.p7b answer: DER as it is, or base64 between PEM lines. AD CS labels a
 * base64 PKCS#7 `BEGIN CERTIFICATE`, so the label is not trusted.
 */
function pkcs7Der(body: Buffer): Buffer {
  const block = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(body.toString('latin1'));
  return block ? Buffer.from(block[1].replace(/\s+/g, ''), 'base64') : body;
}
