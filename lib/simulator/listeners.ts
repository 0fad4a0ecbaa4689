/**
 * The sockets of one node: every port accepts on the node's loopback address, drops the
 * connection when the node is unreachable or the port's service is not STARTED, then hands
 * it to SSH, to TLS + HTTP (8443), to plain TLS, or to XMPP STARTTLS then TLS.
 */
import { randomBytes } from 'node:crypto';
import { Server as HttpServer } from 'node:http';
import { AddressInfo, Server as NetServer, Socket, createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Server as SshServer } from 'ssh2';
import { ContextCache, presentedIdentities } from './presented';
import { TwinNodeSpec, TwinPort } from './topology';
import { TwinWorld } from './world';

const IDLE_MS = 60_000;
const XMPP_MAX_PREAMBLE = 8 * 1024;

export interface NodeHandlers {
  readonly ssh: SshServer;
  readonly http: HttpServer;
}

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

export async function bindNodePorts(
  world: TwinWorld,
  spec: TwinNodeSpec,
  handlers: NodeHandlers,
  contexts: ContextCache,
  sockets: SocketRegistry,
  dynamic: boolean,
): Promise<BoundPort[]> {
  return bindPorts(spec, sockets, dynamic, (port, socket) => accept(world, spec, port, handlers, contexts, socket));
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

function accept(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, handlers: NodeHandlers, contexts: ContextCache, socket: Socket): void {
  if (world.faults(spec.fqdn).unreachable) return void socket.destroy();
  if (port.kind === 'ssh') return handlers.ssh.injectSocket(socket);
  if (!presentedIdentities(world, spec.fqdn, port)) return void socket.destroy();
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  if (port.kind === 'xmpp-starttls') return startTls(world, spec, port, contexts, socket);
  const tls = wrapTls(world, spec, port, contexts, socket);
  if (tls && port.kind === 'https') handlers.http.emit('connection', tls);
}

/** Server side of TLS with the identities the port presents now; undefined when the service stopped meanwhile. */
function wrapTls(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, contexts: ContextCache, socket: Socket): TLSSocket | undefined {
  const identities = presentedIdentities(world, spec.fqdn, port);
  if (!identities || identities.length === 0) {
    socket.destroy();
    return undefined;
  }
  const tls = new TLSSocket(socket, { isServer: true, secureContext: contexts.get(identities) });
  tls.on('error', () => socket.destroy());
  if (port.kind !== 'https') tls.on('data', () => undefined);
  return tls;
}

/** XMPP: the client's stream header, our header and features, `<starttls/>`, `<proceed/>`, then TLS. */
function startTls(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, contexts: ContextCache, socket: Socket): void {
  let text = '';
  let phase: 'header' | 'starttls' = 'header';
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    if (text.length > XMPP_MAX_PREAMBLE) return void socket.destroy();
    if (phase === 'header') {
      const open = /<stream:stream[^>]*>/.exec(text);
      if (!open) return;
      text = text.slice(open.index + open[0].length);
      phase = 'starttls';
      const ns = port.name === 'xmpp-server' ? 'jabber:server' : 'jabber:client';
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='${ns}' xmlns:stream='http://etherx.jabber.org/streams' id='${randomBytes(6).toString('hex')}' from='${spec.fqdn}' version='1.0'>` +
          `<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>`,
      );
    }
    if (phase === 'starttls') {
      if (/<\/stream:stream>/.test(text)) return void socket.end('</stream:stream>');
      if (!/<starttls[^>]*\/>|<starttls[^>]*>\s*<\/starttls>/.test(text)) return;
      socket.off('data', onData);
      socket.write(`<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
      wrapTls(world, spec, port, contexts, socket);
    }
  };
  socket.on('data', onData);
}
