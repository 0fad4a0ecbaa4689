/**
 * An interactive admin CLI session over SSH (ssh2): one shell with a pty, read as a stream
 * of text that the CLI driver (CUCM) or the MMP driver (Meeting Server) waits on (prompt,
 * questions). `connectSshClient` is the pinned, authenticated connection under it, which the
 * SFTP driver uses too. Every wait is bounded and the connection is always closed.
 */
import type { Client, ClientChannel } from 'ssh2';
import { Credentials } from './credentials';
import { NodeError, NodeIdentityError, NodeUnreachableError } from './errors';
import { HostKeyPins, HostKeyVerdict, judgeHostKey, recordFirstContact } from './host-keys';
import { Endpoint } from './resolve';

export interface SshTarget {
  readonly endpoint: Endpoint;
  readonly credentials: Credentials;
  readonly pins: HostKeyPins;
  /** Accept (and record in `firstContactFile`) a key when the node has no pin at all. */
  readonly insecureFirstContact?: boolean;
  readonly firstContactFile?: string;
  /** Told the fingerprint of a key accepted on first contact, so the operator can check and pin it. */
  readonly onFirstContact?: (fqdn: string, fingerprint: string) => void;
  /** TCP connect + key exchange + authentication. @default 20000 */
  readonly connectTimeoutMs?: number;
}

/** Text the CLI printed up to and including what was waited for. */
export interface Expected {
  readonly text: string;
  readonly match: RegExpExecArray;
}

const MAX_BUFFER = 4 * 1024 * 1024;
// Terminal escapes a real node's pty may send (colours, cursor moves).
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g;

interface Waiter {
  readonly pattern: RegExp;
  readonly resolve: (e: Expected) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class SshSession {
  private buffer = '';
  private waiter?: Waiter;
  private closedReason?: string;

  private constructor(
    readonly fqdn: string,
    private readonly client: Client,
    private readonly channel: ClientChannel,
  ) {
    const onData = (chunk: Buffer): void => this.onData(chunk.toString('utf8'));
    channel.on('data', onData);
    channel.stderr.on('data', onData);
    channel.on('close', () => this.onClosed('the node closed the CLI session'));
    client.on('error', (e: Error) => this.onClosed(`connection error: ${e.message}`));
    client.on('close', () => this.onClosed('the SSH connection closed'));
  }

  /** Connect, check the host key against the pins, authenticate, open the shell. */
  static async open(target: SshTarget): Promise<SshSession> {
    const { endpoint } = target;
    const timeout = target.connectTimeoutMs ?? 20_000;
    const client = await connectSshClient(target);

    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end();
        reject(new NodeUnreachableError(endpoint.fqdn, `the node opened no interactive shell within ${timeout / 1000} s`));
      }, timeout);
      // A wide pty: the CLI must not wrap long certificate and service lines.
      client.shell({ term: 'vt100', cols: 1000, rows: 500 }, (err, stream) => {
        clearTimeout(timer);
        if (err) {
          client.end();
          reject(new NodeError(endpoint.fqdn, `the node refused an interactive shell: ${err.message}`));
        } else resolve(stream);
      });
    });
    return new SshSession(endpoint.fqdn, client, channel);
  }

  send(text: string): void {
    if (this.closedReason) throw new NodeError(this.fqdn, `cannot send to the CLI: ${this.closedReason}`);
    this.channel.write(text);
  }

  /**
   * Wait until the output holds `pattern`; returns the output up to the end of the match
   * and keeps the rest for the next wait.
   */
  expect(pattern: RegExp, timeoutMs: number, waitingFor: string): Promise<Expected> {
    if (this.waiter) return Promise.reject(new Error('SshSession.expect: a wait is already in progress'));
    const found = this.take(pattern);
    if (found) return Promise.resolve(found);
    if (this.closedReason) return Promise.reject(new NodeError(this.fqdn, `${this.closedReason} while waiting for ${waitingFor}`));
    return new Promise<Expected>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        // What the node prints next would be read as the answer to the next command: stop here.
        this.closedReason ??= `an earlier wait timed out (${waitingFor})`;
        this.client.end();
        reject(
          new NodeUnreachableError(
            this.fqdn,
            `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${waitingFor}; last output: ${JSON.stringify(this.tail())}`,
          ),
        );
      }, timeoutMs);
      this.waiter = { pattern, resolve, reject, timer };
    });
  }

  /** The last few lines received and not yet consumed, for error messages. */
  tail(lines = 3): string {
    return this.buffer.trim().split('\n').slice(-lines).join('\n').slice(-300);
  }

  close(): void {
    this.closedReason ??= 'the session was closed';
    this.channel.removeAllListeners('data');
    this.client.end();
  }

  private onData(text: string): void {
    this.buffer += text.replace(ANSI, '').replace(/\r/g, '');
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.slice(-MAX_BUFFER);
    const w = this.waiter;
    if (!w) return;
    const found = this.take(w.pattern);
    if (found) {
      clearTimeout(w.timer);
      this.waiter = undefined;
      w.resolve(found);
    }
  }

  private onClosed(reason: string): void {
    this.closedReason ??= reason;
    const w = this.waiter;
    if (w) {
      clearTimeout(w.timer);
      this.waiter = undefined;
      w.reject(new NodeError(this.fqdn, `${reason}; last output: ${JSON.stringify(this.tail())}`));
    }
  }

  private take(pattern: RegExp): Expected | undefined {
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    const match = re.exec(this.buffer);
    if (!match) return undefined;
    const end = match.index + match[0].length;
    const text = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    return { text, match };
  }
}

/**
 * An authenticated SSH connection (no shell yet): TCP, key exchange with the host key checked
 * against the pins (a first contact recorded when allowed), login with the credentials.
 * The caller opens a shell or the SFTP subsystem on it and ends it.
 */
export async function connectSshClient(target: SshTarget): Promise<Client> {
  // Loaded here so steps that never use SSH do not pay for ssh2 at start-up.
  const { Client: SshClient } = require('ssh2') as typeof import('ssh2');
  const { endpoint, credentials } = target;
  const where = `${endpoint.host}:${endpoint.port}`;
  const client = new SshClient();
  let verdict: HostKeyVerdict | undefined;
  let presentedKey: Buffer | undefined;
  const timeout = target.connectTimeoutMs ?? 20_000;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end();
      reject(new NodeUnreachableError(endpoint.fqdn, `no SSH session with ${where} within ${timeout / 1000} s: check the address, port and firewall`));
    }, timeout);
    const fail = (e: Error & { level?: string }): void => {
      clearTimeout(timer);
      client.end();
      if (verdict && !verdict.accepted) reject(new NodeIdentityError(endpoint.fqdn, verdict.reason));
      else if (e.level === 'client-authentication') {
        reject(new NodeError(endpoint.fqdn, `the SSH login was refused (credentials from ${credentials.source}): check the platform admin user and password`));
      } else reject(new NodeUnreachableError(endpoint.fqdn, `SSH to ${where} failed: ${e.message}`));
    };
    client.once('ready', () => {
      // `fail` stays attached: an 'error' without a listener would crash the process.
      clearTimeout(timer);
      resolve();
    });
    client.on('error', fail);
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // Some releases ask the password through keyboard-interactive instead of "password".
      finish(prompts.map(() => credentials.password));
    });
    client.connect({
      host: endpoint.host,
      port: endpoint.port,
      username: credentials.username,
      password: credentials.password,
      tryKeyboard: true,
      readyTimeout: timeout,
      hostVerifier: (key: Buffer): boolean => {
        presentedKey = key;
        verdict = judgeHostKey(target.pins, key, target.insecureFirstContact ?? false);
        return verdict.accepted;
      },
    });
    // Interactive traffic is many small packets: Nagle would hold each one for an ACK.
    client.setNoDelay(true);
  });

  if (verdict?.accepted && verdict.firstContact && presentedKey && target.firstContactFile) {
    recordFirstContact(target.firstContactFile, endpoint.fqdn, presentedKey);
    target.onFirstContact?.(endpoint.fqdn, verdict.fingerprint);
  }
  return client;
}
