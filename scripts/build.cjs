'use strict';
/**
 * `npm run build` (and `prepare`, so `npm ci` leaves a compiled CLI): lib/, constructs/ and
 * main.ts compiled to dist/ with tsconfig.build.json, then dist/.build-stamp written.
 *
 * The fingerprint is taken before tsc starts and the stamp removed first: while the build
 * runs, or when it fails, or when a source changes during it, bin/ucrollout runs the sources.
 *
 * `--if-stale` (prepare, i.e. npm ci / npm install; prestart): nothing to do when dist/ is
 * current, and a failed build is a warning, not an error: bin/ucrollout then runs the sources,
 * and the type errors are npm test's to report. `npm run build` stays strict.
 */
const { spawnSync } = require('node:child_process');
const { mkdirSync, readdirSync, rmSync, writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const { STAMP_FILE, distState, sourceFingerprint } = require('./build-stamp.cjs');

const root = join(__dirname, '..');
const ifStale = process.argv.includes('--if-stale');
if (ifStale && distState(root) === 'current') process.exit(0);
const dist = join(root, 'dist');
const started = Date.now();
const { fingerprint, files } = sourceFingerprint(root);

rmSync(join(root, STAMP_FILE), { force: true });
// Compiled files of deleted sources must not linger (a stale module could still be required).
mkdirSync(dist, { recursive: true });
for (const entry of readdirSync(dist)) rmSync(join(dist, entry), { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: ifStale ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  encoding: 'utf8',
});
if (tsc.status !== 0) {
  if (ifStale) {
    const lines = `${tsc.stdout || ''}${tsc.stderr || ''}`.trim().split('\n');
    process.stderr.write(`${lines.slice(0, 5).join('\n')}${lines.length > 5 ? `\n… ${lines.length - 5} more lines (npm run build shows all)` : ''}\n`);
  }
  process.stderr.write(`build: tsc failed (exit ${tsc.status ?? tsc.signal}); no build stamp written, bin/ucrollout runs the sources\n`);
  process.exit(ifStale ? 0 : tsc.status || 1);
}
const stamp = { fingerprint, files, builtAt: new Date().toISOString(), node: process.version };
const tmp = join(root, `${STAMP_FILE}.${process.pid}`);
writeFileSync(tmp, JSON.stringify(stamp, null, 2) + '\n');
renameSync(tmp, join(root, STAMP_FILE));
process.stdout.write(`build: ${files} sources → dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
