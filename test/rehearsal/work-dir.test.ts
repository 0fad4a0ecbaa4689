import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareWorkDir } from '../../lib/rehearsal/work-dir';

const root = mkdtempSync(join(tmpdir(), 'ucr-workdir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the rehearsal work folder', () => {
  it('refuses a non-empty folder a rehearsal did not make, and deletes nothing', () => {
    // GIVEN a folder with the user's file
    const dir = join(root, 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'important.txt'), 'keep');
    // WHEN a rehearsal is pointed at it  THEN it refuses and the file stays
    expect(() => prepareWorkDir(dir)).toThrow(/not empty and was not made by a rehearsal/);
    expect(existsSync(join(dir, 'important.txt'))).toBe(true);
  });

  it('empties a folder of an earlier rehearsal', () => {
    const dir = join(root, 'earlier');
    prepareWorkDir(dir);
    writeFileSync(join(dir, 'old-output.json'), '{}');
    prepareWorkDir(dir);
    expect(existsSync(join(dir, 'old-output.json'))).toBe(false);
  });
});
