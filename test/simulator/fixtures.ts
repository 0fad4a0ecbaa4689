/**
 * Test helpers for the twin: declarations of a small lab cluster, a test CA (EC keys, fast),
 * and clients over real sockets (ssh2, https, tls, XMPP STARTTLS). Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { Socket, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { Client, ClientChannel } from 'ssh2';
import { DEFAULT_ACTIVATED_SERVICES } from '../../lib/catalog';
import { ClusterDecl, Declarations, NodeDecl, NodeRole } from '../../lib/model';
import { ReadyFile } from '../../lib/simulator';
import { generateKeyPem } from '../../lib/pki/keys';
import { crypto as webcrypto, x509 } from '../../lib/pki/x509';

export const USER = 'twinadmin';
export const PASSWORD = 'twin-secret-1';
export const WAIT_MS = 15_000;

export const PUB = 'cs-ccm-pub.example.com';
export const SUB = 'cs-ccm-sub.example.com';
export const IMP = 'cs-imp-pub.example.com';

export function node(fqdn: string, role: NodeRole, extra: Partial<NodeDecl> = {}): NodeDecl {
  return { fqdn, role, services: [...DEFAULT_ACTIVATED_SERVICES[role]], api: 'cli', sshHostKeys: [], version: '15.0', ports: {}, ...extra };
}

/** CUCM publisher (15), CUCM subscriber (14 unless said), IM&P database publisher. */
export function labDeclarations(opts: { subVersion?: string; securityMode?: 'mixed' | 'non-secure'; impFederation?: boolean } = {}): Declarations {
  const impServices = [...DEFAULT_ACTIVATED_SERVICES['imp-database-publisher'], ...(opts.impFederation ? ['Cisco XCP XMPP Federation Connection Manager'] : [])];
  const cluster: ClusterDecl = {
    name: 'lab',
    nodes: [node(PUB, 'publisher'), node(SUB, 'subscriber', { version: opts.subVersion ?? '14.0' }), node(IMP, 'imp-database-publisher', { services: impServices })],
    securityMode: opts.securityMode ?? 'non-secure',
    sso: false,
    credentials: { usernameEnv: 'TWIN_TEST_USER', passwordEnv: 'TWIN_TEST_PASSWORD' },
    interclusterPeers: [],
    cleanupDelaySeconds: 0,
  };
  return { clusters: [cluster], certificateAuthorities: [], certificates: [], trustEntries: [] };
}

export const TEST_ENV = { TWIN_TEST_USER: USER, TWIN_TEST_PASSWORD: PASSWORD };

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `twin-${label}-`));
}

export interface IssuedCert {
  readonly pem: string;
  readonly keyPem: string;
  readonly sha256: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function keyPair(pem: string): Promise<CryptoKeyPair> {
  const { createPrivateKey, createPublicKey } = await import('node:crypto');
  const key = createPrivateKey(pem);
  const rsa = key.asymmetricKeyType === 'rsa';
  const alg = rsa ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : EC;
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(key).export({ type: 'spki', format: 'der' }), alg, true, ['verify']),
  } as unknown as CryptoKeyPair;
}

function shaOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** A root and one intermediate; leaves are signed by the intermediate, their keys written to keyDir. */
export class TestCa {
  private constructor(
    readonly root: IssuedCert,
    readonly intermediate: IssuedCert,
    readonly keyDir: string,
  ) {}

  static async create(name: string, keyDir: string): Promise<TestCa> {
    mkdirSync(keyDir, { recursive: true });
    const rootKey = await generateKeyPem({ keyType: 'EC' });
    const rootKeys = await keyPair(rootKey);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${name} Root CA, O=Test`,
      keys: rootKeys,
      signingAlgorithm: SIGN,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 365 * 86400_000),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    const interKey = await generateKeyPem({ keyType: 'EC' });
    const interKeys = await keyPair(interKey);
    const inter = await x509.X509CertificateGenerator.create({
      subject: `CN=${name} Issuing CA, O=Test`,
      issuer: root.subject,
      publicKey: interKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: SIGN,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 365 * 86400_000),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    const rootPem = root.toString('pem');
    const interPem = inter.toString('pem');
    return new TestCa({ pem: rootPem, keyPem: rootKey, sha256: shaOf(rootPem) }, { pem: interPem, keyPem: interKey, sha256: shaOf(interPem) }, keyDir);
  }

  /** A server leaf for the CN and DNS names; RSA when asked (the RSA purposes), else EC. */
  async issue(commonName: string, dnsNames: readonly string[], keyType: 'RSA' | 'EC' = 'EC'): Promise<IssuedCert> {
    const keyPem = await generateKeyPem({ keyType });
    const leafKeys = await keyPair(keyPem);
    const interKeys = await keyPair(this.intermediate.keyPem);
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${commonName}, O=Test`,
      issuer: new x509.X509Certificate(this.intermediate.pem).subject,
      publicKey: leafKeys.publicKey,
      signingKey: interKeys.privateKey,
      signingAlgorithm: SIGN,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 90 * 86400_000),
      extensions: [
        new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
      ],
    });
    const pem = cert.toString('pem');
    const sha256 = shaOf(pem);
    writeFileSync(join(this.keyDir, `${sha256.slice(0, 12)}.key`), keyPem, { mode: 0o600 });
    return { pem, keyPem, sha256 };
  }
}

const BIN = join(__dirname, '..', '..', 'bin', 'ucrollout');

/** Runs bin/ucrollout in a child process with the environment; its exit code and output. */
export function runUcrollout(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Rejects after ms with the label: every wait in these tests is bounded. */
export function within<T>(promise: Promise<T>, label: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${label}`)), ms))),
  ]);
}

/** The base64 host key known_hosts pins for the node. */
export function knownHostKey(ready: ReadyFile, fqdn: string): string {
  const line = readFileSync(ready.knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`${fqdn} `));
  if (!line) throw new Error(`no known_hosts line for ${fqdn}`);
  return line.split(' ')[2];
}

/**
 * An interactive shell over SSH: output buffered until a wanted text arrives, a command's lines
 * without its echo and the prompt. CliSession (CUCM admin CLI) and MmpSession (CMS MMP) build on it.
 */
export class ShellSession {
  protected buffer = '';
  private waiters: (() => void)[] = [];
  private closed = false;

  protected constructor(
    private readonly client: Client,
    protected readonly stream: ClientChannel,
  ) {
    stream.on('data', (d: Buffer) => {
      this.buffer += d.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
    stream.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Waits until the buffered output contains text. */
  async waitFor(text: string, ms = WAIT_MS): Promise<string> {
    await within(
      (async () => {
        while (!this.buffer.includes(text)) {
          if (this.closed) throw new Error(`session closed before '${text}'`);
          await new Promise<void>((r) => this.waiters.push(r));
        }
      })(),
      `output '${text}'`,
      ms,
    );
    return this.buffer;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.client.end();
  }

  /** The buffered output as lines without the echoed command and the prompt; empties the buffer. */
  protected take(): string[] {
    const lines = this.buffer.split('\r\n');
    lines.pop(); // the prompt
    lines.shift(); // the echoed command
    this.buffer = '';
    return lines;
  }
}

/** An interactive admin CLI session over SSH with the host key checked against known_hosts. */
export class CliSession extends ShellSession {
  static async open(ready: ReadyFile, fqdn: string, password = PASSWORD): Promise<CliSession> {
    const where = ready.nodes[fqdn];
    const pinned = knownHostKey(ready, fqdn);
    const client = new Client();
    const session = await within(
      new Promise<CliSession>((resolve, reject) => {
        client.on('error', reject);
        client.on('ready', () => {
          client.shell({ term: 'vt100', rows: 24, cols: 200 }, (err, stream) => (err ? reject(err) : resolve(new CliSession(client, stream))));
        });
        client.connect({
          host: where.address,
          port: where.ports.ssh,
          username: USER,
          password,
          readyTimeout: WAIT_MS,
          hostVerifier: (key: Buffer) => key.toString('base64') === pinned,
        });
      }),
      `ssh ${fqdn}`,
    );
    await session.waitFor('admin:');
    session.buffer = '';
    return session;
  }

  /** Runs a command, returns its output lines (echo and prompt removed). */
  async run(command: string, ms = WAIT_MS): Promise<string[]> {
    this.buffer = '';
    this.stream.write(`${command}\n`);
    await this.waitFor('\r\nadmin:', ms);
    return this.take();
  }

  /** A paste dialogue: the command, the PEM lines, one empty line. */
  async paste(command: string, pem: string): Promise<string[]> {
    this.buffer = '';
    this.stream.write(`${command}\n`);
    await this.waitFor('Paste the Certificate and Hit Enter');
    this.stream.write(pem.trimEnd() + '\n\n');
    await this.waitFor('\r\nadmin:');
    return this.take();
  }

  async confirm(command: string): Promise<string[]> {
    this.buffer = '';
    this.stream.write(`${command}\n`);
    await this.waitFor('Are you sure? (yes|no)');
    this.stream.write('yes\n');
    await this.waitFor('\r\nadmin:');
    return this.take();
  }

  /** Writes without waiting (a command that hangs). */
  send(text: string): void {
    this.buffer = '';
    this.stream.write(text);
  }

}

/** Lines without the echoed PEM of a paste dialogue. */
export function withoutPem(lines: readonly string[]): string[] {
  let inPem = false;
  return lines.filter((l) => {
    if (l.startsWith('-----BEGIN')) inPem = true;
    const keep = !inPem && l !== '';
    if (l.startsWith('-----END')) inPem = false;
    return keep;
  });
}

/** The chain a port presents (leaf first), as SHA-256 hex, after a verified TLS handshake. */
export async function presentedChain(ready: ReadyFile, fqdn: string, portName: string, ca: string, extra: { sigalgs?: string } = {}): Promise<string[]> {
  const where = ready.nodes[fqdn];
  const socket = await within(
    new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ host: where.address, port: where.ports[portName], servername: fqdn, ca, ...extra }, () => resolve(s));
      s.on('error', reject);
    }),
    `tls ${fqdn} ${portName}`,
  );
  return chainOf(socket);
}

function chainOf(socket: TLSSocket): string[] {
  const chain: string[] = [];
  let cert = socket.getPeerCertificate(true);
  // Node appends the root from the local CA bundle; the twin never sends a root, so stop at a self-issued one.
  while (cert && cert.raw && !chain.includes(createHash('sha256').update(cert.raw).digest('hex'))) {
    if (chain.length > 0 && new X509Certificate(cert.raw).checkIssued(new X509Certificate(cert.raw))) break;
    chain.push(createHash('sha256').update(cert.raw).digest('hex'));
    cert = cert.issuerCertificate;
  }
  socket.destroy();
  return chain;
}

/** XMPP STARTTLS as the contract describes, then a verified TLS handshake. */
export async function xmppChain(ready: ReadyFile, fqdn: string, portName: string, ca: string): Promise<string[]> {
  const where = ready.nodes[fqdn];
  const raw = await within(
    new Promise<Socket>((resolve, reject) => {
      const s = netConnect(where.ports[portName], where.address);
      let text = '';
      s.on('error', reject);
      s.on('connect', () =>
        s.write(`<?xml version='1.0'?><stream:stream to='${fqdn}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`),
      );
      const onData = (d: Buffer): void => {
        text += d.toString();
        if (text.includes('</stream:features>') && !text.includes('<starttls-sent/>')) {
          text += '<starttls-sent/>';
          s.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
        }
        if (text.includes('<proceed')) {
          s.off('data', onData);
          resolve(s);
        }
      };
      s.on('data', onData);
    }),
    `xmpp ${fqdn}`,
  );
  const socket = await within(
    new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: raw, servername: fqdn, ca }, () => resolve(s));
      s.on('error', reject);
    }),
    `xmpp tls ${fqdn}`,
  );
  return chainOf(socket);
}

/** True when the port drops or refuses the connection before any TLS completes. */
export async function portRefuses(ready: ReadyFile, fqdn: string, portName: string): Promise<boolean> {
  const where = ready.nodes[fqdn];
  return within(
    new Promise<boolean>((resolve) => {
      const s = tlsConnect({ host: where.address, port: where.ports[portName], servername: fqdn, rejectUnauthorized: false }, () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
      s.on('close', () => resolve(true));
    }),
    `refusal ${fqdn} ${portName}`,
  );
}

export interface HttpReply {
  readonly status: number;
  readonly body: string;
  readonly json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** HTTPS to a node's 8443, verified against https-ca.pem (or the given CA), Basic auth unless told not to. */
export function https(
  ready: ReadyFile,
  fqdn: string,
  method: string,
  path: string,
  opts: { body?: string; headers?: Record<string, string>; auth?: false | string; ca?: string } = {},
): Promise<HttpReply> {
  const where = ready.nodes[fqdn];
  const auth = opts.auth === false ? {} : { Authorization: `Basic ${Buffer.from(opts.auth ?? `${USER}:${PASSWORD}`).toString('base64')}` };
  return within(
    new Promise<HttpReply>((resolve, reject) => {
      const req = request(
        {
          host: where.address,
          port: where.ports.https,
          servername: fqdn,
          ca: opts.ca ?? readFileSync(ready.httpsCa, 'utf8'),
          method,
          path,
          agent: false,
          headers: { ...auth, ...(opts.body ? { 'Content-Type': 'application/json' } : {}), ...(opts.headers ?? {}) },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    }),
    `https ${method} ${fqdn}${path}`,
  );
}

export const REST = '/platformcom/api/v1/certmgr/config';
export const SOAP = '/controlcenterservice2/services/ControlCenterServices';

export function soapRestart(fqdn: string, services: readonly string[], type = 'Restart'): string {
  return (
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap"><soapenv:Body>` +
    `<soap:soapDoControlServices><soap:ControlServiceRequest><soap:NodeName>${fqdn}</soap:NodeName><soap:ControlType>${type}</soap:ControlType>` +
    `<soap:ServiceList>${services.map((s) => `<soap:item>${s}</soap:item>`).join('')}</soap:ServiceList></soap:ControlServiceRequest></soap:soapDoControlServices>` +
    `</soapenv:Body></soapenv:Envelope>`
  );
}

export function soapStatus(services: readonly string[]): string {
  return (
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap"><soapenv:Body>` +
    `<soap:soapGetServiceStatus><soap:ServiceStatus>${services.map((s) => `<soap:item>${s}</soap:item>`).join('')}</soap:ServiceStatus></soap:soapGetServiceStatus>` +
    `</soapenv:Body></soapenv:Envelope>`
  );
}

/** `<Tag>value</Tag>` values of a SOAP reply, in order. */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}

export function readCa(ready: ReadyFile): string {
  return readFileSync(ready.httpsCa, 'utf8');
}

/** PEM blocks one after the other, each ending with a newline. */
export function bundle(...pems: string[]): string {
  return pems.map((p) => p.trimEnd() + '\n').join('');
}

/** Subject CN of the leaf a port presents, without verification (to see which identity was chosen). */
export async function presentedCommonName(ready: ReadyFile, fqdn: string, portName: string, extra: { sigalgs?: string } = {}): Promise<string> {
  const where = ready.nodes[fqdn];
  return within(
    new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: where.address, port: where.ports[portName], servername: fqdn, rejectUnauthorized: false, ...extra }, () => {
        const cn = String(s.getPeerCertificate().subject.CN);
        s.destroy();
        resolve(cn);
      });
      s.on('error', reject);
    }),
    `tls ${fqdn} ${portName}`,
  );
}
