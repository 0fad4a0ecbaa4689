/**
 * A twin of AD CS web enrollment (certsrv) on loopback HTTPS, written from its public page
 * shapes: `certfnsh.asp` takes `Mode=newreq`, `CertRequest`, `CertAttrib=CertificateTemplate:<T>`
 * and answers "Certificate Issued" (links `certnew.cer?ReqID=N&amp;Enc=b64`), "Certificate
 * Pending" ("Your Request Id is N.") or "Certificate Request Denied" ("The disposition message
 * is "…""); `certnew.cer?ReqID=N&Enc=b64|bin` gives the leaf, `certnew.p7b?ReqID=N&Enc=b64` the
 * chain as a PKCS#7 in base64 under a `BEGIN CERTIFICATE` label, as AD CS writes it. Basic
 * authentication, or IIS's Windows Authentication (`authSchemes: ['Negotiate', 'NTLM']`: NTLMv2
 * per connection, ntlm-acceptor.ts); requests wait for `approve(id)` in pending mode; the lab
 * CA signs.
 */
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ntlmAccount, tlsServerEndPointBinding } from '../../issuers/ntlm';
import { LabCa } from '../../pki/lab-ca';
import { certificatePems, pemBlocks, toPem } from '../../pki/pem';
import { writePkcs7 } from '../../pki/pkcs7';
import { TwinTls, closeServer, listenLoopback, loopbackTls, readBody } from './loopback-tls';
import { NtlmAcceptor } from './ntlm-acceptor';
import { SigningFault, caChain, csrSummary, twinSign } from './twin-signing';

/** What the CA does with a new request: issue it, hold it for a CA manager, or deny it. */
export type AdcsDisposition = 'issue' | 'pending' | 'deny';

export interface AdcsTwinOptions {
  /** Signs the leafs. */
  readonly ca: LabCa;
  readonly username: string;
  readonly password: string;
  /** @default ['CUCMWebServer'] */
  readonly templates?: readonly string[];
  /** @default 'issue' */
  readonly disposition?: AdcsDisposition;
  /** The policy module's words for a denial. @default 'Denied by Policy Module' */
  readonly denyMessage?: string;
  /**
   * The authentication schemes a 401 offers and the twin accepts: `Basic`, and `NTLM` or
   * `Negotiate` (raw NTLM tokens, as IIS takes them) for Windows Authentication, whose account is
   * `username` as `DOMAIN\user`. @default ['Basic']
   */
  readonly authSchemes?: readonly string[];
  /** NTLM: require the TLS channel binding (IIS Extended Protection "Required"). @default true */
  readonly extendedProtection?: boolean;
  readonly fault?: SigningFault;
  /** @default - a loopback certificate from a new lab CA */
  readonly tls?: TwinTls;
  /** @default - a free port */
  readonly port?: number;
}

export interface AdcsRequestRecord {
  readonly id: number;
  readonly template: string;
  readonly csrPem: string;
  status: 'issued' | 'pending' | 'denied';
  leafPem?: string;
  denyMessage?: string;
}

const SERVER_NAME = 'CA-TWIN';
const NTLM_SCHEMES = ['NTLM', 'Negotiate'];

export class AdcsTwin {
  /** The web enrollment URL: `https://127.0.0.1:<port>/certsrv`. */
  url = '';
  /** The root of the twin's HTTPS certificate: the issuer's caBundle. */
  tlsCaPem = '';
  readonly requests = new Map<number, AdcsRequestRecord>();
  /** certfnsh.asp submissions seen (a poll must not file a new request). */
  submissions = 0;
  disposition: AdcsDisposition;
  fault?: SigningFault;
  /** NTLM, when the schemes hold NTLM or Negotiate: its handshakes and the connections they authenticated. */
  ntlm?: NtlmAcceptor;
  private nextId = 17;
  private server?: Server;

  constructor(private readonly opts: AdcsTwinOptions) {
    this.disposition = opts.disposition ?? 'issue';
    this.fault = opts.fault;
  }

  static async start(opts: AdcsTwinOptions): Promise<AdcsTwin> {
    const twin = new AdcsTwin(opts);
    const tls = opts.tls ?? (await loopbackTls());
    twin.tlsCaPem = tls.caPem;
    if ((opts.authSchemes ?? []).some((s) => NTLM_SCHEMES.includes(s))) {
      const certDer = Buffer.from(tls.certPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
      twin.ntlm = new NtlmAcceptor(ntlmAccount(opts.username, opts.password), SERVER_NAME, opts.extendedProtection === false ? undefined : tlsServerEndPointBinding(certDer));
    }
    twin.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      twin.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`twin error: ${e.message}`);
      });
    });
    const port = await listenLoopback(twin.server, opts.port);
    twin.url = `https://127.0.0.1:${port}/certsrv`;
    return twin;
  }

  /** A CA manager issues a pending request. */
  async approve(id: number): Promise<void> {
    const r = this.requests.get(id);
    if (!r || r.status !== 'pending') throw new Error(`request ${id} is not pending`);
    r.leafPem = await twinSign(this.opts.ca, r.csrPem, this.fault);
    r.status = 'issued';
  }

  /** A CA manager denies a pending request. */
  deny(id: number, message = 'Denied by CORP\\pki-admin'): void {
    const r = this.requests.get(id);
    if (!r || r.status !== 'pending') throw new Error(`request ${id} is not pending`);
    r.status = 'denied';
    r.denyMessage = message;
  }

  close(): Promise<void> {
    return this.server ? closeServer(this.server) : Promise.resolve();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await this.authenticate(req, res))) return;
    const url = new URL(req.url ?? '/', 'https://twin');
    res.setHeader('set-cookie', 'ASPSESSIONIDTWIN=TWINSESSION; secure; path=/');
    if (req.method === 'POST' && url.pathname === '/certsrv/certfnsh.asp') return this.submit(req, res);
    if (req.method === 'GET' && url.pathname === '/certsrv/certnew.cer') return this.certificate(url, res);
    if (req.method === 'GET' && url.pathname === '/certsrv/certnew.p7b') return this.chain(url, res);
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>404 - File or directory not found.</body></html>');
  }

  /** True when the request may go on; otherwise the 401 (a challenge or a refusal) is answered. */
  private async authenticate(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const schemes = this.opts.authSchemes ?? ['Basic'];
    const [, scheme = '', token = ''] = /^(\S+)\s+(\S+)$/.exec(req.headers.authorization ?? '') ?? [];
    if (scheme === 'Basic' && schemes.includes('Basic') && Buffer.from(token, 'base64').toString('utf8') === `${this.opts.username}:${this.opts.password}`) return true;
    if (this.ntlm?.isAuthenticated(req.socket)) return true;
    const step = this.ntlm && schemes.includes(scheme) && NTLM_SCHEMES.includes(scheme) ? this.ntlm.step(req.socket, Buffer.from(token, 'base64')) : undefined;
    if (step?.kind === 'accepted') return true;
    // The body is read before a 401 so that the connection stays usable for the next message.
    await readBody(req);
    const offers = step?.kind === 'challenge' ? [`${scheme} ${step.message.toString('base64')}`] : schemes.map((s) => (s === 'Basic' ? 'Basic realm="certsrv"' : s));
    res.writeHead(401, { 'www-authenticate': offers, 'content-type': 'text/html' });
    res.end('<html><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>');
    return false;
  }

  private async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.submissions++;
    const form = new URLSearchParams((await readBody(req)) ?? '');
    const attrib = (form.get('CertAttrib') ?? '').split(/\r?\n/).map((l) => /^CertificateTemplate:(.*)$/.exec(l.trim())?.[1]).find((t) => t !== undefined);
    const csrPem = form.get('CertRequest') ?? '';
    if (form.get('Mode') !== 'newreq') return this.page(res, 'Certificate Server Error', '<P>An unexpected error has occurred: The disposition message is "Unknown Mode"</P>');
    try {
      if (pemBlocks(Buffer.from(csrPem), 'CSR').length === 0) throw new Error('no PEM');
      csrSummary(csrPem);
    } catch {
      return this.page(res, 'Certificate Server Error', '<P ID=locInfo>Your certificate request could not be processed. The disposition message is "Error Parsing Request  ASN1 bad tag value met. 0x8009310b (ASN: 267)".</P>');
    }
    const id = this.nextId++;
    const templates = this.opts.templates ?? ['CUCMWebServer'];
    if (!attrib || !templates.includes(attrib)) {
      this.requests.set(id, { id, template: attrib ?? '', csrPem, status: 'denied' });
      return this.denied(res, id, `Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported by the Active Directory Certificate Services policy: ${attrib ?? '(none)'}.`);
    }
    const record: AdcsRequestRecord = { id, template: attrib, csrPem, status: 'pending' };
    this.requests.set(id, record);
    if (this.disposition === 'deny') {
      record.status = 'denied';
      record.denyMessage = this.opts.denyMessage ?? 'Denied by Policy Module';
      return this.denied(res, id, record.denyMessage);
    }
    if (this.disposition === 'pending') {
      return this.page(
        res,
        'Certificate Pending',
        `<P ID=locInfoNewReq> Your certificate request has been received. However, you must wait for an\nadministrator to issue the certificate you requested. </P>\n<P ID=locReqID>Your Request Id is ${id}.</P>\n<P ID=locInstructions> Please return to this web site in a day or two to retrieve your certificate.</P>`,
      );
    }
    record.leafPem = await twinSign(this.opts.ca, csrPem, this.fault);
    record.status = 'issued';
    return this.page(
      res,
      'Certificate Issued',
      `<P ID=locInfo> The certificate you requested was issued to you.</P>\n<A Href="certnew.cer?ReqID=${id}&amp;Enc=bin">DER Encoded</A> or <A Href="certnew.cer?ReqID=${id}&amp;Enc=b64">Base 64 encoded</A><BR>\n<A Href="certnew.p7b?ReqID=${id}&amp;Enc=bin">DER Encoded</A> or <A Href="certnew.p7b?ReqID=${id}&amp;Enc=b64">Base 64 encoded</A>`,
    );
  }

  private certificate(url: URL, res: ServerResponse): void {
    const r = this.issuedOrPage(url, res);
    if (!r) return;
    const der = Buffer.from(r.leafPem!.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    const b64 = url.searchParams.get('Enc') === 'b64';
    res.writeHead(200, { 'content-type': 'application/pkix-cert', 'content-disposition': 'attachment; filename="certnew.cer"' });
    res.end(b64 ? toPem(der, 'CERTIFICATE').replace(/\n/g, '\r\n') : der);
  }

  private chain(url: URL, res: ServerResponse): void {
    const r = this.issuedOrPage(url, res);
    if (!r) return;
    // AD CS lists the chain in no particular order: root, leaf, then the issuing CA here.
    const [issuing, ...above] = caChain(this.opts.ca);
    const ders = [...above, r.leafPem!, ...(above.length > 0 ? [issuing] : [])].flatMap((p) => certificatePems(p)).map((p) => Buffer.from(p.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64'));
    const p7 = writePkcs7(ders);
    res.writeHead(200, { 'content-type': 'application/x-pkcs7-certificates', 'content-disposition': 'attachment; filename="certnew.p7b"' });
    res.end(url.searchParams.get('Enc') === 'b64' ? p7.replace(/PKCS7/g, 'CERTIFICATE').replace(/\n/g, '\r\n') : Buffer.from(p7.replace(/-----[A-Z0-9 ]+-----|\s+/g, ''), 'base64'));
  }

  /** The issued request the query names, or undefined after answering the page certsrv shows instead. */
  private issuedOrPage(url: URL, res: ServerResponse): AdcsRequestRecord | undefined {
    const id = Number(url.searchParams.get('ReqID'));
    const r = this.requests.get(id);
    if (!r) {
      this.page(res, 'Certificate Server Error', `<P>An unexpected error has occurred:<BR>\nDisposition message:\t\tError retrieving request ${url.searchParams.get('ReqID')}. Cannot find object or property. 0x80092004</P>`);
      return undefined;
    }
    if (r.status === 'pending') {
      this.page(res, 'Certificate Server Error', `<P>An unexpected error has occurred:<BR>\nDisposition message:\t\tTaken Under Submission</P>`);
      return undefined;
    }
    if (r.status === 'denied') {
      this.page(res, 'Certificate Server Error', `<P>An unexpected error has occurred:<BR>\nDisposition message:\t\t${r.denyMessage ?? 'Denied by Policy Module'}</P>`);
      return undefined;
    }
    return r;
  }

  private denied(res: ServerResponse, id: number, message: string): void {
    this.page(res, 'Certificate Request Denied', `<P ID=locDenied> Your certificate request was denied. </P>\n<P>Your Request Id is ${id}. The disposition message is "${message}".</P>\n<P ID=locContactAdmin>Contact your administrator for further information.</P>`);
  }

  private page(res: ServerResponse, title: string, body: string): void {
    res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
    res.end(
      `<HTML>\n<Head><Title>Microsoft Active Directory Certificate Services</Title></Head>\n<Body>\n<Font Face="Arial"><B><I>Microsoft</I></B> Active Directory Certificate Services &nbsp;--&nbsp; ${SERVER_NAME} &nbsp;</Font>\n<P ID=locPageTitle> <B> ${title} </B>\n${body}\n</Body>\n</HTML>\n`,
    );
  }
}
