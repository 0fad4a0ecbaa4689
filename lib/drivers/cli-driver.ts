/**
 * The CUCM / IM&P admin CLI, command by command (docs/node-interfaces.md "Admin CLI over
 * SSH"). Each method sends one command, answers its dialogue, waits for `admin:` again
 * (bounded) and parses the answer.
 */
import { SecurityMode } from '../model';
import { CertListEntry, parseCertList } from './cert-list-parser';
import {
  OwnImportResult,
  ServiceListing,
  ShownCertificate,
  cliFailure,
  parseActiveVersion,
  parseDeleteResult,
  parseOwnImport,
  parseRestart,
  parseServiceList,
  parseShownCertificate,
  parseSqlSingleValue,
  parseTrustImport,
  securityModeFromSql,
} from './cli-output';
import { NodeError } from './errors';
import { stripMmpEcho as stripEcho } from './mmp-output';
import { SshSession, SshTarget } from './ssh-session';

// `admin:` at the end of what was printed so far: the CLI is waiting for a command.
const PROMPT = /admin:[ \t]*$/;
const PASTE = /Paste the Certificate and Hit Enter/i;
const CONFIRM = /Are you sure\?[^\n]*\(yes\|no\)/i;
const OU_QUESTION = /Include OU in CSR \(yes\|no\)\?/i;

export interface CliTimeouts {
  /** A plain command. @default 30000 */
  readonly commandMs?: number;
  /** A certificate import (a multi-server one waits for every node). @default 180000 */
  readonly importMs?: number;
  /** `utils service restart`: minutes on a real node. @default 900000 */
  readonly restartMs?: number;
}

export class CliDriver {
  private readonly commandMs: number;
  private readonly importMs: number;
  private readonly restartMs: number;
  private turn: Promise<void> = Promise.resolve();

  private constructor(
    private readonly session: SshSession,
    readonly fqdn: string,
    timeouts: CliTimeouts,
  ) {
    this.commandMs = timeouts.commandMs ?? 30_000;
    this.importMs = timeouts.importMs ?? 180_000;
    this.restartMs = timeouts.restartMs ?? 900_000;
  }

  /** Open the session and wait for the first prompt after the banner. */
  static async connect(target: SshTarget, timeouts: CliTimeouts = {}): Promise<CliDriver> {
    const session = await SshSession.open(target);
    const driver = new CliDriver(session, target.endpoint.fqdn, timeouts);
    try {
      await session.expect(PROMPT, driver.commandMs, "the 'admin:' prompt after login");
    } catch (e) {
      session.close();
      throw e;
    }
    return driver;
  }

  close(): void {
    this.session.close();
  }

  /** Run a command and return what it printed before the next prompt (echo removed). */
  run(command: string, timeoutMs = this.commandMs): Promise<string> {
    return this.exclusive(() => runThroughPager(this.session, command, timeoutMs));
  }

  /** One dialogue at a time on the one shell: callers may share the driver. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async listCertificates(kind: 'own' | 'trust'): Promise<CertListEntry[]> {
    const out = await this.run(`show cert list ${kind}`);
    const failure = cliFailure(out);
    if (failure) throw new NodeError(this.fqdn, `'show cert list ${kind}' failed: ${failure}`);
    return parseCertList(out);
  }

  /** `show cert own <unit>` or `show cert trust <store>/<file>`; undefined when the node prints none. */
  async showCertificate(kind: 'own' | 'trust', name: string): Promise<ShownCertificate | undefined> {
    const out = await this.run(`show cert ${kind} ${name}`);
    return parseShownCertificate(out);
  }

  /** `set cert import trust <unit>`: paste one PEM. Throws with the node's ERROR line when refused. */
  async importTrust(unit: string, pem: string): Promise<string> {
    const command = `set cert import trust ${unit}`;
    const out = await this.paste(command, [pem]);
    const result = parseTrustImport(out);
    if (!result.ok) throw new NodeError(this.fqdn, `'${command}' was refused: ${result.message}`);
    return result.message;
  }

  /**
   * `set cert import own <unit>`: paste the leaf followed by its intermediates. Returns the
   * per-node distribution lines; the caller decides whether every node it needed is there.
   */
  async importOwn(unit: string, pems: readonly string[]): Promise<OwnImportResult> {
    const command = `set cert import own ${unit}`;
    const out = await this.paste(command, pems);
    const result = parseOwnImport(out);
    if (!result.ok) {
      const failed = result.distribution.filter((d) => !d.ok).map((d) => `${d.node}: ${d.reason ?? 'failed'}`);
      throw new NodeError(this.fqdn, `'${command}' was refused: ${result.message}${failed.length ? ` (${failed.join('; ')})` : ''}`);
    }
    return result;
  }

  /** `set cert delete trust|own <unit>/<file>`, answering `yes` to the confirmation. */
  async deleteCertificate(kind: 'own' | 'trust', file: string): Promise<string> {
    const command = `set cert delete ${kind} ${file}`;
    const out = await this.exclusive(async () => {
      this.session.send(`${command}\n`);
      const first = await this.session.expect(new RegExp(`${CONFIRM.source}|${PROMPT.source}`, 'i'), this.commandMs, `the confirmation of '${command}'`);
      if (!CONFIRM.test(first.text)) return first.text;
      this.session.send('yes\n');
      return first.text + (await this.session.expect(PROMPT, this.commandMs, `the end of '${command}'`)).text;
    });
    const result = parseDeleteResult(stripEcho(out.replace(PROMPT, ''), command));
    if (!result.ok) throw new NodeError(this.fqdn, `'${command}' failed: ${result.message}`);
    return result.message;
  }

  async serviceList(): Promise<ServiceListing> {
    const out = await this.run('utils service list');
    const failure = cliFailure(out);
    if (failure) throw new NodeError(this.fqdn, `'utils service list' failed: ${failure}`);
    return parseServiceList(out);
  }

  /**
   * `utils service restart <service>`, following [STOPPING]/[STARTING] until [STARTED].
   * The only way to restart Cisco Tomcat (SOAP runs inside it).
   */
  async restartService(service: string): Promise<void> {
    const command = `utils service restart ${service}`;
    let out: string;
    try {
      out = await this.run(command, this.restartMs);
    } catch (e) {
      // The session is mid-restart and no longer usable.
      this.close();
      const why = (e as Error).message.replace(`${this.fqdn}: `, '');
      throw new NodeError(this.fqdn, `${service} did not finish restarting (${why}): check 'utils service list' on the node, then run the step again`);
    }
    const result = parseRestart(out, service);
    if (!result.ok) throw new NodeError(this.fqdn, `restart of ${service} failed: ${result.message}`);
  }

  async securityMode(): Promise<SecurityMode> {
    const command = "run sql select paramvalue from processconfig where paramname='ClusterSecurityMode'";
    const out = await this.run(command);
    const value = parseSqlSingleValue(out);
    const mode = securityModeFromSql(value);
    if (!mode) throw new NodeError(this.fqdn, `cannot read ClusterSecurityMode: ${cliFailure(out) ?? `unexpected answer ${JSON.stringify(out.trim().slice(0, 200))}`}`);
    return mode;
  }

  /**
   * `set csr gen <unit>`: the node makes a key and a CSR for this server (CN and SAN its FQDN) and
   * keeps the key; a newer CSR replaces the older one (DOMAIN.md §5). 14SU1 and later first ask
   * "Include OU in CSR (yes|no)?": answered with `includeOu`. Throws with the node's words when refused.
   */
  async generateCsr(unit: string, includeOu = false): Promise<void> {
    const command = `set csr gen ${unit}`;
    const out = await this.exclusive(async () => {
      this.session.send(`${command}\n`);
      const first = await this.session.expect(new RegExp(`${OU_QUESTION.source}|${PROMPT.source}`, 'i'), this.importMs, `the answer to '${command}'`);
      if (!OU_QUESTION.test(first.text)) return first.text;
      this.session.send(`${includeOu ? 'yes' : 'no'}\n`);
      // Key generation takes a while on a real node (RSA 2048 and larger).
      return first.text + (await this.session.expect(PROMPT, this.importMs, `the end of '${command}'`)).text;
    });
    const text = stripEcho(out.replace(PROMPT, ''), command);
    if (!/Successfully Generated CSR/i.test(text)) throw new NodeError(this.fqdn, `'${command}' failed: ${cliFailure(text) ?? (text.trim().slice(0, 200) || 'no answer')}`);
  }

  /** `show csr own <unit>`: the node's current CSR (PEM), or undefined when it has none. */
  async showCsr(unit: string): Promise<string | undefined> {
    const out = await this.run(`show csr own ${unit}`);
    const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----[\s\S]*?-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(out);
    return m ? `${m[0].replace(/[ \t]+$/gm, '')}\n` : undefined;
  }

  async activeVersion(): Promise<string | undefined> {
    return parseActiveVersion(await this.run('show version active'));
  }

  /** The paste dialogue: command, wait for the paste prompt, PEM lines, one empty line, prompt. */
  private paste(command: string, pems: readonly string[]): Promise<string> {
    return this.exclusive(() => this.pasteDialogue(command, pems));
  }

  private async pasteDialogue(command: string, pems: readonly string[]): Promise<string> {
    this.session.send(`${command}\n`);
    const first = await this.session.expect(new RegExp(`${PASTE.source}|${PROMPT.source}`, 'i'), this.commandMs, `the paste prompt of '${command}'`);
    if (!PASTE.test(first.text)) {
      throw new NodeError(this.fqdn, `'${command}' did not ask for the certificate: ${cliFailure(first.text) ?? first.text.trim().slice(0, 200)}`);
    }
    const body = pems.map((p) => p.trim()).join('\n');
    this.session.send(`${body}\n\n`);
    const { text } = await this.session.expect(PROMPT, this.importMs, `the result of '${command}'`);
    // The pty echoes the pasted PEM: drop it, so only the node's own lines are parsed.
    return stripEcho(first.text + text.replace(PROMPT, ''), command).replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g, '');
  }
}

/** What the command loop needs of a session (a test can stand in for it). */
export interface CliTransport {
  send(text: string): void;
  expect(pattern: RegExp, timeoutMs: number, waitingFor: string): Promise<{ text: string; match: RegExpExecArray }>;
}

// Real nodes page long answers (a big trust store); the twin does not.
const PAGER = /options: q=quit, n=next, p=prev, b=begin, e=end \(lines \d+ - \d+ of \d+\) :[ \t]*$|Press <enter> for 1 line, <space> for one page, or <q> to quit[ \t]*$/;
const MAX_PAGES = 1000;

/** Send a command, page through its answer, return it without echo, pager lines or prompt. */
export async function runThroughPager(session: CliTransport, command: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  session.send(`${command}\n`);
  let out = '';
  for (let page = 0; page <= MAX_PAGES; page++) {
    const waitMs = Math.max(1, deadline - Date.now());
    const { text, match } = await session.expect(new RegExp(`${PROMPT.source}|${PAGER.source}`), waitMs, `the end of '${command}'`);
    out += text.slice(0, match.index);
    if (PROMPT.test(match[0])) return stripEcho(out, command);
    session.send(match[0].startsWith('options') ? 'n' : ' ');
  }
  throw new Error(`'${command}' paged more than ${MAX_PAGES} times`);
}
