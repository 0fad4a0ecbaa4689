/**
 * What the constructs of this package do alike, kept out of the public API (index.ts does not
 * export this file): the mark their `isX` checks look for, and the check that a certificate's
 * node or server is one of its cluster's.
 */
import { throwIfProblems } from '../lib/model';

/** Marks `construct` as one of its class: a symbol of the global registry, so any copy of this package sees it. */
export function brand(construct: object, symbol: symbol): void {
  Object.defineProperty(construct, symbol, { value: true });
}

/** True when `x` carries the mark of `symbol` (see brand). */
export function hasBrand(x: unknown, symbol: symbol): boolean {
  return typeof x === 'object' && x !== null && symbol in x;
}

/**
 * A certificate for one node (or server) must name one of its cluster's. Only a construct knows
 * the cluster at declaration time; an inventory's certificate is checked when it is planned.
 */
export function checkMemberOf(at: string, what: 'node' | 'server', member: string | undefined, declared: string | undefined, cluster: { readonly name: string; readonly members: readonly string[] }): void {
  throwIfProblems([
    member && !cluster.members.includes(member) ? `${at}: ${what} '${declared}' is not in cluster '${cluster.name}': use one of ${cluster.members.join(', ')}` : undefined,
  ]);
}
