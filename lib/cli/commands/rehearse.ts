import { rehearse } from '../../rehearsal/rehearse';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout rehearse --inventory FILE [--work DIR] [--restart-ms N]

Rehearses the declared change on a digital twin: a lab CA (NOT FOR PRODUCTION) signs the
declared certificates from CSRs, the twin starts every node on loopback, the stacks are
synthesized and applied with Terraform (manual steps confirmed automatically), then each
node's service ports are checked over TLS. Needs Terraform ≥ 1.4 on PATH.

  --inventory FILE   inventory (YAML or JSON)
  --work DIR         work folder, emptied first (default: .rehearsal)
  --restart-ms N     how long each twin service restart takes (default: 500)`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('rehearse', {
    args,
    options: {
      inventory: { type: 'string' },
      work: { type: 'string', default: '.rehearsal' },
      'restart-ms': { type: 'string', default: '500' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.inventory) throw new CliError(`--inventory is required\n${USAGE}`);
  const restartMillis = Number(values['restart-ms']);
  if (!Number.isInteger(restartMillis) || restartMillis < 0) throw new CliError(`--restart-ms must be a whole number of milliseconds, got '${values['restart-ms']}'`);
  const log = (line: string) => process.stdout.write(line + '\n');
  const summary = await rehearse({ inventory: values.inventory, workDir: values.work!, restartMillis, log });
  const verified = new Set(summary.checks.filter((c) => c.matchesPlan).map((c) => c.node));
  const wrong = summary.checks.filter((c) => !c.matchesPlan);
  log('');
  log(`Rehearsal of ${summary.clusters.join(', ')}: ${summary.ran} of ${summary.steps} step runs done in ${summary.seconds.toFixed(1)} s; ` +
    `${verified.size} nodes present the new certificates on ${summary.checks.length - wrong.length} of ${summary.checks.length} ports checked.`);
  for (const f of summary.failed) log(`FAILED ${f.resource}: ${f.message}`);
  for (const w of wrong) log(`WRONG CERTIFICATE ${w.node} ${w.port}: ${w.subject} (${w.sha256.slice(0, 16)}…)`);
  return summary.failed.length === 0 && wrong.length === 0 && summary.checks.length > 0 ? 0 : 1;
}
