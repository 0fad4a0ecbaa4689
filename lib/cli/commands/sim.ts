/**
 * `ucrollout sim start|stop|status|fault`: the digital twin of the declared clusters.
 * Loaded only for `sim`, and it loads the twin itself only for `start --foreground`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../errors';

const USAGE = `usage:
  ucrollout sim start --inventory FILE --state DIR [--ready-file F] [--port-mode dynamic|standard]
                      [--restart-ms N | --time-scale S] [--address-base 127.0.0.2] [--key-dir D]... [--foreground] [--wait-ms N]
  ucrollout sim stop --state DIR [--wait-ms N]
  ucrollout sim status --state DIR
  ucrollout sim fault --state DIR --node FQDN [--restart-fails SERVICE]... [--restart-hangs SERVICE]...
                      [--unreachable] [--refuse-upload] [--slow-ms N] | --clear

The twin's nodes accept the user and password in the environment variables each cluster's
credentials name (default UCROLLOUT_USERNAME / UCROLLOUT_PASSWORD), read at start. The
inventory's cmsClusters run as Meeting Servers (MMP and SFTP over SSH, TLS service ports);
--node takes a server's FQDN too, and --restart-fails / --restart-hangs an MMP service name
(callbridge for 'callbridge restart', webadmin … for '<service> enable').

A service restart takes --restart-ms (default 2000) on every node, or with --time-scale S
(a number > 0 and ≤ 1) the timing model's duration of that service on that node × S: with
0.01 Cisco Tomcat's 7 min take 4.2 s (the cluster's and node's \`timing\` declarations apply).

A node holds only the keys of the CSRs it generated (set csr gen, POST …/csr) and refuses any
other identity (public key mismatch). --key-dir D also searches D for the keys of certificates
signed elsewhere: a test convenience, NOT how a node behaves.`;

const VALUE_FLAGS = ['inventory', 'state', 'ready-file', 'port-mode', 'restart-ms', 'time-scale', 'address-base', 'key-dir', 'wait-ms', 'node', 'restart-fails', 'restart-hangs', 'slow-ms'];
const BOOLEAN_FLAGS = ['foreground', 'unreachable', 'refuse-upload', 'clear', 'help'];

type Flags = Map<string, string[]>;
type Daemon = typeof import('../../simulator/core/daemon');

/** Lazy `require`, like main.ts: `import()` would bypass the TypeScript loader when run from sources. */
function load<T>(path: string): T {
  return require(path) as T;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const flags = parseFlags(rest);
  if (!sub || sub === '--help' || sub === '-h' || flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'start':
      return start(flags);
    case 'stop':
      return stop(flags);
    case 'status':
      return status(flags);
    case 'fault':
      return fault(flags);
    default:
      throw new CliError(`unknown sim command '${sub}': use start, stop, status or fault\n${USAGE}`);
  }
}

function parseFlags(args: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    if (!args[i].startsWith('--') || ![...VALUE_FLAGS, ...BOOLEAN_FLAGS].includes(name)) throw new CliError(`unknown option '${args[i]}'\n${USAGE}`);
    if (BOOLEAN_FLAGS.includes(name)) {
      flags.set(name, ['true']);
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new CliError(`option --${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

function one(flags: Flags, name: string, required: true): string;
function one(flags: Flags, name: string, required?: false): string | undefined;
function one(flags: Flags, name: string, required = false): string | undefined {
  const values = flags.get(name);
  if (!values && required) throw new CliError(`option --${name} is required\n${USAGE}`);
  return values?.[values.length - 1];
}

function wholeNumber(flags: Flags, name: string, fallback: number): number {
  const value = one(flags, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number ≥ 0, got '${value}'`);
  return n;
}

/** --time-scale: a number > 0 and ≤ 1, never with --restart-ms; undefined when not given. */
function timeScaleFlag(flags: Flags): number | undefined {
  const value = one(flags, 'time-scale');
  if (value === undefined) return undefined;
  if (flags.has('restart-ms')) throw new CliError('--time-scale and --restart-ms exclude each other: the scale sets every restart from the timing model');
  const { timeScaleProblem } = load<typeof import('../../simulator/core/timing')>('../../simulator/core/timing');
  const problem = timeScaleProblem(value);
  if (problem) throw new CliError(`--time-scale ${problem}`);
  return Number(value);
}

async function start(flags: Flags): Promise<number> {
  const inventory = resolve(one(flags, 'inventory', true));
  const stateDir = resolve(one(flags, 'state', true));
  const readyFile = one(flags, 'ready-file');
  const portMode = one(flags, 'port-mode') ?? 'standard';
  if (portMode !== 'standard' && portMode !== 'dynamic') throw new CliError(`--port-mode must be standard or dynamic, got '${portMode}'`);
  const timeScale = timeScaleFlag(flags);
  if (!existsSync(inventory)) throw new CliError(`inventory '${inventory}' does not exist`);
  mkdirSync(stateDir, { recursive: true });
  const daemon = load<Daemon>('../../simulator/core/daemon');
  const running = daemon.runningTwinPid(stateDir);
  if (running && running !== process.pid) throw new CliError(`a twin already runs for ${stateDir} (pid ${running}): ucrollout sim stop --state ${stateDir}`);

  if (!flags.has('foreground')) {
    const optional = (name: string): string[] => (flags.has(name) ? [`--${name}`, one(flags, name)!] : []);
    const passed = [
      ...['--inventory', inventory, '--state', stateDir, '--port-mode', portMode],
      ...(readyFile ? ['--ready-file', resolve(readyFile)] : []),
      ...optional('restart-ms'),
      ...optional('time-scale'),
      ...optional('address-base'),
      ...(flags.get('key-dir') ?? []).flatMap((d) => ['--key-dir', resolve(d)]),
    ];
    const ready = await daemon.startDetached(stateDir, passed, readyFile ? resolve(readyFile) : undefined, wholeNumber(flags, 'wait-ms', 60_000)).catch((e: Error) => {
      throw new CliError(e.message, 1);
    });
    printReady(ready);
    process.stdout.write(`twin running as pid ${ready.pid}; stop it with: ucrollout sim stop --state ${stateDir}\n`);
    return 0;
  }

  const { loadInventory } = load<typeof import('../../inventory')>('../../inventory');
  const { startTwin } = load<typeof import('../../simulator')>('../../simulator');
  const { declarations, baseDir } = loadInventory(inventory);
  const extraKeyDirs = flags.get('key-dir') ?? [];
  const twin = await startTwin({
    declarations,
    stateDir,
    readyFile,
    portMode,
    restartMillis: wholeNumber(flags, 'restart-ms', 2000),
    timeScale,
    addressBase: one(flags, 'address-base'),
    // Only folders given with --key-dir (tests): a node holds the keys of its own CSRs only.
    keyDirs: extraKeyDirs,
    baseDir,
    log: (line) => process.stdout.write(`twin: ${line}\n`),
  });
  daemon.writePidFile(stateDir);
  printReady(twin.ready);
  process.stdout.write(`twin ready (pid ${process.pid}); stop it with Ctrl-C or: ucrollout sim stop --state ${stateDir}\n`);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await twin.stop();
  daemon.removePidFile(stateDir);
  return 0;
}

function printReady(ready: import('../../simulator').ReadyFile): void {
  for (const [fqdn, node] of Object.entries(ready.nodes)) {
    const ports = Object.entries(node.ports).map(([name, port]) => `${name} ${port}`).join(', ');
    process.stdout.write(`${fqdn} at ${node.address}: ${ports}\n`);
  }
  process.stdout.write(`ready file: ${ready.stateDir}/ready.json; known_hosts: ${ready.knownHosts}; HTTPS CA: ${ready.httpsCa}\n`);
}

async function stop(flags: Flags): Promise<number> {
  const stateDir = resolve(one(flags, 'state', true));
  const daemon = load<Daemon>('../../simulator/core/daemon');
  const pid = daemon.runningTwinPid(stateDir);
  if (!pid) {
    process.stdout.write(`no twin runs for ${stateDir}\n`);
    return 0;
  }
  const how = await daemon.stopTwinProcess(stateDir, pid, wholeNumber(flags, 'wait-ms', 15_000));
  process.stdout.write(how === 'stopped' ? `twin stopped (pid ${pid})\n` : `twin did not stop in time: killed (pid ${pid})\n`);
  return 0;
}

async function status(flags: Flags): Promise<number> {
  const stateDir = resolve(one(flags, 'state', true));
  const { describeTwin } = load<typeof import('../../simulator/core/status')>('../../simulator/core/status');
  const daemon = load<Daemon>('../../simulator/core/daemon');
  const pid = daemon.runningTwinPid(stateDir);
  process.stdout.write(`${pid ? `twin running (pid ${pid})` : 'twin not running'}; state in ${stateDir}\n`);
  process.stdout.write(describeTwin(stateDir).join('\n') + '\n');
  return 0;
}

async function fault(flags: Flags): Promise<number> {
  const stateDir = resolve(one(flags, 'state', true));
  const node = one(flags, 'node', true).toLowerCase();
  const { readNodeFaults, writeNodeFaults } = load<typeof import('../../simulator/core/faults')>('../../simulator/core/faults');
  const { StateStore } = load<typeof import('../../simulator/core/state')>('../../simulator/core/state');
  const state = existsSync(stateDir) ? new StateStore(stateDir).load() : undefined;
  if (state && !state.nodes[node] && !state.cmsServers?.[node]) {
    throw new CliError(`node '${node}' is not in the twin: use one of ${[...Object.keys(state.nodes), ...Object.keys(state.cmsServers ?? {})].join(', ')}`);
  }
  if (flags.has('clear')) {
    writeNodeFaults(stateDir, node, undefined);
    process.stdout.write(`${node}: no faults\n`);
    return 0;
  }
  // A misspelt service would never fire: the rehearsal would pass without the fault it was meant to show.
  const known = state ? Object.keys(state.nodes[node]?.services ?? state.cmsServers?.[node]?.services ?? {}) : undefined;
  for (const name of ['restart-fails', 'restart-hangs']) {
    for (const service of flags.get(name) ?? []) {
      if (known && !known.includes(service)) {
        throw new CliError(`--${name}: '${service}' does not run on ${node}: use one of ${known.map((k) => `'${k}'`).join(', ')}`);
      }
    }
  }
  const current = readNodeFaults(stateDir, node);
  const union = (name: string, existing: readonly string[] | undefined): string[] | undefined =>
    flags.has(name) ? [...new Set([...(existing ?? []), ...flags.get(name)!])] : undefined;
  const change = Object.fromEntries(
    Object.entries({
      unreachable: flags.has('unreachable') ? true : undefined,
      refuseUpload: flags.has('refuse-upload') ? true : undefined,
      restartFails: union('restart-fails', current.restartFails),
      restartHangs: union('restart-hangs', current.restartHangs),
      slowMillis: flags.has('slow-ms') ? wholeNumber(flags, 'slow-ms', 0) : undefined,
    }).filter(([, v]) => v !== undefined),
  );
  if (Object.keys(change).length === 0) throw new CliError(`give a fault (--unreachable, --restart-fails S, --restart-hangs S, --refuse-upload, --slow-ms N) or --clear\n${USAGE}`);
  const written = writeNodeFaults(stateDir, node, change);
  process.stdout.write(`${node}: ${JSON.stringify(written.nodes[node])}\n`);
  return 0;
}
