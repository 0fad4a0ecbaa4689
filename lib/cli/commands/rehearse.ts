import { rehearse } from '../../rehearsal/rehearse';
import { DEFAULT_STEP_OVERHEAD_SECONDS } from '../../rehearsal/window';
import { timeScaleProblem } from '../../simulator/core/timing';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout rehearse --inventory FILE [--work DIR] [--issuer lab] [--restart-ms N | --time-scale S [--step-overhead-ms N]]

Rehearses the declared change on a digital twin, on the real certificate path: the twin starts
every node on loopback, the plan has each node generate its CSR (the key stays on the node), the
declared issuer signs it at apply time (a certificate declared as a file, or every one with
--issuer lab: the lab CA, NOT FOR PRODUCTION), the stacks are synthesized and applied with
Terraform (manual steps confirmed automatically), then each node's service ports are checked
over TLS. Needs Terraform ≥ 1.4 on PATH.

  --inventory FILE   inventory (YAML or JSON)
  --work DIR         work folder, emptied first (default: .rehearsal)
  --issuer lab       the lab issuer signs every certificate, also those whose declared issuer (CA)
                     is not reachable from here
  --restart-ms N     how long each twin service restart takes (default: 500)
  --time-scale S     run the twin on the timing model × S instead (a number > 0 and ≤ 1: with 0.01
                     Cisco Tomcat's 7 min take 4.2 s), apply with -parallelism = the schedule's peak
                     (at least 10) and print each apply's estimated window against the measured one
  --step-overhead-ms N  executor overhead per step the scaled estimate adds (default: ${DEFAULT_STEP_OVERHEAD_SECONDS * 1000})`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('rehearse', {
    args,
    options: {
      inventory: { type: 'string' },
      work: { type: 'string', default: '.rehearsal' },
      'restart-ms': { type: 'string' },
      'time-scale': { type: 'string' },
      'step-overhead-ms': { type: 'string' },
      issuer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.inventory) throw new CliError(`--inventory is required\n${USAGE}`);
  const restartMillis = Number(values['restart-ms'] ?? '500');
  if (!Number.isInteger(restartMillis) || restartMillis < 0) throw new CliError(`--restart-ms must be a whole number of milliseconds, got '${values['restart-ms']}'`);
  let timeScale: number | undefined;
  if (values['time-scale'] !== undefined) {
    if (values['restart-ms'] !== undefined) throw new CliError('--time-scale and --restart-ms exclude each other: the scale sets every restart from the timing model');
    const problem = timeScaleProblem(values['time-scale']);
    if (problem) throw new CliError(`--time-scale ${problem}`);
    timeScale = Number(values['time-scale']);
  }
  let stepOverheadSeconds: number | undefined;
  if (values['step-overhead-ms'] !== undefined) {
    if (timeScale === undefined) throw new CliError('--step-overhead-ms needs --time-scale: it is part of the scaled estimate');
    const ms = Number(values['step-overhead-ms']);
    if (!Number.isInteger(ms) || ms < 0) throw new CliError(`--step-overhead-ms must be a whole number of milliseconds, got '${values['step-overhead-ms']}'`);
    stepOverheadSeconds = ms / 1000;
  }
  if (values.issuer !== undefined && values.issuer !== 'lab') throw new CliError(`--issuer takes 'lab' (the lab CA signs every certificate), got '${values.issuer}'`);
  const issuer = values.issuer === 'lab' ? ('lab' as const) : undefined;
  const log = (line: string) => process.stdout.write(line + '\n');
  const summary = await rehearse({ inventory: values.inventory, workDir: values.work!, restartMillis, timeScale, stepOverheadSeconds, log, certificates: 'on-node', issuer });
  const verified = new Set(summary.checks.filter((c) => c.matchesPlan).map((c) => c.node));
  const wrong = summary.checks.filter((c) => !c.matchesPlan);
  log('');
  log(`Rehearsal of ${summary.clusters.join(', ')}: ${summary.ran} of ${summary.steps} step runs done in ${summary.seconds.toFixed(1)} s; ` +
    `${verified.size} nodes present the new certificates on ${summary.checks.length - wrong.length} of ${summary.checks.length} ports checked.`);
  for (const f of summary.failed) log(`FAILED ${f.resource}: ${f.message}`);
  if (!issuer && summary.failed.some((f) => /_sign_|issuer /.test(`${f.resource} ${f.message}`))) {
    log('A sign step failed: if the declared issuer (CA) cannot be reached from here, rehearse with --issuer lab');
  }
  for (const w of wrong) log(`WRONG CERTIFICATE ${w.node} ${w.port}: ${w.subject} (${w.sha256.slice(0, 16)}…)`);
  return summary.failed.length === 0 && wrong.length === 0 && summary.checks.length > 0 ? 0 : 1;
}
