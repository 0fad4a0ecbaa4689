/** A private key is written 0600 and replaces whatever is at the path: never through a symbolic link. */
import { lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSecretFile } from '../../lib/pki/secret-file';

describe('writeSecretFile', () => {
  it('writes 0600 and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeSecretFile(join(dir, 'x.key'), 'KEY');
    expect(statSync(join(dir, 'x.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['x.key']);
  });

  it('replaces a symbolic link instead of writing through it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'x.key'));
    writeSecretFile(join(dir, 'x.key'), 'KEY');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'x.key')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'x.key'), 'utf8')).toBe('KEY');
  });
});
