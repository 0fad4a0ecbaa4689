/**
 * The running twin's shared context: the node specs, their persistent state, faults and
 * key lookup. The vendor behaviours (trust.ts, identity.ts, service-control.ts) act on it.
 */
import { CertInfo, parseCert } from './certificate';
import { NodeFaults, readNodeFaults } from './faults';
import { KeyFinder } from './key-finder';
import { NodeState, StateStore, TwinState } from './state';
import { TwinNodeSpec, findSpec } from './topology';

export type TwinLog = (line: string) => void;

export class TwinWorld {
  /** Aborted when the twin stops: ends hanging restarts and pending waits. */
  readonly stopping = new AbortController();
  private readonly parsed = new Map<string, CertInfo>();
  private readonly keys = new Map<string, string>();

  constructor(
    readonly specs: readonly TwinNodeSpec[],
    readonly state: TwinState,
    readonly store: StateStore,
    readonly keyFinder: KeyFinder,
    readonly restartMillis: number,
    readonly log: TwinLog,
  ) {}

  spec(fqdn: string): TwinNodeSpec {
    const spec = findSpec(this.specs, fqdn);
    if (!spec) throw new Error(`Unknown node '${fqdn}'`);
    return spec;
  }

  node(fqdn: string): NodeState {
    return this.state.nodes[this.spec(fqdn).fqdn];
  }

  /** The nodes of the same cluster, in rollout order. */
  clusterOf(spec: TwinNodeSpec): TwinNodeSpec[] {
    return this.specs.filter((s) => s.cluster.name === spec.cluster.name);
  }

  faults(fqdn: string): NodeFaults {
    return readNodeFaults(this.store.dir, fqdn);
  }

  save(): void {
    this.store.save(this.state);
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

  /** Private key PEM of a stored key file, cached. */
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
