import { resolve } from 'node:path';
import { synthDeclarations } from '../../terraform';
import { loadInventory } from '../../inventory';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout plan --inventory FILE [--out DIR] [--resource terraform_data|null_resource]

Plans the rollout of every cluster of the inventory and writes, per cluster,
DIR/stacks/<cluster>/plan.json, PLAN.md and cdk.tf.json (a Terraform stack).

  --inventory FILE   inventory (YAML or JSON); see docs/inventory.md
  --out DIR          output folder (default: cdktf.out)
  --resource TYPE    Terraform resource per step (default: terraform_data)`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('plan', {
    args,
    options: {
      inventory: { type: 'string' },
      out: { type: 'string', default: 'cdktf.out' },
      resource: { type: 'string', default: 'terraform_data' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.inventory) throw new CliError(`--inventory is required\n${USAGE}`);
  if (values.resource !== 'terraform_data' && values.resource !== 'null_resource') {
    throw new CliError(`--resource must be terraform_data or null_resource, got '${values.resource}'`);
  }
  const { declarations, baseDir } = loadInventory(values.inventory);
  const outdir = resolve(values.out!);
  const plans = synthDeclarations(declarations, { outdir, baseDir, resourceType: values.resource as 'terraform_data' | 'null_resource' });
  for (const plan of plans) {
    const manual = plan.steps.filter((s) => s.kind === 'manual').length;
    process.stdout.write(
      `${plan.cluster.name}: ${plan.steps.length} steps (${manual} manual) on ${plan.cluster.nodes.length} nodes → ${values.out}/stacks/${plan.cluster.name}/{plan.json,PLAN.md,cdk.tf.json}\n`,
    );
    for (const w of plan.warnings) process.stdout.write(`  ${w.severity} ${w.code}: ${w.message}\n`);
  }
  return 0;
}
