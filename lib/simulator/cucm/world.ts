/**
 * The running twin's CUCM / IM&P nodes: their specs and state on the shared context, and
 * the key lookup for uploaded leaves. The vendor behaviours (trust.ts, identity.ts,
 * service-control.ts) act on it.
 */
import { StateStore, TwinState } from '../core/state';
import type { TwinTiming } from '../core/timing';
import { TwinContext, TwinLog } from '../core/world';
import { KeyFinder } from './key-finder';
import { NodeState } from './state';
import { TwinNodeSpec, findSpec } from './topology';

export class TwinWorld extends TwinContext {
  constructor(
    readonly specs: readonly TwinNodeSpec[],
    state: TwinState,
    store: StateStore,
    /** Key folders searched for the keys of leaves signed elsewhere (tests only, `--key-dir`): not how a node behaves. */
    readonly keyFinder: KeyFinder | undefined,
    restartMillis: number,
    log: TwinLog,
    timing?: TwinTiming,
  ) {
    super(state, store, restartMillis, log, timing);
  }

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
}
