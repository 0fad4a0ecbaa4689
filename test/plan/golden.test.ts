/**
 * Golden plans: the plan.json and PLAN.md that the stacks of each example hold, byte for byte
 * against the committed test/plan/golden/<example>.plan.json and <example>.PLAN.md. Any change
 * of the planner's output fails here. If it is intended, review the diff, then regenerate the
 * files with
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/plan/golden.test.ts
 *
 * and commit them with the change (the diff of the golden files is the reviewer's view of it).
 *
 * The examples are copied into a fresh temp folder and each is synthesized into
 * `<temp>/out-<example>/stacks/<cluster>`, so the file references of plan.json (relative to
 * the stack folder) read `../../../examples/…` wherever the checkout and the temp folder are.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { synthDeclarations } from '../../lib/terraform/write-stacks';

const ROOT = join(__dirname, '..', '..');
const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const REGENERATE = 'UPDATE_GOLDEN=1 npx vitest run test/plan/golden.test.ts';

const work = mkdtempSync(join(tmpdir(), 'ucr-golden-'));
cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(['lab', 'large', 'cms'])('examples/%s.yaml', (example) => {
  it('synthesizes to the committed plan.json and PLAN.md', () => {
    const { declarations, baseDir } = loadInventory(join(work, 'examples', `${example}.yaml`));
    const outdir = join(work, `out-${example}`);
    const plans = synthDeclarations(declarations, { outdir, baseDir, runner: 'ucrollout' });
    expect(
      plans.map((p) => p.cluster.name),
      'one cluster per example: one golden pair each',
    ).toHaveLength(1);
    const dir = join(outdir, 'stacks', plans[0].cluster.name);

    for (const [file, name] of [
      ['plan.json', `${example}.plan.json`],
      ['PLAN.md', `${example}.PLAN.md`],
    ]) {
      const actual = readFileSync(join(dir, file), 'utf8');
      const golden = join(GOLDEN, name);
      const shown = relative(ROOT, golden);
      // Nothing of where the test ran may reach the files, or the comparison would depend on it
      expect(actual, `${file} of examples/${example}.yaml names the temp folder`).not.toContain(work);
      expect(actual, `${file} of examples/${example}.yaml names the checkout`).not.toContain(ROOT);
      if (UPDATE) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(golden, actual);
        continue;
      }
      expect(existsSync(golden), `${shown} is missing: generate it with ${REGENERATE}, review it and commit it`).toBe(true);
      expect(
        actual,
        `${file} of examples/${example}.yaml differs from ${shown}: the planner's output changed. ` +
          `Review the diff; if the change is intended, regenerate the golden files with ${REGENERATE} and commit them`,
      ).toBe(readFileSync(golden, 'utf8'));
    }
  });
});
