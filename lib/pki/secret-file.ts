/**
 * Writing private keys: mode 0600 from the first byte, into a new file beside the target that
 * is then renamed over it, so an existing file or a symbolic link at the path is replaced, never
 * written through (a link could point anywhere).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export const SECRET_FILE_MODE = 0o600;

export function writeSecretFile(path: string, data: string): void {
  writeReplacingFile(path, data, SECRET_FILE_MODE);
}

/** The same for a file anyone may read (a CSR beside its key): replaced, never written through a link. */
export function writeReplacingFile(path: string, data: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': fails rather than follow anything already at the temporary name.
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, data);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
