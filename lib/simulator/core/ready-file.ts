/**
 * The files the twin writes for its clients: the ready file (also the drivers' resolve map,
 * docs/node-interfaces.md), known_hosts with each node's SSH host key under its FQDN, and
 * https-ca.pem with each node's first self-signed tomcat certificate.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { StateStore, TwinState, writeAtomic } from './state';

export interface ReadyNode {
  readonly address: string;
  /** Port by name: `ssh`, `https` and the purposes' service ports (`sip-tls`, `xmpp-client`, …); CMS: `ssh` and the services' ports (`webadmin-https`, `sip-tls`, …). */
  readonly ports: Readonly<Record<string, number>>;
  /** The node's SSH host key fingerprint, as `ssh-keygen -lf` prints it (`SHA256:…`). */
  readonly sshHostKey: string;
}

export interface ReadyFile {
  readonly formatVersion: 1;
  readonly stateDir: string;
  readonly knownHosts: string;
  readonly httpsCa: string;
  readonly nodes: Readonly<Record<string, ReadyNode>>;
  /** Process that runs the twin. */
  readonly pid: number;
  readonly portMode: 'standard' | 'dynamic';
  /** Where the twin differs from a real node's addressing. */
  readonly notes: readonly string[];
}

export const READY_FILE = 'ready.json';
export const KNOWN_HOSTS_FILE = 'known_hosts';
export const HTTPS_CA_FILE = 'https-ca.pem';

/** A node or server of the twin and its SSH host key file (relative to the state folder). */
export interface HostKeyEntry {
  readonly fqdn: string;
  readonly keyFile: string;
}

/** `<fqdn> <type> <base64>` per node, and the SHA256 fingerprint of each key. */
export function writeKnownHosts(store: StateStore, hosts: readonly HostKeyEntry[]): Record<string, string> {
  const fingerprints: Record<string, string> = {};
  const lines = hosts.map(({ fqdn, keyFile }) => {
    const parsed = utils.parseKey(store.readKey(keyFile));
    if (parsed instanceof Error) throw new Error(`${fqdn}: unreadable SSH host key in the state folder (${parsed.message})`);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    const blob = key.getPublicSSH();
    fingerprints[fqdn] = sha256Fingerprint(blob);
    return `${fqdn} ${key.type} ${blob.toString('base64')}`;
  });
  writeAtomic(store.path(KNOWN_HOSTS_FILE), lines.join('\n') + '\n');
  return fingerprints;
}

export function writeHttpsCa(store: StateStore, state: TwinState, fqdns: readonly string[]): void {
  const pems = fqdns.map((f) => state.nodes[f].initialTomcat).filter((p): p is string => !!p);
  writeAtomic(store.path(HTTPS_CA_FILE), pems.join(''));
}

export function writeReadyFile(ready: ReadyFile, extraFile?: string): void {
  const text = JSON.stringify(ready, null, 2) + '\n';
  writeAtomic(join(ready.stateDir, READY_FILE), text);
  if (extraFile) writeAtomic(extraFile, text);
}

export function readReadyFile(file: string): ReadyFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReadyFile;
  } catch {
    return undefined;
  }
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints a host key. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** `sim status`: a node's heading (`<fqdn> (<what>) at <address>`) and, while the twin runs, its ports. */
export function nodeHeading(fqdn: string, what: string, ready: ReadyFile | undefined): string[] {
  const where = ready?.nodes[fqdn];
  if (!where) return [`${fqdn} (${what})`];
  return [`${fqdn} (${what}) at ${where.address}`, `  ports: ${Object.entries(where.ports).map(([name, port]) => `${name} ${port}`).join(', ')}`];
}
