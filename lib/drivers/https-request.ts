/**
 * One HTTPS request to a node's 8443, verified against the declared CAs with the node's
 * FQDN as server name (also when the resolve map sends it to a loopback address).
 */
import type { IncomingMessage } from 'node:http';
import { Credentials } from './credentials';
import { NodeError, NodeIdentityError, NodeUnreachableError } from './errors';
import { Endpoint } from './resolve';

export interface HttpsTarget {
  readonly endpoint: Endpoint;
  readonly credentials: Credentials;
  /** Trusted CA certificates (PEM). Empty: the system's roots. */
  readonly ca: readonly string[];
  /** Whole request, connect to last byte. @default 30000 */
  readonly timeoutMs?: number;
}

export interface HttpsRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Overrides the target's timeout (a SOAP restart waits for the service). */
  readonly timeoutMs?: number;
}

export interface HttpsResponse {
  readonly status: number;
  readonly body: string;
}

const MAX_BODY = 8 * 1024 * 1024;
const IDENTITY_CODES = new Set([
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

export function httpsRequest(target: HttpsTarget, req: HttpsRequest): Promise<HttpsResponse> {
  // Loaded here: steps that only use SSH or TLS do not pay for the HTTP stack.
  const https = require('node:https') as typeof import('node:https');
  const { endpoint } = target;
  const timeoutMs = req.timeoutMs ?? target.timeoutMs ?? 30_000;
  const where = `https://${endpoint.host}:${endpoint.port}${req.path}`;
  return new Promise<HttpsResponse>((resolve, reject) => {
    let settled = false;
    const finish = (e: Error | undefined, r?: HttpsResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(r!);
    };
    const request = https.request(
      {
        host: endpoint.host,
        port: endpoint.port,
        method: req.method,
        path: req.path,
        servername: endpoint.fqdn,
        ca: target.ca.length > 0 ? [...target.ca] : undefined,
        rejectUnauthorized: true,
        agent: false,
        headers: {
          authorization: target.credentials.basicAuthorization(),
          ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            request.destroy();
            finish(new NodeError(endpoint.fqdn, `${req.method} ${req.path} answered more than ${MAX_BODY} bytes`));
          } else chunks.push(c);
        });
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish(new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where}: ${e.message}`)));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish(new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where} got no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    request.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code && IDENTITY_CODES.has(e.code)) {
        finish(
          new NodeIdentityError(
            endpoint.fqdn,
            e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
              ? `the HTTPS certificate at ${endpoint.host}:${endpoint.port} is not for ${endpoint.fqdn} (${e.code}: ${e.message}): the address may reach another server, or the node's tomcat certificate lacks this name; check the node's address and its certificate's SANs (adding a CA to httpsCaFile does not help)`
              : `the HTTPS certificate at ${endpoint.host}:${endpoint.port} is not trusted for ${endpoint.fqdn} (${e.code}: ${e.message}): add the CA that signed it to the cluster's httpsCaFile`,
          ),
        );
      } else finish(new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where} failed: ${e.code ?? e.message}`));
    });
    request.end(req.body);
  });
}
