/**
 * Connect to a node's service port (plain TLS, or XMPP then STARTTLS) with the node's FQDN
 * as server name and report the chain it presents, leaf first, as SHA-256 fingerprints.
 * The caller compares fingerprints with the plan, which is stricter than CA validation,
 * so the probe itself accepts any chain.
 */
import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { NodeError, NodeUnreachableError } from './errors';
import { sha256Fingerprint } from '../pki/fingerprint';
import { Endpoint } from './resolve';

export interface ProbeOptions {
  readonly endpoint: Endpoint;
  readonly handshake: 'tls' | 'xmpp-starttls';
  /** Offer only this key type's signature algorithms, so a node with RSA and ECDSA identities on one port presents the one asked for. */
  readonly keyType?: 'RSA' | 'EC';
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export interface PresentedCertificate {
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly der: Buffer;
}

export interface ProbeResult {
  /** Leaf first, then what the node sent (and possibly a root the local store added). */
  readonly chain: readonly PresentedCertificate[];
  /** The leaf names the FQDN (SAN or CN). */
  readonly leafMatchesFqdn: boolean;
}

const SIGALGS = {
  RSA: 'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512',
  EC: 'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512',
} as const;

const MAX_XMPP_BYTES = 64 * 1024;

export async function probeChain(opts: ProbeOptions): Promise<ProbeResult> {
  const tls = require('node:tls') as typeof import('node:tls');
  const { endpoint } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = `${endpoint.host}:${endpoint.port}`;
  const deadline = Date.now() + timeoutMs;

  let plain: Socket | undefined;
  if (opts.handshake === 'xmpp-starttls') plain = await xmppStartTls(endpoint, deadline);

  return new Promise<ProbeResult>((resolve, reject) => {
    const socket: TLSSocket = tls.connect({
      ...(plain ? { socket: plain } : { host: endpoint.host, port: endpoint.port }),
      servername: endpoint.fqdn,
      // Identity is judged by fingerprint against the plan, not by a CA.
      rejectUnauthorized: false,
      ...(opts.keyType ? { sigalgs: SIGALGS[opts.keyType] } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new NodeUnreachableError(endpoint.fqdn, `no TLS handshake on ${where} within ${timeoutMs / 1000} s`));
    }, Math.max(1, deadline - Date.now()));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = chainOf(socket.getPeerCertificate(true));
      const leaf = socket.getPeerX509Certificate();
      socket.destroy();
      if (chain.length === 0) reject(new NodeError(endpoint.fqdn, `${where} presented no certificate`));
      else resolve({ chain, leafMatchesFqdn: !!leaf?.checkHost(endpoint.fqdn) });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new NodeUnreachableError(endpoint.fqdn, `TLS to ${where} failed: ${e.code ?? e.message}`));
    });
  });
}

/** Walk `issuerCertificate` links, stopping at a self-issued certificate or a repeat. */
function chainOf(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): PresentedCertificate[] {
  const out: PresentedCertificate[] = [];
  const seen = new Set<string>();
  let cur: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  for (let i = 0; cur && cur.raw && i < 16; i++) {
    const sha256 = sha256Fingerprint(cur.raw);
    if (seen.has(sha256)) break;
    seen.add(sha256);
    out.push({ sha256, subject: dnLine(cur.subject), issuer: dnLine(cur.issuer), der: cur.raw });
    cur = cur.issuerCertificate as typeof cur;
  }
  return out;
}

function dnLine(dn: unknown): string {
  if (!dn || typeof dn !== 'object') return '';
  return Object.entries(dn as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** XMPP stream header, wait for the STARTTLS feature, ask for it, wait for `<proceed/>`. */
async function xmppStartTls(endpoint: Endpoint, deadline: number): Promise<Socket> {
  const net = require('node:net') as typeof import('node:net');
  const where = `${endpoint.host}:${endpoint.port}`;
  const socket = net.connect({ host: endpoint.host, port: endpoint.port });
  // Between two waits nobody listens; an 'error' then must not crash the process (the next wait sees the close).
  socket.on('error', () => undefined);
  let received = '';
  const waitFor = (pattern: RegExp, what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (e?: Error): void => {
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        if (e) {
          socket.destroy();
          reject(e);
        } else resolve();
      };
      const check = (): void => {
        if (pattern.test(received)) {
          received = '';
          done();
        } else if (/<(?:stream:)?(?:error|failure)[\s>/]/.test(received)) {
          done(new NodeError(endpoint.fqdn, `XMPP on ${where} refused STARTTLS: ${received.slice(0, 200)}`));
        } else if (received.length > MAX_XMPP_BYTES) done(new NodeError(endpoint.fqdn, `XMPP on ${where} sent ${MAX_XMPP_BYTES} bytes without ${what}`));
      };
      const onData = (c: Buffer): void => {
        received += c.toString('utf8');
        check();
      };
      const onError = (e: NodeJS.ErrnoException): void => done(new NodeUnreachableError(endpoint.fqdn, `XMPP to ${where} failed: ${e.code ?? e.message}`));
      const onClose = (): void => done(new NodeUnreachableError(endpoint.fqdn, `XMPP on ${where} closed the connection while waiting for ${what}`));
      const timer = setTimeout(
        () => done(new NodeUnreachableError(endpoint.fqdn, `XMPP on ${where}: no ${what} in time`)),
        Math.max(1, deadline - Date.now()),
      );
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      check();
    });

  socket.write(
    `<?xml version='1.0'?><stream:stream to='${endpoint.fqdn}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`,
  );
  await waitFor(/<starttls\b[^>]*urn:ietf:params:xml:ns:xmpp-tls/, 'STARTTLS in the stream features');
  socket.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
  await waitFor(/<proceed\b[^>]*urn:ietf:params:xml:ns:xmpp-tls/, "'<proceed/>'");
  return socket;
}
