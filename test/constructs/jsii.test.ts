import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('construct library', () => {
  it('compiles with jsii (no unions, overloads or generics in the public API)', () => {
    // GIVEN constructs/index.ts  WHEN jsii compiles it in a scratch folder  THEN it succeeds
    const out = execFileSync('node', [join(__dirname, '..', '..', 'scripts', 'jsii-check.mjs')], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toContain('the construct API compiles');
  }, 120_000);
});
