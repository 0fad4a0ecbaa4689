/**
 * The sockets every platform's twin shares: one listener per port on the node's loopback
 * address, every socket registered so stop() can end them, and the server side of TLS that
 * hands a decrypted HTTPS connection to the node's HTTP server.
 */
import { Server as HttpServer } from 'node:http';
import { AddressInfo, Server as NetServer, Socket, createServer } from 'node:net';
import { SecureContext, TLSSocket } from 'node:tls';

/** A connection idle this long is dropped. */
export const IDLE_MS = 60_000;

export interface BoundPort {
  readonly port: { readonly name: string };
  readonly number: number;
  readonly server: NetServer;
}

/** Every socket of the twin, so stop() can end them at once. */
export class SocketRegistry {
  private readonly sockets = new Set<Socket>();

  add(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

/**
 * One listener per port on the node's address (an ephemeral port when dynamic), each socket
 * registered, without Nagle, destroyed on error, then handed to onSocket; on a failure the
 * listeners bound so far are closed.
 */
export async function bindPorts<P extends { readonly name: string; readonly standardPort: number }>(
  spec: { readonly fqdn: string; readonly address: string; readonly ports: readonly P[] },
  sockets: SocketRegistry,
  dynamic: boolean,
  onSocket: (port: P, socket: Socket) => void,
): Promise<BoundPort[]> {
  const bound: BoundPort[] = [];
  try {
    for (const port of spec.ports) {
      const server = createServer((socket) => {
        sockets.add(socket);
        // Interactive request/response traffic: Nagle's algorithm would add ~40 ms to every CLI round trip.
        socket.setNoDelay(true);
        socket.on('error', () => socket.destroy());
        onSocket(port, socket);
      });
      const number = await listen(server, spec.address, dynamic ? 0 : port.standardPort, `${spec.fqdn} ${port.name}`);
      bound.push({ port, number, server });
    }
  } catch (e) {
    for (const b of bound) b.server.close();
    throw e;
  }
  return bound;
}

export function listen(server: NetServer, address: string, port: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const hint =
        e.code === 'EACCES' ? 'a port below 1024 needs privileges' : e.code === 'EADDRINUSE' ? 'another process listens there (a twin still running?)' : e.code;
      reject(new Error(`Cannot listen for ${label} on ${address}:${port}: ${hint}`));
    });
    server.listen(port, address, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Server side of TLS on the socket; with `http` (an HTTPS port) the decrypted connection goes to it, else what the client sends is read and dropped. */
export function serveTls(socket: Socket, secureContext: SecureContext, http?: HttpServer): TLSSocket {
  const tls = new TLSSocket(socket, { isServer: true, secureContext });
  tls.on('error', () => socket.destroy());
  if (http) http.emit('connection', tls);
  else tls.on('data', () => undefined);
  return tls;
}
