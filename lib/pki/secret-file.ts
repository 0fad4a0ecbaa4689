/** Writing private keys: mode 0600 from the first byte, and again if the file already existed wider. */
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const SECRET_FILE_MODE = 0o600;

export function writeSecretFile(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w', SECRET_FILE_MODE);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, SECRET_FILE_MODE);
}
