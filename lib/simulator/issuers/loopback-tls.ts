/**
 * The HTTPS identity of an issuer twin on loopback: a leaf for `localhost` and 127.0.0.1,
 * signed by a lab CA whose root the client declares as its caBundle.
 */
import { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { csrForKey } from '../../pki/csr';
import { generateKeyPem } from '../../pki/keys';
import { LabCa, createLabCa, signCsr } from '../../pki/lab-ca';

export interface TwinTls {
  /** The root to trust (PEM): the client's caBundle. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A server certificate for localhost / 127.0.0.1 from the CA (a new lab CA when none is given). */
export async function loopbackTls(ca?: LabCa): Promise<TwinTls> {
  const tlsCa = ca ?? (await createLabCa({ commonName: 'uc-cert-rollout Issuer Twin TLS' }));
  const keyPem = await generateKeyPem({ keyType: 'EC', curve: 'P-256' });
  const csr = await csrForKey({ subject: [['CN', 'localhost']], altNames: ['localhost', '127.0.0.1'], keyPem });
  const certPem = await signCsr(tlsCa, csr, { purpose: 'tomcat-ECDSA', days: 30 });
  return { caPem: tlsCa.root.certPem, certPem, keyPem };
}

/** Listens on 127.0.0.1 at a free port (or the one given); resolves with the port. */
export function listenLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and ends open connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A request body, bounded (a twin refuses what no CA would take). */
export function readBody(req: NodeJS.ReadableStream, max = 1024 * 1024): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
