/**
 * `cdktf synth` of the constructs and `ucrollout plan` of the same declarations (which writes
 * the stack through lib/terraform, without cdktf) give byte-identical stack folders.
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { synthDeclarations } from '../../lib/terraform';
import { EXAMPLES, labStack } from './helpers';

describe('one emitter for cdktf synth and ucrollout plan', () => {
  it.each(['terraform_data', 'null_resource'] as const)('the lab gives the same cdk.tf.json, plan.json and PLAN.md (%s)', (resourceType) => {
    const root = mkdtempSync(join(tmpdir(), 'parity-'));
    const viaCdktf = join(root, 'cdktf');
    const viaLib = join(root, 'lib');
    const app = new App({ outdir: viaCdktf, skipValidation: true });
    labStack(app, { resourceType: resourceType === 'null_resource' ? ('null_resource' as never) : undefined });
    app.synth();
    const { declarations, baseDir } = loadInventory(join(EXAMPLES, 'lab.yaml'));
    synthDeclarations(declarations, { outdir: viaLib, baseDir, runner: 'ucrollout', resourceType });
    for (const file of ['cdk.tf.json', 'plan.json', 'PLAN.md', 'ucrollout']) {
      expect(readFileSync(join(viaLib, 'stacks', 'lab', file), 'utf8'), file).toBe(readFileSync(join(viaCdktf, 'stacks', 'lab', file), 'utf8'));
    }
    expect(readFileSync(join(viaLib, 'manifest.json'), 'utf8')).toBe(readFileSync(join(viaCdktf, 'manifest.json'), 'utf8'));
  });
});
