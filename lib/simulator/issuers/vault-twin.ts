/**
 * A twin of the HashiCorp Vault / OpenBao PKI sign endpoint on loopback HTTPS:
 * `POST /v1/<mount>/sign/<role>` with `X-Vault-Token`, JSON `{ csr, common_name, alt_names, ttl }`,
 * answering `{ data: { certificate, issuing_ca, ca_chain, serial_number, expiration } }` or
 * `{ errors: [...] }` with Vault's status codes. The role's allowed domains are enforced; the
 * lab CA signs.
 */
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { LabCa } from '../../pki/lab-ca';
import { TwinTls, closeServer, listenLoopback, loopbackTls, readBody } from './loopback-tls';
import { SigningFault, caChain, csrSummary, twinSign } from './twin-signing';

export interface VaultTwinOptions {
  readonly ca: LabCa;
  readonly token: string;
  /** @default 'pki' */
  readonly mount?: string;
  /** @default 'cucm' */
  readonly role?: string;
  /** The role's allowed_domains (subdomains allowed). @default - any name */
  readonly allowedDomains?: readonly string[];
  readonly fault?: SigningFault;
  /** @default - a loopback certificate from a new lab CA */
  readonly tls?: TwinTls;
  readonly port?: number;
}

export interface VaultSignRecord {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly namespace?: string;
}

export class VaultTwin {
  /** `https://127.0.0.1:<port>` */
  address = '';
  tlsCaPem = '';
  readonly signed: VaultSignRecord[] = [];
  fault?: SigningFault;
  sealed = false;
  private server?: Server;

  constructor(private readonly opts: VaultTwinOptions) {
    this.fault = opts.fault;
  }

  static async start(opts: VaultTwinOptions): Promise<VaultTwin> {
    const twin = new VaultTwin(opts);
    const tls = opts.tls ?? (await loopbackTls());
    twin.tlsCaPem = tls.caPem;
    twin.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      twin.handle(req, res).catch((e: Error) => answer(res, 500, { errors: [`1 error occurred:\n\t* ${e.message}\n\n`] }));
    });
    twin.address = `https://127.0.0.1:${await listenLoopback(twin.server, opts.port)}`;
    return twin;
  }

  close(): Promise<void> {
    return this.server ? closeServer(this.server) : Promise.resolve();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.sealed) return answer(res, 503, { errors: ['Vault is sealed'] });
    const path = new URL(req.url ?? '/', 'https://twin').pathname;
    const mount = this.opts.mount ?? 'pki';
    const m = /^\/v1\/(.+)\/sign\/([^/]+)$/.exec(path);
    if (req.headers['x-vault-token'] !== this.opts.token) return answer(res, 403, { errors: ['permission denied'] });
    if (req.method !== 'POST' || !m || m[1] !== mount) return answer(res, 404, { errors: [`no handler for route "${path.replace(/^\/v1\//, '')}". route entry not found.`] });
    if (m[2] !== (this.opts.role ?? 'cucm')) return answer(res, 400, { errors: [`unknown role: ${m[2]}`] });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)) ?? '') as Record<string, unknown>;
    } catch {
      return answer(res, 400, { errors: ['failed to parse JSON input: invalid character'] });
    }
    const ns = req.headers['x-vault-namespace'];
    this.signed.push({ path, body, ...(typeof ns === 'string' ? { namespace: ns } : {}) });
    if (typeof body.csr !== 'string') return answer(res, 400, { errors: ['"csr" is empty'] });
    let names: string[];
    try {
      names = csrSummary(body.csr).dnsNames;
    } catch {
      return answer(res, 400, { errors: ['certificate request could not be parsed: asn1: structure error'] });
    }
    const requested = [...names, ...(typeof body.alt_names === 'string' && body.alt_names ? body.alt_names.split(',') : [])];
    const allowed = this.opts.allowedDomains;
    const refused = allowed ? requested.find((n) => !allowed.some((d) => n === d || n.endsWith(`.${d}`))) : undefined;
    if (refused) return answer(res, 400, { errors: [`subject alternate name ${refused} not allowed by this role`] });
    const certificate = await twinSign(this.opts.ca, body.csr, this.fault);
    const chain = caChain(this.opts.ca);
    const leaf = new X509Certificate(certificate);
    answer(res, 200, {
      request_id: `twin-${this.signed.length}`,
      lease_id: '',
      renewable: false,
      data: {
        certificate: certificate.trim(),
        issuing_ca: chain[0].trim(),
        ca_chain: chain.map((c) => c.trim()),
        serial_number: leaf.serialNumber.match(/.{2}/g)!.join(':').toLowerCase(),
        expiration: Math.floor(new Date(leaf.validTo).getTime() / 1000),
      },
      warnings: body.ttl === '876000h' ? ['TTL of "876000h" is longer than the role maximum; capping to the role max'] : null,
    });
  }
}

function answer(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}
