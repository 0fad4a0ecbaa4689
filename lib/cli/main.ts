/**
 * `ucrollout`: the command line. Each command lives in its own module, loaded only when
 * called, so `ucrollout step run` (once per Terraform resource) starts fast.
 */
import { CliError } from './errors';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => CommandModule }> = {
  plan: { summary: 'plan --inventory FILE --out DIR: write plan.json, PLAN.md and cdk.tf.json per cluster', load: () => require('./commands/plan') },
  csr: { summary: 'csr --inventory FILE --cluster C (--purpose P [--on-node] | --service S [--server FQDN]) --out DIR: a CSR made on the node (CUCM/IM&P), or a CSR and key here', load: () => require('./commands/csr') },
  ca: { summary: 'ca init|sign: a lab CA for rehearsals and tests (not for production)', load: () => require('./commands/ca') },
  lint: { summary: 'lint --inventory FILE | --cert F --chain F --purpose P --nodes a,b: check certificates', load: () => require('./commands/lint') },
  step: { summary: 'step run ID --plan plan.json: carry out one plan step (Terraform calls this)', load: () => require('./commands/step') },
  confirm: { summary: 'confirm ID --plan plan.json [--force]: confirm a manual step was done (once the steps it waits for are)', load: () => require('./commands/confirm') },
  status: { summary: 'status --inventory FILE [--json|--format prometheus]: what the nodes hold and present; exit 0 ok, 1 warning, 2 critical, 3 unknown', load: () => require('./commands/status') },
  discover: { summary: 'discover --publisher FQDN --out FILE: write an inventory of a live cluster', load: () => require('./commands/discover') },
  renew: { summary: 'renew --inventory FILE --out DIR: plan only the certificates due for renewal or drifted', load: () => require('./commands/renew') },
  rehearse: { summary: 'rehearse --inventory FILE: apply the change to a digital twin through Terraform, then check it', load: () => require('./commands/rehearse') },
  sim: { summary: 'sim start|stop|status|fault: the digital twin of the declared clusters', load: () => require('./commands/sim') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['usage: ucrollout <command> [options]', '', 'commands:', ...lines, '', 'ucrollout <command> --help for the options of one command'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ucrollout: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.load().run(args);
  } catch (e) {
    if (e instanceof CliError || (e instanceof Error && !process.env.UCROLLOUT_DEBUG)) {
      process.stderr.write(`ucrollout ${name}: ${(e as Error).message}\n`);
      return e instanceof CliError ? e.exitCode : 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
