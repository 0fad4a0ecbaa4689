/**
 * The vitest projects (vitest.config.mts) stay honest: every test file is in exactly one
 * project, a test that starts the digital twin is in twin or e2e, and a test that needs
 * Terraform is in e2e, so `npm run test:unit` needs neither.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
// What starting a twin or running Terraform looks like in a test file (its helpers' names).
const STARTS_TWIN = /\b(startTwin|startLab|startCmsLab|prepareRehearsal|startDetached)\(|['"]sim['"],\s*['"]start['"]|\bsim start\b/;
const RUNS_TERRAFORM = /['"]terraform['"]|\bterraform(Apply|Init)\(|\b(applyStack|initStack)\(/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

function projectsByFile(): Map<string, string[]> {
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const r = spawnSync(process.execPath, [vitest, 'list', '--filesOnly', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const byFile = new Map<string, string[]>();
  for (const { file, projectName } of JSON.parse(r.stdout) as { file: string; projectName: string }[]) {
    const rel = relative(ROOT, file);
    byFile.set(rel, [...(byFile.get(rel) ?? []), projectName]);
  }
  return byFile;
}

describe('the vitest projects', () => {
  const byFile = projectsByFile();

  it('are unit, twin and e2e, and hold every test file exactly once', () => {
    expect(new Set([...byFile.values()].flat())).toEqual(new Set(['unit', 'twin', 'e2e']));
    const files = testFiles(join(ROOT, 'test')).sort();
    expect([...byFile.keys()].sort()).toEqual(files);
    const twice = [...byFile].filter(([, projects]) => projects.length !== 1).map(([f, p]) => `${f}: ${p.join(', ')}`);
    expect(twice).toEqual([]);
  });

  it('keep tests that start the twin out of unit, and tests that run Terraform in e2e', () => {
    const wrong: string[] = [];
    for (const [file, [project]] of byFile) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      if (RUNS_TERRAFORM.test(text) && project !== 'e2e') wrong.push(`${file} runs Terraform but is in ${project}: add it to E2E_TESTS`);
      else if (STARTS_TWIN.test(text) && project === 'unit') wrong.push(`${file} starts the twin but is in unit: add it to TWIN_TESTS`);
    }
    expect(wrong).toEqual([]);
  });

  it('put the simulator, the *.twin tests and test/e2e where they belong', () => {
    for (const [file, [project]] of byFile) {
      if (file.startsWith('test/e2e/')) expect(project, file).toBe('e2e');
      if (file.startsWith('test/simulator/') || file.endsWith('.twin.test.ts')) expect(project, file).toBe('twin');
    }
  });
});
