/**
 * `ucrollout status`: what the declared nodes hold and present now, judged against the
 * inventory and the clock, with the exit codes of a monitoring plugin. Reads only.
 */
import { DriverConfigError } from '../../drivers/errors';
import { loadResolveMap, resolveMapPath } from '../../drivers/resolve';
import { checkCredentials, collectStatus } from '../../day2/collect';
import { renderJson, renderPrometheus, renderTable } from '../../day2/render';
import { DEFAULT_CRITICAL_DAYS, DEFAULT_WARN_DAYS, exitCodeOf } from '../../day2/status';
import { loadInventory } from '../../inventory';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

export const STATUS_USAGE = `usage: ucrollout status --inventory FILE [--json | --format table|json|prometheus]
                        [--warn-days N] [--critical-days N] [--now ISO-DATE]
                        [--resolve FILE] [--known-hosts FILE] [--parallel N] [--timeout SECONDS]

Reads every declared CUCM and IM and Presence node and every declared Meeting Server (cmsClusters)
with the drivers, credentials, host key pins and resolve map a plan step uses, and reports per
cluster, node and purpose the identity certificate the node holds and what its service port
presents, and per trust store what it trusts. A Meeting Server's purposes are its services
(webadmin, callbridge, webbridge, webbridge3, xmpp, turn): the certificate each is configured
with over the MMP ('pki list', '<service>', 'pki inspect') and what its TLS port presents; it
reports no trust stores, and cmsCertificates give ok or drift. It never changes a node.

state of each identity:
  ok               the declared certificate, installed and presented, not due
  due              expires within --warn-days, or past its renewBefore (default: two thirds of its lifetime)
  expired          expired
  drift            a declared certificate is not the one installed
  pending-restart  installed, but the port still presents another (a service restart is pending)
  unmanaged        nothing is declared for it

findings (each with its fix): unreachable nodes, expiry, drift, pending restarts, a node missing
from a multi-server certificate's SANs, a node back on a self-signed certificate, trust
certificates expired or expiring, nodes the publisher lists that the inventory lacks.

exit codes (Nagios / Icinga / Zabbix / Checkmk):
  0  every declared certificate ok, nothing on any node expired or due
  1  warning: due within --warn-days or by renewBefore, drift, pending restart, a re-issue trigger
  2  critical: expired, due within --critical-days, a node unreachable
  3  unknown: bad arguments or inventory, missing credentials

options:
  --inventory FILE      inventory (YAML or JSON)
  --json                the report as JSON (formatVersion 1); same as --format json
  --format F            table (default; colour on a terminal), json, or prometheus (text exposition
                        format for node_exporter's textfile collector)
  --warn-days N         warning when a certificate expires within N days (default ${DEFAULT_WARN_DAYS})
  --critical-days N     critical within N days (default ${DEFAULT_CRITICAL_DAYS})
  --now ISO-DATE        judge dates as of this time (default: now)
  --resolve FILE        the digital twin's ready file (default: $UCROLLOUT_RESOLVE; neither: the real nodes)
  --known-hosts FILE    more SSH host key pins (known_hosts lines), e.g. a stack's plan.state/known_hosts.first-contact
  --parallel N          nodes read at once (default 8)
  --timeout SECONDS     bound on reading one node (default 60)

metrics (--format prometheus):
  ucrollout_certificate_expiration_timestamp_seconds{cluster,node,purpose}   (Meeting Server: purpose = service)
  ucrollout_certificate_ready{cluster,node,purpose}            1 when the state is ok
  ucrollout_trust_expiration_timestamp_seconds{cluster,node,store,subject}
  ucrollout_node_reachable{cluster,node}`;

/** Exit code for bad arguments or inventory (a monitoring plugin's UNKNOWN). */
export const UNKNOWN = 3;

export const READ_OPTIONS = {
  inventory: { type: 'string' },
  now: { type: 'string' },
  'warn-days': { type: 'string' },
  'critical-days': { type: 'string' },
  resolve: { type: 'string' },
  'known-hosts': { type: 'string', multiple: true },
  parallel: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ReadArgs {
  readonly inventory?: string;
  readonly now?: string;
  readonly 'warn-days'?: string;
  readonly 'critical-days'?: string;
  readonly resolve?: string;
  readonly 'known-hosts'?: string[];
  readonly parallel?: string;
  readonly timeout?: string;
}

/** The options status and renew share, checked: a wrong one is a CliError with `exitCode`. */
export function readSettings(command: string, values: ReadArgs, exitCode: number, opts: { readonly cms?: boolean } = {}) {
  const fail = (message: string) => new CliError(`${message}: see 'ucrollout ${command} --help'`, exitCode);
  if (!values.inventory) throw fail('--inventory is required');
  const whole = (flag: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw fail(`${flag} must be a whole number ≥ ${min}, got '${value}'`);
    return n;
  };
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw fail(`--now must be an ISO date such as 2026-06-01T00:00:00Z, got '${values.now}'`);
  const warnDays = whole('--warn-days', values['warn-days'], DEFAULT_WARN_DAYS, 0);
  const criticalDays = whole('--critical-days', values['critical-days'], DEFAULT_CRITICAL_DAYS, 0);
  if (criticalDays > warnDays) throw fail(`--critical-days (${criticalDays}) must not exceed --warn-days (${warnDays})`);
  const parallel = whole('--parallel', values.parallel, 8, 1);
  const timeout = whole('--timeout', values.timeout, 60, 1);
  let loaded;
  try {
    loaded = loadInventory(values.inventory);
  } catch (e) {
    throw new CliError((e as Error).message, exitCode);
  }
  const cms = opts.cms ? (loaded.declarations.cmsClusters ?? []).length : 0;
  if (loaded.declarations.clusters.length === 0 && cms === 0) {
    throw new CliError(`${values.inventory} declares no CUCM / IM and Presence cluster${opts.cms ? ' and no Meeting Server cluster' : ''}: ${command} reads those`, exitCode);
  }
  const resolveFile = resolveMapPath(values.resolve);
  let resolveMap;
  try {
    resolveMap = resolveFile ? loadResolveMap(resolveFile) : undefined;
  } catch (e) {
    throw new CliError((e as Error).message, exitCode);
  }
  return { ...loaded, now, warnDays, criticalDays, parallel, nodeTimeoutMs: timeout * 1000, resolveMap, knownHosts: values['known-hosts'] ?? [] };
}

export async function run(args: string[]): Promise<number> {
  try {
    return await runStatus(args);
  } catch (e) {
    // A monitoring plugin that cannot tell says UNKNOWN, whatever went wrong.
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, UNKNOWN);
  }
}

async function runStatus(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs('status', { args, options: { ...READ_OPTIONS, json: { type: 'boolean' }, format: { type: 'string' } } });
  } catch (e) {
    throw new CliError((e as Error).message, UNKNOWN);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(STATUS_USAGE + '\n');
    return 0;
  }
  const format = values.format ?? (values.json ? 'json' : 'table');
  if (!['table', 'json', 'prometheus'].includes(format)) throw new CliError(`--format must be table, json or prometheus, got '${format}'`, UNKNOWN);
  if (values.json && values.format && values.format !== 'json') throw new CliError(`give --json or --format ${values.format}, not both`, UNKNOWN);
  const settings = readSettings('status', values, UNKNOWN, { cms: true });
  let evaluation;
  try {
    checkCredentials(settings.declarations, settings);
    evaluation = await collectStatus(settings.declarations, settings);
  } catch (e) {
    if (e instanceof DriverConfigError) throw new CliError(e.message, UNKNOWN);
    throw e;
  }
  const { report } = evaluation;
  const text = format === 'json' ? renderJson(report) : format === 'prometheus' ? renderPrometheus(report) : renderTable(report, { colour: !!process.stdout.isTTY && !process.env.NO_COLOR });
  process.stdout.write(text);
  return exitCodeOf(report);
}
