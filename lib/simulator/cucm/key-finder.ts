/**
 * Finds the private key of an uploaded leaf certificate. A real node generated the key with
 * its CSR; the twin's certificates are often signed from CSRs made elsewhere (`ucrollout csr`,
 * tests), so it also looks in the key folders it was given, matching by public key.
 *
 * What the node accepts it also shows: `show csr own <unit>` prints, after the node's own CSR,
 * one CSR for each key in the folders (`csrs()`), so a check that reads the node's CSRs before
 * an upload (the preflight) agrees with what the upload accepts. A real node shows one CSR.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { csrForKey } from '../../pki/csr';
import { NODE_O, spkiOfPrivateKey } from '../core/certificate';

const MAX_DEPTH = 4;
const MAX_KEY_FILE_BYTES = 64 * 1024;
const SKIP_DIRS = new Set(['node_modules', '.git', 'cdktf.out', '.terraform']);
/** The subject of the CSR shown for a key-folder key: it stands for the key, not for a request. */
export const KEY_FOLDER_CN = 'twin key folder';

export interface FolderKey {
  readonly pem: string;
  /** SubjectPublicKeyInfo DER, hex. */
  readonly spki: string;
}

export class KeyFinder {
  private readonly cache = new Map<string, { stamp: string; spki?: string }>();
  /** One CSR per key (by SPKI), made once: signing is the slow part. */
  private readonly csrCache = new Map<string, Promise<string>>();

  /** `dirs` are searched recursively (a few levels deep) for PEM private keys. */
  constructor(private readonly dirs: readonly string[]) {}

  /** PEM of the private key whose public half is `spki` (hex DER), or undefined. */
  find(spki: string): string | undefined {
    for (const dir of this.dirs) {
      const found = this.search(dir, spki, 0);
      if (found) return found;
    }
    return undefined;
  }

  /** Every key in the folders now (each public key once), in search order. */
  keys(): FolderKey[] {
    const out = new Map<string, FolderKey>();
    for (const dir of this.dirs) this.collect(dir, 0, out);
    return [...out.values()];
  }

  /** A CSR (PEM) for each key in the folders: the keys a certificate is accepted for, as `show csr own` shows them. */
  async csrs(): Promise<{ spki: string; csr: string }[]> {
    return Promise.all(
      this.keys().map(async (k) => {
        let csr = this.csrCache.get(k.spki);
        if (!csr) {
          csr = csrForKey({ subject: [['CN', KEY_FOLDER_CN], ['O', NODE_O]], keyPem: k.pem });
          this.csrCache.set(k.spki, csr);
          csr.catch(() => this.csrCache.delete(k.spki));
        }
        return { spki: k.spki, csr: await csr };
      }),
    );
  }

  private search(dir: string, spki: string, depth: number): string | undefined {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isFile() && /\.(key|pem)$/i.test(e.name)) {
        const pem = this.keyIfMatches(path, spki);
        if (pem) return pem;
      }
    }
    if (depth >= MAX_DEPTH) return undefined;
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) {
        const found = this.search(join(dir, e.name), spki, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private collect(dir: string, depth: number, out: Map<string, FolderKey>): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isFile() || !/\.(key|pem)$/i.test(e.name)) continue;
      const key = this.readKey(join(dir, e.name));
      if (key && !out.has(key.spki)) out.set(key.spki, key);
    }
    if (depth >= MAX_DEPTH) return;
    for (const e of entries) if (e.isDirectory() && !SKIP_DIRS.has(e.name)) this.collect(join(dir, e.name), depth + 1, out);
  }

  private keyIfMatches(path: string, spki: string): string | undefined {
    try {
      const st = statSync(path);
      if (st.size > MAX_KEY_FILE_BYTES) return undefined;
      const stamp = `${st.mtimeMs}:${st.size}`;
      const cached = this.cache.get(path);
      if (cached && cached.stamp === stamp && cached.spki !== spki) return undefined;
      const key = this.readKey(path);
      return key && key.spki === spki ? key.pem : undefined;
    } catch {
      return undefined;
    }
  }

  /** The private key of a file (PEM, with a newline) and its public key; undefined when it holds none. */
  private readKey(path: string): FolderKey | undefined {
    try {
      const st = statSync(path);
      if (st.size > MAX_KEY_FILE_BYTES) return undefined;
      const stamp = `${st.mtimeMs}:${st.size}`;
      const cached = this.cache.get(path);
      if (cached && cached.stamp === stamp && cached.spki === undefined) return undefined;
      const text = readFileSync(path, 'utf8');
      const match = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(text);
      const keySpki = match ? safeSpki(match[0]) : undefined;
      this.cache.set(path, { stamp, spki: keySpki });
      return keySpki && match ? { pem: match[0] + '\n', spki: keySpki } : undefined;
    } catch {
      return undefined;
    }
  }
}

function safeSpki(pem: string): string | undefined {
  try {
    return spkiOfPrivateKey(pem);
  } catch {
    return undefined;
  }
}
