/**
 * One HTTPS request to a CA: verified against the declared caBundle (or the system's roots),
 * bounded in time and size, no proxy. Failures are IssuerErrors that name the URL without its
 * query, never a header (the credentials travel in headers).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { IssuerError } from './errors';

export interface HttpsCall {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Trusted CA certificates (PEM); undefined: the system's roots. */
  readonly ca?: readonly string[];
  readonly timeoutMs: number;
  /** @default 4 MiB */
  readonly maxBytes?: number;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const MAX_BYTES = 4 * 1024 * 1024;
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The URL as a message shows it: scheme, host, port and path (a query may hold ids, never shown). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}

export function httpsCall(issuer: string, call: HttpsCall): Promise<HttpsAnswer> {
  const https = require('node:https') as typeof import('node:https');
  const where = `${call.method} ${shownUrl(call.url)}`;
  const maxBytes = call.maxBytes ?? MAX_BYTES;
  return new Promise<HttpsAnswer>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(call.url);
    } catch {
      reject(new IssuerError(issuer, 'config', `${where}: not a URL`));
      return;
    }
    if (url.protocol !== 'https:') {
      reject(new IssuerError(issuer, 'config', `${where}: only https is used (certificates and secrets travel over it)`));
      return;
    }
    let settled = false;
    const finish = (e: Error | undefined, answer?: HttpsAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(answer!);
    };
    const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body, 'utf8');
    const request = https.request(
      url,
      {
        method: call.method,
        ca: call.ca ? [...call.ca] : undefined,
        rejectUnauthorized: true,
        agent: false,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...call.headers },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            request.destroy();
            finish(new IssuerError(issuer, 'bad-response', `${where} answered more than ${maxBytes} bytes: not a CA's answer; check the URL`));
          } else chunks.push(c);
        });
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => finish(new IssuerError(issuer, 'unreachable', `${where}: the answer broke off (${e.message}): try again`)));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish(new IssuerError(issuer, 'unreachable', `${where} got no answer within ${call.timeoutMs / 1000} s: check the address and that the CA is up, then try again`));
    }, call.timeoutMs);
    request.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code && UNTRUSTED.has(e.code)) {
        finish(
          new IssuerError(
            issuer,
            'untrusted',
            e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
              ? `${where}: the server's HTTPS certificate is not for ${url.hostname} (${e.code}): check the URL's host name`
              : `${where}: the server's HTTPS certificate is not trusted (${e.code}): put the CA that signed it in the issuer's caBundle`,
          ),
        );
      } else finish(new IssuerError(issuer, 'unreachable', `${where} failed (${e.code ?? e.message}): check the address and that the CA is up, then try again`));
    });
    request.end(body);
  });
}
