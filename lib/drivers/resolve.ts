/**
 * The resolve map (the twin's ready file): where to reach each node during a rehearsal.
 * Only the address and ports change; the FQDN stays the identity TLS and SSH check.
 */
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { readBounded } from '../pki/bounded-read';
import { DriverConfigError } from './errors';

/** The twin's ready file: an address and a few ports per node; thousands of nodes fit in this. */
export const MAX_RESOLVE_MAP_BYTES = 4 * 1024 * 1024;

export interface ResolvedNode {
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
}

export interface ResolveMap {
  /** The file it was read from. */
  readonly file: string;
  /** known_hosts of the twin's nodes (absolute). */
  readonly knownHosts?: string;
  /** CA bundle for the twin's HTTPS (absolute). */
  readonly httpsCa?: string;
  /** Keyed by lower-case FQDN. */
  readonly nodes: ReadonlyMap<string, ResolvedNode>;
}

export const RESOLVE_ENV = 'UCROLLOUT_RESOLVE';

/** `--resolve FILE` wins over `UCROLLOUT_RESOLVE`; neither means a real run. */
export function resolveMapPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env[RESOLVE_ENV] || undefined;
}

export function loadResolveMap(file: string): ResolveMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readBounded(file, MAX_RESOLVE_MAP_BYTES).toString('utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EFBIG') {
      throw new DriverConfigError(
        `The resolve map '${file}' is larger than ${MAX_RESOLVE_MAP_BYTES} bytes (${MAX_RESOLVE_MAP_BYTES / 1024 / 1024} MiB), more than any twin's ready file holds: pass the twin's ready file with --resolve or ${RESOLVE_ENV}`,
      );
    }
    const why = (e as NodeJS.ErrnoException).code ?? `not valid JSON: ${(e as Error).message}`;
    throw new DriverConfigError(`Cannot read the resolve map '${file}' (${why}): pass the twin's ready file with --resolve or ${RESOLVE_ENV}`);
  }
  const doc = raw as { formatVersion?: unknown; knownHosts?: unknown; httpsCa?: unknown; nodes?: unknown };
  if (doc?.formatVersion !== 1) {
    throw new DriverConfigError(`The resolve map '${file}' has formatVersion ${JSON.stringify(doc?.formatVersion)}; this ucrollout reads format 1: restart the twin with this version`);
  }
  if (typeof doc.nodes !== 'object' || doc.nodes === null) {
    throw new DriverConfigError(`The resolve map '${file}' has no 'nodes' object: is it the twin's ready file?`);
  }
  const base = dirname(resolvePath(file));
  const abs = (p: unknown, field: string): string | undefined => {
    if (p === undefined) return undefined;
    if (typeof p !== 'string' || !p) throw new DriverConfigError(`The resolve map '${file}': '${field}' must be a file path`);
    return isAbsolute(p) ? p : resolvePath(base, p);
  };
  const nodes = new Map<string, ResolvedNode>();
  for (const [fqdn, value] of Object.entries(doc.nodes as Record<string, unknown>)) {
    const n = value as { address?: unknown; ports?: unknown };
    if (typeof n?.address !== 'string' || typeof n.ports !== 'object' || n.ports === null) {
      throw new DriverConfigError(`The resolve map '${file}': node '${fqdn}' needs "address" and "ports"`);
    }
    const ports: Record<string, number> = {};
    for (const [name, port] of Object.entries(n.ports as Record<string, unknown>)) {
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new DriverConfigError(`The resolve map '${file}': port '${name}' of node '${fqdn}' is ${JSON.stringify(port)}, not a TCP port`);
      }
      ports[name] = port;
    }
    nodes.set(fqdn.toLowerCase(), { address: n.address, ports });
  }
  return { file, knownHosts: abs(doc.knownHosts, 'knownHosts'), httpsCa: abs(doc.httpsCa, 'httpsCa'), nodes };
}

/** What the drivers need of a node to reach it (a PlanNode fits). */
export interface NodeAddress {
  readonly fqdn: string;
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
}

/** Where to connect; `fqdn` is what TLS `servername` and the host key pins check. */
export interface Endpoint {
  readonly fqdn: string;
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_PORTS: Readonly<Record<string, number>> = { ssh: 22, https: 8443 };

/**
 * The endpoint of a named port: the resolve map's address and port when a map is in use
 * (a node missing from it is an error: a rehearsal must never reach a real node), else the
 * plan node's address and port override, else the default.
 */
export function endpointFor(node: NodeAddress, portName: string, defaultPort: number | undefined, map?: ResolveMap): Endpoint {
  const fallback = node.ports[portName] ?? defaultPort ?? DEFAULT_PORTS[portName];
  if (map) {
    const r = map.nodes.get(node.fqdn.toLowerCase());
    if (!r) {
      throw new DriverConfigError(
        `Node ${node.fqdn} is not in the resolve map '${map.file}': the rehearsal would reach the real node. Start the twin with this node declared, or drop --resolve/${RESOLVE_ENV} for a real run`,
      );
    }
    const port = r.ports[portName] ?? fallback;
    if (port === undefined) throw new DriverConfigError(`Node ${node.fqdn}: no port '${portName}' in the resolve map '${map.file}' and no default for it`);
    return { fqdn: node.fqdn, host: r.address, port };
  }
  if (fallback === undefined) throw new DriverConfigError(`Node ${node.fqdn}: no port '${portName}' declared and no default for it: add it to the node's ports`);
  return { fqdn: node.fqdn, host: node.address || node.fqdn, port: fallback };
}
