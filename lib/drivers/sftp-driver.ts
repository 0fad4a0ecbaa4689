/**
 * Files on a Meeting Server over SFTP (ssh2's client): the MMP user's folder, where `pki` and
 * the `<service> certs` commands find keys, certificates and bundles by name. Same host key
 * pinning and credentials as the MMP shell. Every call is bounded and the connection always ends.
 */
import type { Client, SFTPWrapper } from 'ssh2';
import { NodeError, NodeUnreachableError } from './errors';
import { SshTarget, connectSshClient } from './ssh-session';

/** A plain file name in the MMP user's folder: no folder, no leading dot. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function checkSftpName(name: string): string | undefined {
  return FILE_NAME.test(name) ? undefined : `'${name}' is not a plain file name (letters, digits, '.', '-', '_'; no folder): the MMP reads files from its own folder only`;
}

/** SSH_FX_NO_SUCH_FILE */
const NO_SUCH_FILE = 2;

/** What the executor needs of a server's files (SftpDriver; a test can stand in for it). */
export interface RemoteFiles {
  readonly fqdn: string;
  /** The file's bytes, or undefined when the server has no file of that name. */
  readIfExists(name: string): Promise<Buffer | undefined>;
  /** The file's bytes; a missing file is a NodeError saying "there is no file <name>". */
  read(name: string): Promise<Buffer>;
  write(name: string, data: Buffer, mode?: number): Promise<void>;
  close(): void;
}

export class SftpDriver implements RemoteFiles {
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    readonly fqdn: string,
    private readonly timeoutMs: number,
  ) {
    // After 'ready' an error or close must not crash the process: the next call reports it.
    client.on('error', () => undefined);
    client.on('close', () => (this.closed = true));
  }

  /** Connect (host key pinned, credentials checked) and open the SFTP subsystem. */
  static async connect(target: SshTarget, timeoutMs = 30_000): Promise<SftpDriver> {
    const client = await connectSshClient(target);
    const fqdn = target.endpoint.fqdn;
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end();
        reject(new NodeUnreachableError(fqdn, `the server opened no SFTP session within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      client.sftp((err, sftp) => {
        clearTimeout(timer);
        if (err) {
          client.end();
          reject(new NodeError(fqdn, `the server refused SFTP: ${err.message}`));
        } else resolve(sftp);
      });
    });
    return new SftpDriver(client, sftp, fqdn, timeoutMs);
  }

  /** The file's bytes, or undefined when the server has no file of that name. */
  async readIfExists(name: string): Promise<Buffer | undefined> {
    this.checkName(name);
    return this.bounded(`reading ${name}`, (done) =>
      this.sftp.readFile(name, (err: (Error & { code?: unknown }) | null | undefined, data: Buffer) => {
        if (err && err.code === NO_SUCH_FILE) done(undefined, undefined);
        else if (err) done(new NodeError(this.fqdn, `SFTP could not read ${name}: ${err.message}`));
        else done(undefined, data);
      }),
    );
  }

  /** The file's bytes; a missing file is an error naming it. */
  async read(name: string): Promise<Buffer> {
    const data = await this.readIfExists(name);
    if (!data) throw new NodeError(this.fqdn, `there is no file ${name} on the server`);
    return data;
  }

  /** Writes the file (replacing one of that name); `mode` e.g. 0o600 for a private key. */
  async write(name: string, data: Buffer, mode = 0o644): Promise<void> {
    this.checkName(name);
    return this.bounded(`writing ${name}`, (done) =>
      this.sftp.writeFile(name, data, { mode }, (err: Error | null | undefined) => {
        if (err) done(new NodeError(this.fqdn, `SFTP could not write ${name}: ${err.message}`));
        else done(undefined, undefined);
      }),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.sftp.end();
    } catch {
      // already gone
    }
    this.client.end();
  }

  private checkName(name: string): void {
    const problem = checkSftpName(name);
    if (problem) throw new NodeError(this.fqdn, problem);
  }

  private bounded<T>(what: string, work: (done: (err: Error | undefined, value?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new NodeUnreachableError(this.fqdn, `the SFTP connection is closed (${what})`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.close();
        reject(new NodeUnreachableError(this.fqdn, `SFTP timed out after ${this.timeoutMs / 1000} s ${what}`));
      }, this.timeoutMs);
      try {
        work((err, value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(value as T);
        });
      } catch (e) {
        settled = true;
        clearTimeout(timer);
        reject(new NodeError(this.fqdn, `SFTP ${what} failed: ${(e as Error).message}`));
      }
    });
  }
}
