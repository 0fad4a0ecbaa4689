import { defineConfig } from 'vitest/config';

/**
 * Three projects; `vitest run` (npm test) runs all of them, `--project NAME` one
 * (npm run test:unit | test:twin | test:e2e).
 * - twin: tests that start the digital twin (in process or as `ucrollout sim`);
 * - e2e: tests that need Terraform on PATH (apply against the twin, or init + validate),
 *   and the build test (tsc, then the compiled CLI);
 * - unit: everything else: no twin, no Terraform.
 * test/architecture/projects.test.ts checks a test that starts a twin or runs Terraform is
 * not left in unit.
 */
const TWIN_TESTS = ['test/simulator/**/*.test.ts', 'test/drivers/**/*.twin.test.ts', 'test/drivers/step-command.test.ts', 'test/day2/**/*.twin.test.ts', 'test/cli/**/*.twin.test.ts'];
const E2E_TESTS = [
  'test/e2e/**/*.test.ts',
  'test/day2/**/*.e2e.test.ts',
  'test/constructs/terraform-validate.test.ts',
  'test/cms/example.test.ts',
  'test/terraform/no-shell.test.ts',
  'test/architecture/build.test.ts',
];
const ALL_TESTS = ['test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ALL_TESTS, exclude: [...TWIN_TESTS, ...E2E_TESTS] } },
      { extends: true, test: { name: 'twin', include: TWIN_TESTS, exclude: E2E_TESTS } },
      { extends: true, test: { name: 'e2e', include: E2E_TESTS } },
    ],
  },
});
