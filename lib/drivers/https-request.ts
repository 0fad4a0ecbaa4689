/**
 * One HTTPS request to a node's 8443, verified against the declared CAs with the node's
 * FQDN as server name (also when the resolve map sends it to a loopback address).
 */
import { TLS_IDENTITY_CODES, boundedHttps } from './bounded-https';
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

export async function httpsRequest(target: HttpsTarget, req: HttpsRequest): Promise<HttpsResponse> {
  const { endpoint } = target;
  const timeoutMs = req.timeoutMs ?? target.timeoutMs ?? 30_000;
  const where = `https://${endpoint.host}:${endpoint.port}${req.path}`;
  const answer = await boundedHttps({
    options: {
      host: endpoint.host,
      port: endpoint.port,
      method: req.method,
      path: req.path,
      servername: endpoint.fqdn,
      ca: target.ca.length > 0 ? [...target.ca] : undefined,
      agent: false,
      headers: { authorization: target.credentials.basicAuthorization(), ...req.headers },
    },
    body: req.body !== undefined ? Buffer.from(req.body, 'utf8') : undefined,
    timeoutMs,
    maxBytes: MAX_BODY,
    errors: {
      tooLarge: () => new NodeError(endpoint.fqdn, `${req.method} ${req.path} answered more than ${MAX_BODY} bytes`),
      timedOut: () => new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where} got no answer within ${timeoutMs / 1000} s`),
      brokeOff: (e) => new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where}: ${e.message}`),
      failed: (e) =>
        e.code && TLS_IDENTITY_CODES.has(e.code)
          ? new NodeIdentityError(
              endpoint.fqdn,
              e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
                ? `the HTTPS certificate at ${endpoint.host}:${endpoint.port} is not for ${endpoint.fqdn} (${e.code}: ${e.message}): the address may reach another server, or the node's tomcat certificate lacks this name; check the node's address and its certificate's SANs (adding a CA to httpsCaFile does not help)`
                : `the HTTPS certificate at ${endpoint.host}:${endpoint.port} is not trusted for ${endpoint.fqdn} (${e.code}: ${e.message}): add the CA that signed it to the cluster's httpsCaFile`,
            )
          : new NodeUnreachableError(endpoint.fqdn, `${req.method} ${where} failed: ${e.code ?? e.message}`),
    },
  });
  return { status: answer.status, body: answer.body.toString('utf8') };
}
