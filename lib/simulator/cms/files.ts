/**
 * The MMP user's folder on a simulated Meeting Server: one flat folder per server, shared by
 * SFTP and the `pki` commands. Bytes are stored by content (SHA-256) under the state folder;
 * a private key, whether made by `pki csr` or uploaded, goes to the key store (keys/cms, mode 600)
 * and nowhere else. A replaced file keeps its old bytes where a running service still uses them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore, writeAtomic } from '../core/state';
import { CmsFileRecord, CmsServerState } from './state';

/** Largest file the folder takes (a certificate bundle is a few KiB). */
export const CMS_MAX_FILE_BYTES = 1024 * 1024;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED |DSA )?PRIVATE KEY-----/;

/** `name`, `/name` or `./name` → `name`; undefined for anything outside the flat folder. */
export function folderFileName(path: string): string | undefined {
  const name = path.replace(/^\.?\//, '').replace(/^\/+/, '');
  return FILE_NAME.test(name) && !name.includes('..') ? name : undefined;
}

export function looksLikePrivateKey(data: Buffer): boolean {
  return PRIVATE_KEY.test(data.subarray(0, 64 * 1024).toString('latin1'));
}

export class CmsFileStore {
  constructor(
    private readonly store: StateStore,
    private readonly server: (fqdn: string) => CmsServerState,
    private readonly save: () => void,
  ) {}

  /** File names, sorted. */
  list(fqdn: string): string[] {
    return Object.keys(this.server(fqdn).files).sort();
  }

  stat(fqdn: string, name: string): CmsFileRecord | undefined {
    return this.server(fqdn).files[name];
  }

  read(fqdn: string, name: string): Buffer | undefined {
    const record = this.stat(fqdn, name);
    return record ? this.readPath(record.path) : undefined;
  }

  /** Text of a file (PEM), or undefined when it is not there. */
  text(fqdn: string, name: string): string | undefined {
    return this.read(fqdn, name)?.toString('utf8');
  }

  readPath(path: string): Buffer {
    return readFileSync(this.store.path(path));
  }

  /** Creates or replaces `name`; returns its record. */
  write(fqdn: string, name: string, data: Buffer): CmsFileRecord {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const privateKey = looksLikePrivateKey(data);
    const path = privateKey ? join('keys', 'cms', `${sha256}.key`) : join('cms-files', sha256);
    if (!existsSync(this.store.path(path))) writeAtomic(this.store.path(path), data, privateKey ? 0o600 : 0o644);
    const record: CmsFileRecord = { path, size: data.length, sha256, privateKey, modifiedAt: new Date().toISOString() };
    this.server(fqdn).files[name] = record;
    this.save();
    return record;
  }

  remove(fqdn: string, name: string): boolean {
    const files = this.server(fqdn).files;
    if (!files[name]) return false;
    delete files[name];
    this.save();
    return true;
  }

  rename(fqdn: string, from: string, to: string): boolean {
    const files = this.server(fqdn).files;
    const record = files[from];
    if (!record) return false;
    delete files[from];
    files[to] = { ...record, modifiedAt: new Date().toISOString() };
    this.save();
    return true;
  }

  /** Deletes stored bytes no server lists and no running service uses (called at start). */
  prune(inUse: ReadonlySet<string>): void {
    for (const dir of ['cms-files', join('keys', 'cms')]) {
      const abs = this.store.path(dir);
      if (!existsSync(abs)) continue;
      for (const entry of readdirSync(abs)) {
        const rel = join(dir, entry);
        if (!inUse.has(rel)) rmSync(join(abs, entry), { force: true });
      }
    }
  }
}
