/**
 * startTwin: every declared node on its own loopback address, speaking the admin CLI over
 * SSH, REST and SOAP over HTTPS, and TLS on its service ports, with state kept in stateDir.
 * The Meeting Servers of `cmsClusters` follow the CUCM nodes: the MMP and SFTP over SSH,
 * and TLS on their services' ports.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Declarations } from '../../model';
import { mmpShell } from '../cms/commands';
import { bindCmsPorts, createCmsHttp } from '../cms/listeners';
import { provisionCms } from '../cms/provision';
import { serveSftp } from '../cms/sftp';
import { CMS_UNPRIVILEGED_OFFSET, buildCmsTopology } from '../cms/topology';
import { CmsWorld } from '../cms/world';
import { adminShell } from '../cucm/commands';
import { createHttpApi } from '../cucm/http-api';
import { KeyFinder } from '../cucm/key-finder';
import { bindNodePorts } from '../cucm/listeners';
import { provisionState } from '../cucm/provision';
import { buildTopology } from '../cucm/topology';
import { TwinWorld } from '../cucm/world';
import { createSshServer } from './cli-shell';
import { clusterCredentials } from './credentials';
import { BoundPort, SocketRegistry } from './listeners';
import { HTTPS_CA_FILE, KNOWN_HOSTS_FILE, ReadyFile, ReadyNode, writeHttpsCa, writeKnownHosts, writeReadyFile } from './ready-file';
import { StateStore } from './state';
import { twinTiming } from './timing';
import { TwinLog } from './world';

export interface TwinOptions {
  readonly declarations: Declarations;
  /** Folder for state.json, keys, known_hosts, https-ca.pem, faults.json and ready.json (created if missing). */
  readonly stateDir: string;
  /** First loopback address; the nodes take the next ones in rollout order, then the CMS servers in declaration order. @default 127.0.0.2 */
  readonly addressBase?: string;
  /** `dynamic`: every listener on a free port (see the ready file); `standard`: catalog ports, SSH 2222. @default standard */
  readonly portMode?: 'standard' | 'dynamic';
  /** How long a service restart takes. @default 2000 */
  readonly restartMillis?: number;
  /**
   * Run on the timing model scaled down instead (> 0, ≤ 1): a restart takes the model's seconds of
   * that service on that node (lib/simulator/core/timing.ts) × 1000 × timeScale ms. @default - restartMillis for every restart
   */
  readonly timeScale?: number;
  /** A second place to write the ready file (stateDir/ready.json is always written). */
  readonly readyFile?: string;
  /**
   * Folders searched for the private keys of uploaded leaf certificates signed from CSRs made
   * elsewhere: a test convenience, NOT how a node behaves (a node holds only the keys of the CSRs
   * it generated, and refuses any other certificate).
   * @default - none: only the node's own CSRs
   */
  readonly keyDirs?: readonly string[];
  /** Folder a cluster's relative credentials file starts from. @default - the current folder */
  readonly baseDir?: string;
  /** Environment the credentials come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives one line per operation (never a key or certificate body). */
  readonly log?: TwinLog;
}

export interface RunningTwin {
  readonly ready: ReadyFile;
  /** Read access to the live state (tests, status). */
  readonly world: TwinWorld;
  /** The Meeting Servers' live state (none without `cmsClusters`). */
  readonly cms: CmsWorld;
  stop(): Promise<void>;
}

export const DEFAULT_RESTART_MILLIS = 2000;
const STOP_WAIT_MS = 5000;

export async function startTwin(opts: TwinOptions): Promise<RunningTwin> {
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const portMode = opts.portMode ?? 'standard';
  const addressBase = opts.addressBase ?? '127.0.0.2';
  const specs = buildTopology(opts.declarations, addressBase);
  const cmsSpecs = buildCmsTopology(opts.declarations, addressBase, specs.length, new Set(specs.map((s) => s.fqdn)));
  const env = opts.env ?? process.env;
  const baseDir = opts.baseDir ?? process.cwd();
  const credentials = new Map(opts.declarations.clusters.map((c) => [c.name, clusterCredentials(c, env, baseDir)]));
  const cmsCredentials = new Map((opts.declarations.cmsClusters ?? []).map((c) => [c.name, clusterCredentials(c, env, baseDir)]));
  const store = new StateStore(stateDir);
  const state = await provisionState(store, specs);
  await provisionCms(store, state, cmsSpecs);
  // A node holds only the keys of its own CSRs; key folders are a test convenience, never the default.
  const keyFinder = opts.keyDirs && opts.keyDirs.length > 0 ? new KeyFinder(opts.keyDirs.map((d) => resolve(d))) : undefined;
  const log = opts.log ?? (() => undefined);
  const timing = opts.timeScale === undefined ? undefined : twinTiming(opts.declarations, opts.timeScale);
  const world = new TwinWorld(specs, state, store, keyFinder, opts.restartMillis ?? DEFAULT_RESTART_MILLIS, log, timing);
  const cms = new CmsWorld(world, cmsSpecs);
  cms.pruneFiles();
  const sockets = new SocketRegistry();

  const bound: BoundPort[] = [];
  const nodes: Record<string, ReadyNode> = {};
  const fqdns = specs.map((s) => s.fqdn);
  const fingerprints = writeKnownHosts(store, [
    ...specs.map((s) => ({ fqdn: s.fqdn, keyFile: state.nodes[s.fqdn].sshHostKeyFile })),
    ...cmsSpecs.map((s) => ({ fqdn: s.fqdn, keyFile: state.cmsServers![s.fqdn].sshHostKeyFile })),
  ]);
  writeHttpsCa(store, state, fqdns);
  try {
    for (const spec of specs) {
      const creds = credentials.get(spec.cluster.name)!;
      const handlers = { ssh: createSshServer(store.readKey(state.nodes[spec.fqdn].sshHostKeyFile), creds, adminShell(world, spec.fqdn)), http: createHttpApi(world, spec.fqdn, creds) };
      const ports = await bindNodePorts(world, spec, handlers, sockets, portMode === 'dynamic');
      bound.push(...ports);
      nodes[spec.fqdn] = { address: spec.address, ports: Object.fromEntries(ports.map((p) => [p.port.name, p.number])), sshHostKey: fingerprints[spec.fqdn] };
      log(`${spec.fqdn}: listening on ${spec.address} (${ports.map((p) => `${p.port.name} ${p.number}`).join(', ')})`);
    }
    const cmsHttp = createCmsHttp();
    for (const spec of cmsSpecs) {
      const creds = cmsCredentials.get(spec.cluster.name)!;
      const ssh = createSshServer(store.readKey(state.cmsServers![spec.fqdn].sshHostKeyFile), creds, mmpShell(cms, spec.fqdn), (sftp, client) => serveSftp(cms, spec.fqdn, sftp, client));
      const ports = await bindCmsPorts(cms, spec, ssh, cmsHttp, sockets, portMode === 'dynamic');
      bound.push(...ports);
      nodes[spec.fqdn] = { address: spec.address, ports: Object.fromEntries(ports.map((p) => [p.port.name, p.number])), sshHostKey: fingerprints[spec.fqdn] };
      log(`${spec.fqdn}: Meeting Server listening on ${spec.address} (${ports.map((p) => `${p.port.name} ${p.number}`).join(', ')})`);
    }
  } catch (e) {
    await closeAll(bound, sockets);
    throw e;
  }

  const notes = portMode === 'standard' ? ['SSH listens on 2222, not 22: port 22 needs privileges'] : ['Every port is chosen at start (port mode dynamic)'];
  if (portMode === 'standard' && cmsSpecs.some((s) => s.ports.some((p) => p.kind !== 'ssh' && p.declaredPort < 1024))) {
    notes.push(`Meeting Server ports below 1024 listen ${CMS_UNPRIVILEGED_OFFSET} higher (443 on 8443): they need privileges`);
  }
  const ready: ReadyFile = {
    formatVersion: 1,
    stateDir,
    knownHosts: join(stateDir, KNOWN_HOSTS_FILE),
    httpsCa: join(stateDir, HTTPS_CA_FILE),
    nodes,
    pid: process.pid,
    portMode,
    notes,
  };
  writeReadyFile(ready, opts.readyFile ? resolve(opts.readyFile) : undefined);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      world.stopping.abort();
      await closeAll(bound, sockets);
      world.save();
      log('twin stopped');
    })();
    return stopped;
  };
  return { ready, world, cms, stop };
}

/** Closes every listener and socket; bounded, so a stuck peer cannot hold the stop. */
async function closeAll(bound: readonly BoundPort[], sockets: SocketRegistry): Promise<void> {
  const closing = bound.map((b) => new Promise<void>((done) => b.server.close(() => done())));
  sockets.destroyAll();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closing), new Promise<void>((done) => (timer = setTimeout(done, STOP_WAIT_MS)))]);
  clearTimeout(timer);
}
