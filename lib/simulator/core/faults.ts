/**
 * Fault injection, per node, from stateDir/faults.json. Read at each operation so a test
 * or a rehearsal can change it while the twin runs (`ucrollout sim fault`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './state';

export interface NodeFaults {
  /** Every listener of the node drops connections at once; open sessions close at their next command. */
  readonly unreachable?: boolean;
  /** Restarts of these services end `[STOPPED]` with an ERROR. */
  readonly restartFails?: readonly string[];
  /** Restarts of these services stay `[STARTING]` for as long as the fault is set. */
  readonly restartHangs?: readonly string[];
  /** Identity and trust uploads fail (an ERROR line on the CLI, 400 on REST). */
  readonly refuseUpload?: boolean;
  /** Delay before every CLI command's output and every HTTP answer. */
  readonly slowMillis?: number;
}

export interface FaultsFile {
  readonly nodes: Readonly<Record<string, NodeFaults>>;
}

export const FAULTS_FILE = 'faults.json';

/** The faults of one node now; an unreadable file counts as "no faults" rather than stopping the twin. */
export function readNodeFaults(stateDir: string, fqdn: string): NodeFaults {
  return readFaults(stateDir).nodes[fqdn.toLowerCase()] ?? {};
}

export function readFaults(stateDir: string): FaultsFile {
  const file = join(stateDir, FAULTS_FILE);
  if (!existsSync(file)) return { nodes: {} };
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<FaultsFile>;
    return { nodes: data && typeof data.nodes === 'object' && data.nodes ? data.nodes : {} };
  } catch {
    return { nodes: {} };
  }
}

/** Sets (merges) or clears the faults of one node. `undefined` clears everything for it. */
export function writeNodeFaults(stateDir: string, fqdn: string, faults: NodeFaults | undefined): FaultsFile {
  const current = readFaults(stateDir);
  const nodes: Record<string, NodeFaults> = { ...current.nodes };
  const key = fqdn.toLowerCase();
  if (faults === undefined) delete nodes[key];
  else nodes[key] = { ...(nodes[key] ?? {}), ...faults };
  const next = { nodes };
  writeAtomic(join(stateDir, FAULTS_FILE), JSON.stringify(next, null, 2) + '\n');
  return next;
}

export function restartFails(faults: NodeFaults, service: string): boolean {
  return (faults.restartFails ?? []).some((s) => s.toLowerCase() === service.toLowerCase());
}

export function restartHangs(faults: NodeFaults, service: string): boolean {
  return (faults.restartHangs ?? []).some((s) => s.toLowerCase() === service.toLowerCase());
}
