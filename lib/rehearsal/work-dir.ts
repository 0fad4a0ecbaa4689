/**
 * A rehearsal's work folder is emptied before each run, so it must be one a rehearsal made:
 * a marker file says so. Any other non-empty folder is refused, never deleted.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = '.ucrollout-rehearsal';

export function prepareWorkDir(workDir: string): void {
  if (existsSync(workDir) && readdirSync(workDir).length > 0) {
    if (!existsSync(join(workDir, MARKER))) {
      throw new Error(
        `Work folder '${workDir}' is not empty and was not made by a rehearsal: give a new or empty folder with --work (a rehearsal empties its folder before it runs)`,
      );
    }
    rmSync(workDir, { recursive: true, force: true });
  }
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, MARKER), 'Made by ucrollout rehearse: emptied at the next rehearsal in this folder.\n');
}
