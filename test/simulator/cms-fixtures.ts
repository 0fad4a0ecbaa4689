/**
 * Test helpers for the Meeting Server twin: a three-server CMS cluster (inventory defaults),
 * an MMP session over SSH with the host key checked against known_hosts, SFTP put / get, the
 * leaf a TLS port presents, and signing a server-made CSR with the test CA. Every wait is bounded.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { CmsClusterInput, buildCmsCluster } from '../../lib/inventory/cms-input';
import { CmsClusterDecl, Declarations } from '../../lib/model';
import { ReadyFile } from '../../lib/simulator';
import { X509, crypto as webcrypto, x509 } from '../../lib/pki/x509';
import { ShellSession, TestCa, WAIT_MS, knownHostKey, within } from './fixtures';

export const CMS1 = 'cms1.example.com';
export const CMS2 = 'cms2.example.com';
export const CMS3 = 'cms3.example.com';
export const CMS_USER = 'mmpadmin';
export const CMS_PASSWORD = 'mmp-secret-1';
export const CMS_ENV = { CMS_TWIN_USER: CMS_USER, CMS_TWIN_PASSWORD: CMS_PASSWORD };

/** cms1 primary (webadmin on 445, callbridge, webbridge, xmpp), cms2 replica, cms3 connect-only (callbridge). */
export function cmsCluster(over: Partial<CmsClusterInput> = {}): CmsClusterDecl {
  return buildCmsCluster(
    {
      name: 'meet',
      version: '2.9',
      clusterFqdn: 'cms.example.com',
      joinUrl: 'join.example.com',
      xmppDomains: ['example.com'],
      credentials: { usernameEnv: 'CMS_TWIN_USER', passwordEnv: 'CMS_TWIN_PASSWORD' },
      databaseCertificates: { caCommonName: 'example.com' },
      servers: [
        { fqdn: CMS1, services: ['webadmin', 'callbridge', 'webbridge', 'xmpp'], databaseRole: 'primary', ports: { 'webadmin-https': 445 } },
        { fqdn: CMS2, services: ['webadmin', 'callbridge', 'xmpp'], databaseRole: 'replica' },
        { fqdn: CMS3, services: ['callbridge'], databaseRole: 'connect-only' },
      ],
      ...over,
    },
    'test',
  );
}

export function cmsDeclarations(cluster: CmsClusterDecl = cmsCluster(), extra: Partial<Declarations> = {}): Declarations {
  return { clusters: [], certificateAuthorities: [], certificates: [], trustEntries: [], cmsClusters: [cluster], cmsCertificates: [], ...extra };
}

export async function sshConnect(ready: ReadyFile, fqdn: string, password = CMS_PASSWORD): Promise<Client> {
  const where = ready.nodes[fqdn];
  const pinned = knownHostKey(ready, fqdn);
  const client = new Client();
  return within(
    new Promise<Client>((resolve, reject) => {
      client.on('error', reject);
      client.on('ready', () => resolve(client));
      client.connect({
        host: where.address,
        port: where.ports.ssh,
        username: CMS_USER,
        password,
        readyTimeout: WAIT_MS,
        hostVerifier: (key: Buffer) => key.toString('base64') === pinned,
      });
    }),
    `ssh ${fqdn}`,
  );
}

/** An interactive MMP session: commands in, their output lines out (echo and prompt removed). */
export class MmpSession extends ShellSession {
  private constructor(
    client: Client,
    stream: ClientChannel,
    readonly prompt: string,
  ) {
    super(client, stream);
  }

  static async open(ready: ReadyFile, fqdn: string): Promise<MmpSession> {
    const client = await sshConnect(ready, fqdn);
    const stream = await within(
      new Promise<ClientChannel>((resolve, reject) => client.shell({ term: 'vt100', rows: 24, cols: 400 }, (err, s) => (err ? reject(err) : resolve(s)))),
      `shell ${fqdn}`,
    );
    const session = new MmpSession(client, stream, `${fqdn.split('.')[0]}> `);
    await session.waitFor(session.prompt);
    session.buffer = '';
    return session;
  }

  /** Runs a command; its output lines. */
  async run(command: string, ms = WAIT_MS): Promise<string[]> {
    this.buffer = '';
    this.stream.write(`${command}\n`);
    await this.waitFor(`\r\n${this.prompt}`, ms);
    return this.take();
  }

  /** The output as one text (what the plan's regular expressions read). */
  async text(command: string, ms = WAIT_MS): Promise<string> {
    return (await this.run(command, ms)).join('\n');
  }
}

/** Runs `work` with an SFTP session of the server, then closes the connection. */
export async function withSftp<T>(ready: ReadyFile, fqdn: string, work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const client = await sshConnect(ready, fqdn);
  try {
    const sftp = await within(new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s)))), `sftp ${fqdn}`);
    return await work(sftp);
  } finally {
    client.end();
  }
}

export function sftpPut(sftp: SFTPWrapper, name: string, data: string | Buffer): Promise<void> {
  return within(new Promise<void>((resolve, reject) => sftp.writeFile(name, data, (err) => (err ? reject(err) : resolve()))), `sftp put ${name}`);
}

export function sftpGet(sftp: SFTPWrapper, name: string): Promise<Buffer> {
  return within(new Promise<Buffer>((resolve, reject) => sftp.readFile(name, (err, data) => (err ? reject(err) : resolve(data)))), `sftp get ${name}`);
}

export function sftpList(sftp: SFTPWrapper): Promise<string[]> {
  return within(new Promise<string[]>((resolve, reject) => sftp.readdir('/', (err, list) => (err ? reject(err) : resolve(list.map((e) => e.filename))))), 'sftp ls');
}

/** Puts files on a server over SFTP in one session. */
export function upload(ready: ReadyFile, fqdn: string, files: Record<string, string | Buffer>): Promise<void> {
  return withSftp(ready, fqdn, async (sftp) => {
    for (const [name, data] of Object.entries(files)) await sftpPut(sftp, name, data);
  });
}

export function download(ready: ReadyFile, fqdn: string, name: string): Promise<Buffer> {
  return withSftp(ready, fqdn, (sftp) => sftpGet(sftp, name));
}

const shaOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

/** The chain a port presents, SHA-256 of each DER (leaf first), without verifying it; undefined when the port drops the connection. */
export async function presented(ready: ReadyFile, fqdn: string, portName: string): Promise<string[] | undefined> {
  const where = ready.nodes[fqdn];
  return within(
    new Promise<string[] | undefined>((resolve) => {
      const s = tlsConnect({ host: where.address, port: where.ports[portName], servername: fqdn, rejectUnauthorized: false }, () => {
        const chain: string[] = [];
        let cert = s.getPeerCertificate(true);
        while (cert?.raw && !chain.includes(shaOf(cert.raw))) {
          chain.push(shaOf(cert.raw));
          cert = cert.issuerCertificate;
        }
        s.destroy();
        resolve(chain);
      });
      s.on('error', () => resolve(undefined));
      s.on('close', () => resolve(undefined));
    }),
    `tls ${fqdn} ${portName}`,
  );
}

/** The test CA's intermediate signs a CSR (subject and SANs kept): what a person does with a server-made CSR. */
export async function signCsr(ca: TestCa, csrPem: string): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const { createPrivateKey } = await import('node:crypto');
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.intermediate.keyPem).export({ type: 'pkcs8', format: 'der' }),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const san = csr.extensions.find((e): e is X509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const cert = await x509.X509CertificateGenerator.create({
    subject: csr.subject,
    issuer: new x509.X509Certificate(ca.intermediate.pem).subject,
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 90 * 86400_000),
    extensions: [new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']), ...(san ? [san] : [])],
  });
  return cert.toString('pem');
}

export function sha256OfPem(pem: string): string {
  return shaOf(new X509Certificate(pem).raw);
}

/** Polls `check` until it is true (bounded). */
export async function eventually(check: () => Promise<boolean>, label: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out: ${label}`);
}
