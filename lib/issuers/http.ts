/**
 * One HTTPS request to a CA: verified against the declared caBundle (or the system's roots),
 * bounded in time and size, no proxy. Failures are IssuerErrors that name the URL without its
 * query, never a header (the credentials travel in headers).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Agent } from 'node:https';
import { TLS_IDENTITY_CODES, boundedHttps } from '../drivers/bounded-https';
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
  /** A kept-alive connection to reuse (NTLM authenticates the connection, not the request). @default - a connection of its own */
  readonly agent?: Agent;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const MAX_BYTES = 4 * 1024 * 1024;

/** The URL as a message shows it: scheme, host, port and path (a query may hold ids, never shown). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}

export async function httpsCall(issuer: string, call: HttpsCall): Promise<HttpsAnswer> {
  const where = `${call.method} ${shownUrl(call.url)}`;
  const maxBytes = call.maxBytes ?? MAX_BYTES;
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new IssuerError(issuer, 'config', `${where}: not a URL`);
  }
  if (url.protocol !== 'https:') throw new IssuerError(issuer, 'config', `${where}: only https is used (certificates and secrets travel over it)`);
  return boundedHttps({
    url,
    options: { method: call.method, ca: call.ca ? [...call.ca] : undefined, agent: call.agent ?? false, headers: { ...call.headers } },
    body: call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body, 'utf8'),
    timeoutMs: call.timeoutMs,
    maxBytes,
    errors: {
      tooLarge: () => new IssuerError(issuer, 'bad-response', `${where} answered more than ${maxBytes} bytes: not a CA's answer; check the URL`),
      timedOut: () => new IssuerError(issuer, 'unreachable', `${where} got no answer within ${call.timeoutMs / 1000} s: check the address and that the CA is up, then try again`),
      brokeOff: (e) => new IssuerError(issuer, 'unreachable', `${where}: the answer broke off (${e.message}): try again`),
      failed: (e) =>
        e.code && TLS_IDENTITY_CODES.has(e.code)
          ? new IssuerError(
              issuer,
              'untrusted',
              e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
                ? `${where}: the server's HTTPS certificate is not for ${url.hostname} (${e.code}): check the URL's host name`
                : `${where}: the server's HTTPS certificate is not trusted (${e.code}): put the CA that signed it in the issuer's caBundle`,
            )
          : new IssuerError(issuer, 'unreachable', `${where} failed (${e.code ?? e.message}): check the address and that the CA is up, then try again`),
    },
  });
}
