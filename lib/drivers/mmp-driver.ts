/**
 * The Meeting Server MMP shell over SSH (docs/cms.md): one interactive session, one command at
 * a time at the MMP prompt, each wait bounded. Same host key pinning and credentials as the
 * CUCM CLI driver (SshSession).
 */
import { NodeError } from './errors';
import { MMP_PROMPT, isSlowMmpCommand, stripMmpEcho } from './mmp-output';
import { SshSession, SshTarget } from './ssh-session';

export interface MmpTimeouts {
  /** A plain command. @default 30000 */
  readonly commandMs?: number;
  /** A restart or a database cluster command: minutes on a real server. @default 900000 */
  readonly restartMs?: number;
}

/** What the command loop needs of a session (a test can stand in for it). */
export interface MmpTransport {
  send(text: string): void;
  expect(pattern: RegExp, timeoutMs: number, waitingFor: string): Promise<{ text: string; match: RegExpExecArray }>;
  close(): void;
}

export class MmpDriver {
  private readonly commandMs: number;
  private readonly restartMs: number;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: MmpTransport,
    readonly fqdn: string,
    timeouts: MmpTimeouts = {},
  ) {
    this.commandMs = timeouts.commandMs ?? 30_000;
    this.restartMs = timeouts.restartMs ?? 900_000;
  }

  /** Open the session and wait for the first MMP prompt after the banner. */
  static async connect(target: SshTarget, timeouts: MmpTimeouts = {}): Promise<MmpDriver> {
    const session = await SshSession.open(target);
    const driver = new MmpDriver(session, target.endpoint.fqdn, timeouts);
    try {
      await driver.waitForPrompt();
    } catch (e) {
      session.close();
      throw e;
    }
    return driver;
  }

  /** Waits for the prompt the MMP shows after login. */
  async waitForPrompt(): Promise<void> {
    await this.session.expect(MMP_PROMPT, this.commandMs, 'the MMP prompt after login');
  }

  /** The time a command may take: restarts and database cluster commands get the long one. */
  timeoutFor(command: string): number {
    return isSlowMmpCommand(command) ? this.restartMs : this.commandMs;
  }

  /** Run one command; returns what it printed before the next prompt, without the echo. */
  run(command: string, timeoutMs = this.timeoutFor(command)): Promise<string> {
    if (/[\r\n]/.test(command)) return Promise.reject(new NodeError(this.fqdn, `refusing an MMP command with a line break: ${JSON.stringify(command)}`));
    const work = async (): Promise<string> => {
      this.session.send(`${command}\n`);
      const { text, match } = await this.session.expect(MMP_PROMPT, timeoutMs, `the end of '${command}'`);
      return stripMmpEcho(text.slice(0, match.index), command);
    };
    const result = this.turn.then(work);
    this.turn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  close(): void {
    this.session.close();
  }
}
