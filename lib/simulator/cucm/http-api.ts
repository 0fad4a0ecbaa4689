/**
 * What a node's Tomcat answers on 8443 once TLS is done: HTTP Basic authentication, then the
 * certificate REST API, the Control Center SOAP service, or a small admin page for /ccmadmin.
 */
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { Service } from '../../catalog';
import { Credentials } from '../core/cli-shell';
import { sleep } from '../core/world';
import { REST_BASE, handleRest } from './rest';
import { SOAP_PATH, handleSoap } from './soap';
import { TwinWorld } from './world';

const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP server that never listens: the node's TLS listener hands it the decrypted sockets. */
export function createHttpApi(world: TwinWorld, fqdn: string, credentials: Credentials): Server {
  const server = createServer((req, res) => {
    serve(world, fqdn, credentials, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('The node is shutting down\n');
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function serve(world: TwinWorld, fqdn: string, credentials: Credentials, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const faults = world.faults(fqdn);
  if (faults.unreachable) {
    req.socket.destroy();
    return;
  }
  if (faults.slowMillis) await sleep(faults.slowMillis, world.stopping.signal);
  if (world.node(fqdn).services[Service.TOMCAT]?.status !== 'STARTED') return send(res, 503, 'text/plain', 'Cisco Tomcat is not running\n');
  if (!authorised(req, credentials)) {
    res.setHeader('WWW-Authenticate', 'Basic realm="Cisco Unified Communications"');
    return send(res, 401, 'application/json', JSON.stringify({ message: 'Unauthorized: give the platform administrator with HTTP Basic' }));
  }
  const url = new URL(req.url ?? '/', `https://${fqdn}:8443`);
  if (url.pathname.startsWith(REST_BASE)) {
    const reply = await handleRest(world, fqdn, req.method ?? 'GET', url, body);
    return send(res, reply.status, 'application/json', JSON.stringify(reply.body));
  }
  if (url.pathname === SOAP_PATH && req.method === 'POST') {
    const reply = await handleSoap(world, fqdn, String(req.headers.soapaction ?? ''), body);
    return send(res, reply.status, 'text/xml; charset=utf-8', reply.body);
  }
  if (url.pathname.startsWith('/ccmadmin') || url.pathname === '/') {
    return send(res, 200, 'text/html', `<html><body><h1>Cisco Unified CM Administration</h1><p>${fqdn} (ucrollout digital twin)</p></body></html>\n`);
  }
  return send(res, 404, 'application/json', JSON.stringify({ message: `No such resource: ${url.pathname}` }));
}

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function authorised(req: IncomingMessage, credentials: Credentials): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(0, colon) === credentials.username && decoded.slice(colon + 1) === credentials.password;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('request body too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
