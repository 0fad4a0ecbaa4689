/**
 * `ucrollout step run <id> --plan plan.json [--resolve FILE] [--insecure-first-contact]`
 * `ucrollout step reconcile --plan plan.json [--resolve FILE] [--insecure-first-contact]`
 *
 * Terraform runs this once per plan step. Exit 0 with one line (what it did, or
 * `already done`); 1 when the step failed (the message names the node); 2 for a usage
 * error; 3 when a manual step awaits `ucrollout confirm` or a clean-up is not due yet (it says from when).
 */
import { AwaitingConfirmation, StepFailure } from '../../executor/errors';
import { reconcile } from '../../executor/reconcile';
import { runStep } from '../../executor/run-step';
import { CliError } from '../errors';

const USAGE = [
  'usage: ucrollout step run <id> --plan plan.json [--resolve FILE] [--insecure-first-contact]',
  '       ucrollout step reconcile --plan plan.json [--resolve FILE] [--insecure-first-contact]',
  '',
  '  run        one step: check the node, do what is left, verify (steps it depends on that have not',
  '             finished for this plan, e.g. after an interrupted apply, run first)',
  '  reconcile  every step that has not finished, then every verify step again (the last resource of',
  '             each stack runs it on every apply)',
  '',
  '  --plan FILE               the plan.json the step belongs to (its paths are relative to its folder)',
  '  --resolve FILE            the digital twin\'s ready file: connect to its addresses, still check FQDNs and pins',
  '                            (default: $UCROLLOUT_RESOLVE; neither means the real nodes)',
  '  --insecure-first-contact  accept and record the SSH host key of a node that has no pin at all',
  '                            (also UCROLLOUT_INSECURE_FIRST_CONTACT=1); a key that differs from a pin is always refused',
  '',
  'credentials: the environment variables the plan names (cluster.credentials), or its credentials file',
  'exit codes: 0 done, 1 step failed, 2 usage, 3 manual step awaiting `ucrollout confirm`, or a clean-up not due yet (apply again after the time it names)',
].join('\n');

export interface StepArgs {
  readonly id: string;
  readonly plan: string;
  readonly resolve?: string;
  readonly insecureFirstContact: boolean;
}

/** Parses `<id> --plan F [--resolve F] [--insecure-first-contact]` (also `--flag=value`). */
export function parseStepArgs(
  args: readonly string[],
  usage: string,
  flags: readonly string[] = ['--plan', '--resolve'],
  switches: readonly string[] = ['--insecure-first-contact'],
): StepArgs {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  let insecureFirstContact = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (switches.includes(a) && a === '--insecure-first-contact') insecureFirstContact = true;
    else if (flags.includes(name)) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (!value) throw new CliError(`${name} needs a value\n\n${usage}`);
      values[name] = value;
    } else if (a.startsWith('-')) throw new CliError(`unknown option '${a}'\n\n${usage}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new CliError(`give exactly one step id\n\n${usage}`);
  if (!values['--plan']) throw new CliError(`--plan is required\n\n${usage}`);
  return { id: positional[0], plan: values['--plan'], resolve: values['--resolve'], insecureFirstContact };
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'run' && sub !== 'reconcile') throw new CliError(`unknown subcommand 'step ${sub}'\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = sub === 'run' ? parseStepArgs(rest, USAGE) : parseStepArgs([...rest, 'reconcile'], USAGE);
  const stopWithParent = watchParent(parsed.id);
  try {
    const common = {
      planPath: parsed.plan,
      resolvePath: parsed.resolve,
      insecureFirstContact: parsed.insecureFirstContact || undefined,
      log: (line: string) => process.stderr.write(`${parsed.id}: ${line}\n`),
    };
    if (sub === 'reconcile') {
      const result = await reconcile(common);
      process.stdout.write(
        `reconcile: ${result.finished.length ? `finished ${result.finished.length} step(s) an interrupted apply left: ${result.finished.join(', ')}; ` : 'every step had finished; '}${result.verified.length} verify step(s) hold\n`,
      );
      return 0;
    }
    const outcome = await runStep({ ...common, stepId: parsed.id });
    process.stdout.write(`${parsed.id}: ${outcome.summary}\n`);
    return 0;
  } catch (e) {
    if (e instanceof StepFailure || e instanceof AwaitingConfirmation) throw new CliError(`${parsed.id}: ${e.message}`, e.exitCode);
    throw e;
  } finally {
    clearInterval(stopWithParent);
  }
}

/**
 * A step whose apply was killed stops too: it is reparented when Terraform dies, and a step
 * left running alone could overlap the next apply's run of it. The next apply finishes it.
 */
function watchParent(id: string): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    process.stderr.write(`${id}: the apply that started this step is gone (process ${parent}): stopping; the next apply finishes the step\n`);
    process.exit(1);
  }, 1000);
  timer.unref();
  return timer;
}
