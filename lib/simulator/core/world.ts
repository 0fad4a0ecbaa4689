/**
 * What every platform's running twin shares: the persistent state and its folder, faults,
 * the log, the restart time and the stop signal, with parsed certificates, private keys and
 * TLS contexts cached. A platform's world (cucm/world.ts, cms/world.ts) adds its nodes on top.
 */
import { SecureContext, SecureContextOptions, createSecureContext } from 'node:tls';
import { CertInfo, parseCert } from './certificate';
import { NodeFaults, readNodeFaults, restartHangs } from './faults';
import { StateStore, TwinState } from './state';
import type { TwinTiming } from './timing';

export type TwinLog = (line: string) => void;

const HANG_POLL_MS = 100;

export class TwinContext {
  /** Aborted when the twin stops: ends hanging restarts and pending waits. */
  readonly stopping = new AbortController();
  private readonly parsed = new Map<string, CertInfo>();
  private readonly keys = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly contexts = new Map<string, SecureContext>();

  constructor(
    readonly state: TwinState,
    readonly store: StateStore,
    readonly restartMillis: number,
    readonly log: TwinLog,
    /** The timing model scaled down (`--time-scale`): restarts take their modelled time; without it, `restartMillis`. */
    readonly timing?: TwinTiming,
  ) {}

  /** How long a restart of `service` on the node takes: the scaled timing model, else the one constant. */
  restartMillisOf(fqdn: string, service: string): number {
    return this.timing ? this.timing.restartMillis(fqdn, service) : this.restartMillis;
  }

  faults(fqdn: string): NodeFaults {
    return readNodeFaults(this.store.dir, fqdn);
  }

  save(): void {
    this.store.save(this.state);
  }

  /** Runs `task` after every earlier task of the same id has ended: a node's service manager does one action on a service at a time. */
  oneAtATime<T>(id: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(id) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.queues.set(id, run);
    return run;
  }

  /** The wait of a service start: `ms`, then as long as the restartHangs fault names the service; rejects when the twin stops. */
  async serviceStarting(fqdn: string, service: string, ms: number): Promise<void> {
    await sleep(ms, this.stopping.signal);
    while (restartHangs(this.faults(fqdn), service)) await sleep(HANG_POLL_MS, this.stopping.signal);
  }

  /** Parsed form of a stored PEM, cached (stored certificates were valid when stored). */
  cert(pem: string): CertInfo {
    let info = this.parsed.get(pem);
    if (!info) {
      info = parseCert(pem);
      this.parsed.set(pem, info);
    }
    return info;
  }

  /** A TLS context built once per id (an id names what a port presents). */
  secureContext(id: string, options: () => SecureContextOptions): SecureContext {
    let context = this.contexts.get(id);
    if (!context) {
      context = createSecureContext(options());
      this.contexts.set(id, context);
    }
    return context;
  }

  /** Private key PEM of a key file (relative to the state folder), cached. */
  key(keyFile: string): string {
    let pem = this.keys.get(keyFile);
    if (!pem) {
      pem = this.store.readKey(keyFile);
      this.keys.set(keyFile, pem);
    }
    return pem;
  }
}

/** Waits `ms`, or rejects when the twin stops. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('twin stopped'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('twin stopped'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
