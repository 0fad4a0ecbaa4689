/**
 * A node's command line over SSH: password authentication, an interactive shell on a pty
 * (banner, prompt, echo and CRLF line endings as a terminal gives them), one command at a
 * time with type-ahead queued. `exec` runs a single command without prompt or echo. The
 * program behind it is the CUCM admin CLI (`admin:`, cucm/commands.ts) or a Meeting Server's
 * MMP (cms/commands.ts); a server that offers SFTP gets the subsystem too.
 */
import { createHash, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { Connection, SFTPWrapper, Server, ServerChannel } from 'ssh2';
import { NodeFaults } from './faults';
import { sleep } from './world';

export interface Terminal {
  /** Writes the line and a CRLF. */
  print(line: string): void;
  /** Writes text as is (prompts without a newline). */
  write(text: string): void;
  /** The next line typed, or undefined when the session ended. */
  readLine(): Promise<string | undefined>;
  /** Ends the session (the node became unreachable). */
  close(): void;
}

/** What answers on the shell: the banner, the prompt and one command at a time. */
export interface ShellProgram {
  readonly banner: string;
  readonly prompt: string;
  /** Runs one line; false ends the session. */
  run(line: string, term: Terminal): Promise<boolean>;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * What every node's command line does with a line before its own commands: an unreachable
 * node ends the session, a slow one answers late, an exit word ends it. The line's words
 * (none for an empty line), or undefined when the session ends.
 */
export async function commandWords(faults: NodeFaults, signal: AbortSignal, line: string, term: Terminal, exitWords: readonly string[]): Promise<string[] | undefined> {
  if (faults.unreachable) {
    term.close();
    return undefined;
  }
  if (faults.slowMillis) await sleep(faults.slowMillis, signal);
  const words = line.trim().split(/\s+/).filter(Boolean);
  return words.length > 0 && exitWords.includes(words[0].toLowerCase()) ? undefined : words;
}

/** A new SSH host key; ssh2 reads SEC1 'EC PRIVATE KEY' PEM. */
export function sshHostKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    .privateKey;
}

/** An SSH server for one node; `sftp` serves the SFTP subsystem (refused when absent). */
export function createSshServer(hostKeyPem: string, credentials: Credentials, program: ShellProgram, sftp?: (session: SFTPWrapper, client: Connection) => void): Server {
  return new Server({ hostKeys: [hostKeyPem], ident: 'OpenSSH_7.4' }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && same(ctx.username, credentials.username) && same(ctx.password, credentials.password)) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('env', (accept) => accept?.());
        session.on('shell', (accept) => new CliSession(program, accept(), client, 'shell').start());
        session.on('exec', (accept, _reject, info) => new CliSession(program, accept(), client, 'exec').start(info.command));
        session.on('sftp', (accept, reject) => {
          if (sftp) sftp(accept(), client);
          else reject?.();
        });
      });
    });
  });
}

/** Constant-time comparison of a credential. */
function same(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

class CliSession implements Terminal {
  private partial = '';
  private afterCR = false;
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private closed = false;

  constructor(
    private readonly program: ShellProgram,
    private readonly stream: ServerChannel,
    private readonly client: Connection,
    private readonly mode: 'shell' | 'exec',
  ) {}

  start(command?: string): void {
    this.stream.on('data', (data: Buffer) => this.feed(data));
    this.stream.on('close', () => this.ended());
    this.stream.on('error', () => this.ended());
    if (this.mode === 'exec') {
      void this.runExec(command ?? '');
      return;
    }
    this.write(this.program.banner + this.program.prompt);
    void this.loop();
  }

  print(line: string): void {
    this.write(`${line}\r\n`);
  }

  write(text: string): void {
    if (!this.closed) this.stream.write(text);
  }

  readLine(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.ended();
    this.stream.exit(0);
    this.stream.end();
    this.client.end();
  }

  private async loop(): Promise<void> {
    for (;;) {
      const line = await this.readLine();
      if (line === undefined) return;
      let goOn = false;
      try {
        goOn = await this.program.run(line, this);
      } catch {
        goOn = false; // the twin is stopping
      }
      if (!goOn) return this.close();
      this.write(this.program.prompt);
    }
  }

  private async runExec(command: string): Promise<void> {
    try {
      await this.program.run(command, this);
    } catch {
      // the twin is stopping
    }
    if (this.closed) return;
    this.closed = true;
    this.stream.exit(0);
    this.stream.end();
  }

  /** Line discipline: CR, LF or CRLF end a line; backspace edits; a shell echoes what is typed. */
  private feed(data: Buffer): void {
    let echo = '';
    for (const ch of data.toString('utf8')) {
      if (ch === '\n' && this.afterCR) {
        this.afterCR = false;
        continue;
      }
      this.afterCR = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        echo += '\r\n';
        this.pushLine(this.partial);
        this.partial = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.partial.length > 0) echo += '\b \b';
        this.partial = this.partial.slice(0, -1);
      } else if (ch >= ' ' || ch === '\t') {
        this.partial += ch;
        echo += ch;
      }
    }
    if (this.mode === 'shell' && echo) this.write(echo);
  }

  private pushLine(line: string): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  private ended(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
  }
}
