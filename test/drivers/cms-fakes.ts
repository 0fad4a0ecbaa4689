/**
 * Stand-ins for a Meeting Server in the executor's unit tests: an MMP that answers each
 * command with captured text (through the real MmpDriver, so prompt and echo handling are
 * exercised), SFTP folders in memory, and TLS ports that present a given leaf. A step runs on
 * a StepContext whose connections are these fakes; everything else is the real executor.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeError, NodeUnreachableError } from '../../lib/drivers/errors';
import { MmpDriver, MmpTransport } from '../../lib/drivers/mmp-driver';
import { RemoteFiles } from '../../lib/drivers/sftp-driver';
import { ProbeResult } from '../../lib/drivers/tls-probe';
import { StepContext } from '../../lib/executor/context';
import { StepOutcome } from '../../lib/executor/outcome';
import { LoadedPlan } from '../../lib/executor/plan-file';
import { executeStep } from '../../lib/executor/run-step';
import { CmsClusterPlan, CmsStep, PlanStep } from '../../lib/platforms';

/** Answers one MMP command: the text it prints (the fake adds echo and prompt). */
export type MmpScript = (command: string, server: FakeServer) => string;

/** One simulated server: its MMP answers, its SFTP folder, what its ports present. */
export class FakeServer {
  readonly files = new Map<string, Buffer>();
  readonly modes = new Map<string, number>();
  /** Every command received, in order. */
  readonly commands: string[] = [];
  /** Port number → SHA-256 of the leaf it presents (absent: the port does not answer). */
  readonly leaves = new Map<number, string>();
  /** Bytes read over SFTP, by name: a private key read must stay in memory. */
  readonly reads: string[] = [];

  constructor(
    readonly fqdn: string,
    public script: MmpScript = () => '',
  ) {}

  hostname(): string {
    return this.fqdn.split('.')[0];
  }
}

/** An MmpTransport in memory: each command gets its echo, the scripted output and the prompt. */
class FakeTransport implements MmpTransport {
  private buffer = '';

  constructor(private readonly server: FakeServer) {
    this.buffer = `Welcome to the MMP\n${server.hostname()}> `;
  }

  send(text: string): void {
    const command = text.replace(/\n$/, '');
    this.server.commands.push(command);
    const out = this.server.script(command, this.server);
    this.buffer += `${command}\r\n${out}${out && !out.endsWith('\n') ? '\n' : ''}${this.server.hostname()}> `;
  }

  async expect(pattern: RegExp, _timeoutMs: number, waitingFor: string): Promise<{ text: string; match: RegExpExecArray }> {
    const text = this.buffer.replace(/\r/g, '');
    const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(text);
    if (!match) throw new NodeUnreachableError(this.server.fqdn, `timed out waiting for ${waitingFor}`);
    const end = match.index + match[0].length;
    this.buffer = text.slice(end);
    return { text: text.slice(0, end), match };
  }

  close(): void {
    // nothing to close
  }
}

class FakeFiles implements RemoteFiles {
  constructor(private readonly server: FakeServer) {}

  get fqdn(): string {
    return this.server.fqdn;
  }

  async readIfExists(name: string): Promise<Buffer | undefined> {
    this.server.reads.push(name);
    const data = this.server.files.get(name);
    return data ? Buffer.from(data) : undefined;
  }

  async read(name: string): Promise<Buffer> {
    const data = await this.readIfExists(name);
    if (!data) throw new NodeError(this.server.fqdn, `there is no file ${name} on the server`);
    return data;
  }

  async write(name: string, data: Buffer, mode = 0o644): Promise<void> {
    this.server.files.set(name, Buffer.from(data));
    this.server.modes.set(name, mode);
  }

  close(): void {
    // nothing to close
  }
}

/** A StepContext whose MMP, SFTP and TLS connections reach FakeServers. */
class FakeContext extends StepContext {
  constructor(
    loaded: LoadedPlan,
    step: PlanStep,
    private readonly servers: ReadonlyMap<string, FakeServer>,
    readonly logged: string[],
  ) {
    super({ loaded, step, insecureFirstContact: false, env: {}, timeouts: {}, log: (l) => logged.push(l), now: fakeClock.now, sleep: fakeClock.sleep });
  }

  private server(fqdn: string): FakeServer {
    this.anyNode(fqdn);
    const s = this.servers.get(fqdn);
    if (!s) throw new NodeUnreachableError(fqdn, 'no such fake server');
    return s;
  }

  override async mmp(fqdn: string = this.step.node): Promise<MmpDriver> {
    const driver = new MmpDriver(new FakeTransport(this.server(fqdn)), fqdn);
    await driver.waitForPrompt();
    return driver;
  }

  override async sftp(fqdn: string = this.step.node): Promise<RemoteFiles> {
    return new FakeFiles(this.server(fqdn));
  }

  override async probe(fqdn: string, port: { name: string; port: number }): Promise<ProbeResult> {
    const leaf = this.server(fqdn).leaves.get(port.port);
    if (!leaf) throw new NodeUnreachableError(fqdn, `TLS to ${port.port} failed: ECONNREFUSED`);
    return { chain: [{ sha256: leaf, subject: `CN=${fqdn}`, issuer: 'CN=CA', der: Buffer.alloc(0) }], leafMatchesFqdn: true };
  }
}

/** A clock the waits advance (no real sleeping). */
export const fakeClock = {
  t: 1_000_000,
  now: (): number => fakeClock.t,
  sleep: async (ms: number): Promise<void> => {
    fakeClock.t += ms;
  },
};

export interface FakeBench {
  readonly dir: string;
  readonly loaded: LoadedPlan;
  readonly servers: Map<string, FakeServer>;
  readonly logged: string[];
  /** Runs a step (doneWhen, refuseWhen, the kind) as `ucrollout step run` would, without the journal. */
  run(stepOrId: string | CmsStep): Promise<StepOutcome>;
  /** A file beside plan.json. */
  writeLocal(ref: string, data: string | Buffer): void;
}

export function fakeBench(plan: CmsClusterPlan): FakeBench {
  const dir = mkdtempSync(join(tmpdir(), 'cms-fakes-'));
  const loaded: LoadedPlan = { path: join(dir, 'plan.json'), dir, plan };
  writeFileSync(loaded.path, JSON.stringify(plan));
  const servers = new Map(plan.cluster.nodes.map((n) => [n.fqdn, new FakeServer(n.fqdn)]));
  const logged: string[] = [];
  return {
    dir,
    loaded,
    servers,
    logged,
    run: (stepOrId) => {
      const step = typeof stepOrId === 'string' ? plan.steps.find((s) => s.id === stepOrId) : stepOrId;
      if (!step) throw new Error(`no step ${String(stepOrId)}`);
      const ctx = new FakeContext(loaded, step as PlanStep, servers, logged);
      return executeStep(ctx).finally(() => ctx.close());
    },
    writeLocal: (ref, data) => {
      const file = join(dir, ref);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, data);
    },
  };
}
