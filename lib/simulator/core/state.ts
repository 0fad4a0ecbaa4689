/**
 * The twin's persistent state: one JSON file (stateDir/state.json) holding every platform's
 * nodes (cucm/state.ts, cms/state.ts). Private keys are separate files under stateDir/keys,
 * referenced by path; certificates (public) are stored as PEM.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CmsClusterDatabase, CmsServerState } from '../cms/state';
import type { NodeState } from '../cucm/state';

export interface TwinState {
  readonly formatVersion: 1;
  readonly createdAt: string;
  /** Shared RSA key of the self-signed RSA identities, relative to the state folder. */
  rsaKeyFile?: string;
  nodes: Record<string, NodeState>;
  /** Cisco Meeting Server servers by FQDN (cms/state.ts). */
  cmsServers?: Record<string, CmsServerState>;
  /** The database cluster of each CMS cluster, by cluster name. */
  cmsDatabases?: Record<string, CmsClusterDatabase>;
}

export const STATE_FILE = 'state.json';

/** Reads and writes state.json and the key files of one state folder. */
export class StateStore {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  }

  load(): TwinState | undefined {
    const file = join(this.dir, STATE_FILE);
    if (!existsSync(file)) return undefined;
    const data = JSON.parse(readFileSync(file, 'utf8')) as TwinState;
    if (data.formatVersion !== 1) throw new Error(`${file}: unknown formatVersion ${String(data.formatVersion)}: remove the state folder or use a newer ucrollout`);
    return data;
  }

  save(state: TwinState): void {
    writeAtomic(join(this.dir, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
  }

  /** Stores a private key under keys/ (mode 600) and returns its path relative to the state folder. */
  writeKey(name: string, pem: string): string {
    const rel = join('keys', name);
    writeAtomic(join(this.dir, rel), pem, 0o600);
    return rel;
  }

  readKey(rel: string): string {
    return readFileSync(join(this.dir, rel), 'utf8');
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }
}

/** Readers never see a half-written file: write beside, then rename. */
export function writeAtomic(file: string, text: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
