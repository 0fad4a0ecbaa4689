/** `ucrollout renew`: plans only the declared certificates the live clusters show due or drifted. */
import { resolve } from 'node:path';
import { DriverConfigError } from '../../drivers/errors';
import { checkCredentials, collectStatus } from '../../day2/collect';
import { selectRenewals, writeRenewalStacks } from '../../day2/renew';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';
import { READ_OPTIONS, readSettings } from './status';

const USAGE = `usage: ucrollout renew --inventory FILE --out DIR [--now ISO-DATE] [--warn-days N]
                       [--resolve FILE] [--known-hosts FILE] [--parallel N] [--timeout SECONDS]

Reads the live status of every declared node and Meeting Server (as 'ucrollout status' does)
and plans only the declared certificates, CUCM / IM and Presence and Meeting Server alike, that
are due (past their renewBefore: by default once two thirds of the lifetime passed; expiring
within --warn-days; expired), drifted (not the one installed on a node they cover) or installed
but not presented yet (a restart pending). Writes their stacks as 'ucrollout plan' does
(DIR/stacks/<cluster>/{plan.json,PLAN.md,cdk.tf.json}); each plan's warnings say why each
certificate is renewed. Prints "nothing due" when none is.

A certificate from an issuer is renewed through it: its renewalGeneration goes up by one (a
fresh CSR on the node, signed again); set it in the declarations as the warning says. A Meeting
Server certificate made on the server (server-csr) gets the next 'renewal' label the same way:
the stack makes a fresh key and CSR and has it signed over its file; set the label, then run
renew again to install it. Other certificates are planned as declared (their files): put the
renewed certificate in the declared file first (ucrollout csr, then sign it). A file that still
holds the installed, due certificate is planned with a warning: applying it changes nothing.

  --inventory FILE   inventory (YAML or JSON)
  --out DIR          output folder (default: cdktf.out)
  --now ISO-DATE     judge dates as of this time (default: now)
  --warn-days N      due when it expires within N days (default 30)
  --resolve FILE     the digital twin's ready file (default: $UCROLLOUT_RESOLVE)
  --known-hosts FILE more SSH host key pins (known_hosts lines)
  --parallel N       nodes read at once (default 8)
  --timeout SECONDS  bound on reading one node (default 60)

exit codes: 0 planned or nothing due, 1 a node could not be read (what is known is planned), 2 usage`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('renew', { args, options: { ...READ_OPTIONS, out: { type: 'string', default: 'cdktf.out' } } });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const settings = readSettings('renew', values, 2, { cms: true });
  let evaluation;
  try {
    checkCredentials(settings.declarations, settings);
    evaluation = await collectStatus(settings.declarations, settings);
  } catch (e) {
    if (e instanceof DriverConfigError) throw new CliError(e.message);
    throw e;
  }
  const unreachable = evaluation.report.clusters.flatMap((c) => c.nodes.filter((n) => !n.reachable).map((n) => n.fqdn));
  for (const f of evaluation.report.findings.filter((x) => x.code === 'node-unreachable')) process.stderr.write(`${f.message}\n`);
  const selection = selectRenewals(settings.declarations, evaluation.certificates, evaluation.cmsCertificates);
  if (selection.selected.length === 0) {
    process.stdout.write(`nothing due${unreachable.length ? ` on the nodes read (${unreachable.join(', ')} could not be read)` : ''}\n`);
    return unreachable.length ? 1 : 0;
  }
  const outdir = resolve(values.out!);
  const plans = writeRenewalStacks(selection, { outdir, baseDir: settings.baseDir });
  for (const plan of plans) {
    process.stdout.write(`${plan.cluster.name}: ${plan.steps.length} steps on ${plan.cluster.nodes.length} nodes → ${values.out}/stacks/${plan.cluster.name}/{plan.json,PLAN.md,cdk.tf.json}\n`);
    for (const c of selection.selected.filter((s) => s.cluster === plan.cluster.name)) {
      process.stdout.write(`  renew ${c.purpose}${c.node ? ` (${c.node})` : ''} ${c.source}: ${c.reasons.join('; ')}\n`);
      if (c.sameCertificate) process.stdout.write(`    WARNING the declared file is the installed certificate, itself due: put the renewed certificate there first\n`);
    }
  }
  return unreachable.length ? 1 : 0;
}
