/**
 * One verified HTTPS exchange, bounded in time (connect to last byte) and in size, the one
 * both a node's REST/SOAP (https-request.ts) and a CA's enrollment API (lib/issuers/http.ts) go
 * through. Verification is never off; each caller words the failures for its reader.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';

/** The TLS errors that mean "this is not the server you declared", not "the server is down". */
export const TLS_IDENTITY_CODES: ReadonlySet<string> = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export interface BoundedExchange {
  /** Where and how: host/port/path or a URL, method, headers, ca, servername, agent. */
  readonly options: RequestOptions;
  readonly url?: URL;
  readonly body?: Buffer;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The caller's errors for: an answer over maxBytes, no answer in time, an answer that broke off, a failed request. */
  readonly errors: {
    tooLarge(): Error;
    timedOut(): Error;
    brokeOff(e: Error): Error;
    failed(e: NodeJS.ErrnoException): Error;
  };
}

export interface BoundedAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export function boundedHttps(x: BoundedExchange): Promise<BoundedAnswer> {
  // Loaded here: steps that only use SSH or TLS do not pay for the HTTP stack.
  const https = require('node:https') as typeof import('node:https');
  return new Promise<BoundedAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (e: Error | undefined, answer?: BoundedAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(answer!);
    };
    const options: RequestOptions = {
      ...x.options,
      rejectUnauthorized: true,
      headers: { ...(x.body ? { 'content-length': String(x.body.length) } : {}), ...x.options.headers },
    };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > x.maxBytes) {
          request.destroy();
          finish(x.errors.tooLarge());
        } else chunks.push(c);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => finish(x.errors.brokeOff(e)));
    };
    const request = x.url ? https.request(x.url, options, onResponse) : https.request(options, onResponse);
    const timer = setTimeout(() => {
      request.destroy();
      finish(x.errors.timedOut());
    }, x.timeoutMs);
    request.on('error', (e: NodeJS.ErrnoException) => finish(x.errors.failed(e)));
    request.end(x.body);
  });
}
