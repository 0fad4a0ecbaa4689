'use strict';
/**
 * The build stamp: a fingerprint of the sources dist/ was compiled from (every file's path,
 * mtime and size under the compiled folders, plus the tsconfigs). `npm run build` writes it
 * to dist/.build-stamp after tsc succeeds; bin/ucrollout runs dist/ only while the
 * fingerprint of the sources still matches it. Stat only, no reads: about 2 ms for 200 files.
 * Plain CommonJS, no dependencies and no crypto (loading node:crypto alone costs ~4 ms): the
 * launcher runs this on every start. The fingerprint is the listing itself, compared exactly.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** What tsconfig.build.json compiles (keep the two in step: test/architecture/launcher.test.ts checks). */
const SOURCE_DIRS = ['lib', 'constructs'];
const SOURCE_FILES = ['main.ts', 'tsconfig.json', 'tsconfig.build.json'];
const STAMP_FILE = join('dist', '.build-stamp');
const COMPILED_ENTRY = join('dist', 'lib', 'cli', 'main.js');

/**
 * Fingerprint of the sources under `root`: one `path mtime size` line per file, sorted. A file
 * added, removed, touched or resized changes it.
 */
function sourceFingerprint(root) {
  const lines = [];
  const add = (rel) => {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    lines.push(st ? `${rel} ${st.mtimeMs} ${st.size}` : `${rel} missing`);
  };
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      lines.push(`${rel}/ missing`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && !e.name.endsWith('.md')) add(child);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  for (const file of SOURCE_FILES) add(file);
  return { fingerprint: lines.join('\n'), files: lines.length };
}

/** The first source that differs between the stamp and now (for `ucrollout --version`). */
function firstChange(root) {
  const stamp = readStamp(root);
  if (!stamp || typeof stamp.fingerprint !== 'string') return undefined;
  const byName = (fingerprint) => new Map(fingerprint.split('\n').map((line) => [line.replace(/ (\S+ \S+|missing)$/, ''), line]));
  const then = byName(stamp.fingerprint);
  const now = byName(sourceFingerprint(root).fingerprint);
  for (const [name, line] of now) if (then.get(name) !== line) return then.has(name) ? `${name} changed` : `${name} was added`;
  for (const name of then.keys()) if (!now.has(name)) return `${name} was removed`;
  return undefined;
}

/** The stamp dist/ was built with, or undefined when there is none (never built, build running or failed). */
function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether dist/ may run: 'current', or why not ('no-build', 'stale').
 * The compiled entry is checked too: a stamp without dist/lib/cli/main.js is no build.
 */
function distState(root) {
  const stamp = readStamp(root);
  if (!stamp || typeof stamp.fingerprint !== 'string') return 'no-build';
  if (!statSync(join(root, COMPILED_ENTRY), { throwIfNoEntry: false })) return 'no-build';
  return stamp.fingerprint === sourceFingerprint(root).fingerprint ? 'current' : 'stale';
}

module.exports = { SOURCE_DIRS, SOURCE_FILES, STAMP_FILE, COMPILED_ENTRY, sourceFingerprint, readStamp, distState, firstChange };
