/**
 * One kept-alive HTTPS connection for a sequence of requests: NTLM authenticates the TCP
 * connection, so its three messages and the requests after them must share one socket. It
 * remembers the certificate the server presented, for the TLS channel binding.
 */
import { Agent } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';

export class OneConnection extends Agent {
  /** The DER of the certificate the current connection's server presented. */
  peerCertificate?: Buffer;

  constructor(ca: readonly string[] | undefined) {
    // Verified like every issuer call (http.ts); one socket, kept between requests.
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ca: ca ? [...ca] : undefined, rejectUnauthorized: true });
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options, callback) as TLSSocket | null | undefined;
    socket?.once('secureConnect', () => {
      this.peerCertificate = socket.getPeerCertificate().raw;
    });
    return socket;
  }

  close(): void {
    this.destroy();
  }
}
