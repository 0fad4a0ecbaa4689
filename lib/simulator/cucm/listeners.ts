/**
 * The sockets of one CUCM / IM&P node: every port drops the connection when the node is
 * unreachable or the port's service is not STARTED, then hands it to SSH, to TLS + HTTP
 * (8443), to plain TLS, or to XMPP STARTTLS then TLS.
 */
import { randomBytes } from 'node:crypto';
import { Server as HttpServer } from 'node:http';
import { Socket } from 'node:net';
import { Server as SshServer } from 'ssh2';
import { BoundPort, IDLE_MS, SocketRegistry, bindPorts, serveTls } from '../core/listeners';
import { presentedContext, presentedIdentities } from './presented';
import { TwinNodeSpec, TwinPort } from './topology';
import { TwinWorld } from './world';

const XMPP_MAX_PREAMBLE = 8 * 1024;

export interface NodeHandlers {
  readonly ssh: SshServer;
  readonly http: HttpServer;
}

export async function bindNodePorts(
  world: TwinWorld,
  spec: TwinNodeSpec,
  handlers: NodeHandlers,
  sockets: SocketRegistry,
  dynamic: boolean,
): Promise<BoundPort[]> {
  return bindPorts(spec, sockets, dynamic, (port, socket) => accept(world, spec, port, handlers, socket));
}

function accept(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, handlers: NodeHandlers, socket: Socket): void {
  if (world.faults(spec.fqdn).unreachable) return void socket.destroy();
  if (port.kind === 'ssh') return handlers.ssh.injectSocket(socket);
  if (!presentedIdentities(world, spec.fqdn, port)) return void socket.destroy();
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  if (port.kind === 'xmpp-starttls') return startTls(world, spec, port, socket);
  wrapTls(world, spec, port, socket, port.kind === 'https' ? handlers.http : undefined);
}

/** TLS with the identities the port presents now; the socket is dropped when the service stopped meanwhile. */
function wrapTls(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, socket: Socket, http?: HttpServer): void {
  const identities = presentedIdentities(world, spec.fqdn, port);
  if (!identities || identities.length === 0) return void socket.destroy();
  serveTls(socket, presentedContext(world, identities), http);
}

/** XMPP: the client's stream header, our header and features, `<starttls/>`, `<proceed/>`, then TLS. */
function startTls(world: TwinWorld, spec: TwinNodeSpec, port: TwinPort, socket: Socket): void {
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
      wrapTls(world, spec, port, socket);
    }
  };
  socket.on('data', onData);
}
