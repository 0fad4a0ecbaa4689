/**
 * Finds the private key of an uploaded leaf certificate. A real node generated the key with
 * its CSR; the twin's certificates are often signed from CSRs made elsewhere (`ucrollout csr`,
 * tests), so it also looks in the key folders it was given, matching by public key.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spkiOfPrivateKey } from '../core/certificate';

const MAX_DEPTH = 4;
const MAX_KEY_FILE_BYTES = 64 * 1024;
const SKIP_DIRS = new Set(['node_modules', '.git', 'cdktf.out', '.terraform']);

export class KeyFinder {
  private readonly cache = new Map<string, { stamp: string; spki?: string }>();

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

  private keyIfMatches(path: string, spki: string): string | undefined {
    try {
      const st = statSync(path);
      if (st.size > MAX_KEY_FILE_BYTES) return undefined;
      const stamp = `${st.mtimeMs}:${st.size}`;
      const cached = this.cache.get(path);
      if (cached && cached.stamp === stamp && cached.spki !== spki) return undefined;
      const text = readFileSync(path, 'utf8');
      const match = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(text);
      const keySpki = match ? safeSpki(match[0]) : undefined;
      this.cache.set(path, { stamp, spki: keySpki });
      return keySpki === spki && match ? match[0] + '\n' : undefined;
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
