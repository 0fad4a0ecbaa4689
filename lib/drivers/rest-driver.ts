/**
 * The certificate REST API of release 14+ (docs/node-interfaces.md "Certificate REST API").
 * Every call acts on the node it is sent to.
 */
import { NodeError } from './errors';
import { HttpsTarget, HttpsResponse, httpsRequest } from './https-request';
import { normalizeFingerprint } from '../pki/fingerprint';

const BASE = '/platformcom/api/v1/certmgr/config';

export interface RestTrustEntry {
  readonly service: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly subject?: string;
}

export interface RestIdentity {
  readonly service: string;
  readonly pem: string;
  readonly sha256: string;
}

export interface RestDistribution {
  readonly node: string;
  readonly ok: boolean;
  readonly status: string;
}

export interface RestSnapshot {
  readonly identities: readonly { service: string; sha256: string; subject?: string }[];
  readonly trusts: readonly RestTrustEntry[];
}

/** The body of POST …/certmgr/config/csr (DOMAIN.md §6: the known shape, not a schema). */
export interface RestCsrRequest {
  readonly service: string;
  readonly distribution: 'this-server' | 'multi-server';
  readonly commonName: string;
  readonly keyType: 'rsa' | 'ec';
  readonly keyLength: number;
  readonly hashAlgorithm: string;
  readonly altNames: readonly string[];
}

export class CertRestClient {
  constructor(private readonly target: HttpsTarget) {}

  get fqdn(): string {
    return this.target.endpoint.fqdn;
  }

  /** POST /trust/certificates; `unit` is the store without `-trust` (`tomcat`). */
  async uploadTrust(unit: string, pems: readonly string[], description: string): Promise<RestTrustEntry[]> {
    const res = await this.call('POST', '/trust/certificates', { service: [unit], certificates: pems, description });
    return trustEntries(res.certificates);
  }

  /** POST /identity/certificates with the leaf, then intermediates, then the root. */
  async uploadIdentity(unit: string, pems: readonly string[]): Promise<RestDistribution[]> {
    const res = await this.call('POST', '/identity/certificates', { service: unit, certificates: pems });
    const list = Array.isArray(res.distribution) ? (res.distribution as Record<string, unknown>[]) : [];
    return list.map((d) => ({ node: String(d.node ?? '').toLowerCase(), status: String(d.status ?? ''), ok: /^success/i.test(String(d.status ?? '')) }));
  }

  /**
   * POST /csr: the node makes a key and a CSR and keeps the key; returns the CSR (PEM). A newer CSR
   * replaces the older one (DOMAIN.md §5).
   */
  async generateCsr(request: RestCsrRequest): Promise<string> {
    const res = await this.call('POST', '/csr', request);
    if (typeof res.csr !== 'string' || !/BEGIN (NEW )?CERTIFICATE REQUEST/.test(res.csr)) {
      throw new NodeError(this.fqdn, `POST ${BASE}/csr answered without a CSR (keys: ${Object.keys(res).join(', ') || 'none'}): check the node's certificate management`);
    }
    return res.csr;
  }

  async identity(unit: string): Promise<RestIdentity | undefined> {
    const res = await this.call('GET', `/identity/certificate?service=${encodeURIComponent(unit)}`, undefined, true);
    if (!res || typeof res.certificate !== 'string') return undefined;
    return { service: String(res.service ?? unit), pem: res.certificate, sha256: normalizeFingerprint(String(res.sha256 ?? '')) };
  }

  async trust(unit: string): Promise<RestTrustEntry[]> {
    const res = await this.call('GET', `/trust/certificate?service=${encodeURIComponent(unit)}`, undefined, true);
    return res ? trustEntries(res.certificates, String(res.service ?? `${unit}-trust`)) : [];
  }

  async snapshot(): Promise<RestSnapshot> {
    const res = await this.call('GET', '/snapshot/server');
    const ids = Array.isArray(res.identities) ? (res.identities as Record<string, unknown>[]) : [];
    return {
      identities: ids.map((i) => ({ service: String(i.service ?? ''), sha256: normalizeFingerprint(String(i.sha256 ?? '')), subject: i.subject as string | undefined })),
      trusts: trustEntries(res.trusts),
    };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>>;
  private async call(method: 'GET' | 'POST', path: string, body: unknown, notFoundIsEmpty: true): Promise<Record<string, unknown> | undefined>;
  private async call(method: 'GET' | 'POST', path: string, body?: unknown, notFoundIsEmpty = false): Promise<Record<string, unknown> | undefined> {
    const res = await httpsRequest(this.target, {
      method,
      path: `${BASE}${path}`,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (res.status === 404 && notFoundIsEmpty) return undefined;
    if (res.status === 401 || res.status === 403) {
      throw new NodeError(this.fqdn, `the REST API refused the credentials (HTTP ${res.status}, credentials from ${this.target.credentials.source}): check the platform admin user and password`);
    }
    if (res.status < 200 || res.status >= 300) {
      throw new NodeError(this.fqdn, `${method} ${BASE}${path.split('?')[0]} answered HTTP ${res.status}: ${messageOf(res)}`);
    }
    try {
      return JSON.parse(res.body || '{}') as Record<string, unknown>;
    } catch {
      throw new NodeError(this.fqdn, `${method} ${BASE}${path.split('?')[0]} answered HTTP ${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}`);
    }
  }
}

function trustEntries(value: unknown, service = ''): RestTrustEntry[] {
  if (!Array.isArray(value)) return [];
  return (value as Record<string, unknown>[]).map((c) => ({
    service: String(c.service ?? service),
    fileName: String(c.fileName ?? ''),
    sha256: normalizeFingerprint(String(c.sha256 ?? '')),
    subject: typeof c.subject === 'string' ? c.subject : undefined,
  }));
}

function messageOf(res: HttpsResponse): string {
  try {
    const doc = JSON.parse(res.body) as { message?: unknown };
    if (typeof doc.message === 'string') return doc.message;
  } catch {
    // Not JSON: show the start of the body.
  }
  return res.body.slice(0, 200) || '(empty body)';
}
