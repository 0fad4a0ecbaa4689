/**
 * The sockets of one Meeting Server: SSH (MMP and SFTP) and one TLS port per service
 * (webadmin and webbridge HTTPS, callbridge SIP TLS, xmpp, turn where declared). A port accepts
 * while the server is reachable and its service serves: enabled, not restarting, not broken;
 * it presents what the service read at its last enable or restart.
 */
import { Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { Server as SshServer } from 'ssh2';
import { BoundPort, IDLE_MS, SocketRegistry, bindPorts, serveTls } from '../core/listeners';
import { CmsServerSpec } from './topology';
import { CmsWorld } from './world';

/** A minimal web page on the HTTPS ports: a client that goes past the handshake gets an answer. */
export function createCmsHttp(): HttpServer {
  return createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('Cisco Meeting Server (ucrollout digital twin)\n');
  });
}

export function bindCmsPorts(cw: CmsWorld, spec: CmsServerSpec, ssh: SshServer, http: HttpServer, sockets: SocketRegistry, dynamic: boolean): Promise<BoundPort[]> {
  return bindPorts(spec, sockets, dynamic, (port, socket) => {
    if (cw.faults(spec.fqdn).unreachable) return void socket.destroy();
    if (port.kind === 'ssh') return ssh.injectSocket(socket);
    const presented = cw.presenting(spec.fqdn, port.service!);
    if (!presented) return void socket.destroy();
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    serveTls(socket, cw.secureContext(presented), port.kind === 'https' ? http : undefined);
  });
}
