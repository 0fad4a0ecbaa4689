'use strict';
/**
 * The baseline, in plain JavaScript run with plain `node` (no tsx: its start-up is ours to
 * pay, not cdktf's): bare cdktf stacks with the same resources and the same depends_on
 * shape as the stacks `ucrollout plan` wrote, synthesized by cdktf.
 * argv: SHAPE_JSON OUTDIR. The shape file: [{ name, resources: [{ name, dependsOn: [name…] }] }].
 * Each resource is cdktf's own DataResource (terraform_data) with a triggers_replace and a
 * local-exec, like ours; validations are skipped (ours runs none either).
 */
const { readFileSync } = require('node:fs');
const { App, DataResource, LocalBackend, TerraformStack } = require('cdktf');

const [shapeFile, outdir] = process.argv.slice(2);
const shape = JSON.parse(readFileSync(shapeFile, 'utf8'));
const app = new App({ outdir, skipValidation: true });
for (const s of shape) {
  const stack = new TerraformStack(app, s.name);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const byName = new Map();
  for (const r of s.resources) {
    const resource = new DataResource(stack, r.name, {
      triggersReplace: { step: r.name, trigger: r.name },
      provisioners: [{ type: 'local-exec', command: r.name, interpreter: ['node', '../../bin/ucrollout', 'step', 'run', '--plan', 'plan.json'] }],
    });
    resource.overrideLogicalId(r.name);
    byName.set(r.name, resource);
  }
  // Edges set after every resource exists (cdktf keeps them as fqn strings, as its constructor does).
  for (const r of s.resources) byName.get(r.name).dependsOn = r.dependsOn.map((d) => byName.get(d).fqn);
}
app.synth();
