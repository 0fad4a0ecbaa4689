/**
 * Reading a file the user names, bounded: at most `limit` bytes are read, so `/dev/zero`, a
 * huge log or a device given by mistake fails at once with EFBIG instead of filling memory.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Certificates, bundles, keys, CSRs: far below this. */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;
/** plan.json of the largest stack Terraform applies in reasonable time is a few MiB. */
export const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

export function readBounded(path: string, limit = MAX_CERTIFICATE_FILE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) {
        throw Object.assign(new Error(`${path} is larger than ${limit} bytes: not a file of this kind; check the path`), { code: 'EFBIG' });
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
