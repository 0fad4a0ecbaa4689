/**
 * The admin CLI's commands (docs/node-interfaces.md), one line in, the vendor's lines out.
 * Dialogues (paste a certificate, confirm a delete) read further lines from the terminal.
 */
import { compareRelease } from '../../catalog';
import { certificatePems } from '../../pki/pem';
import { ShellProgram, Terminal, commandWords } from '../core/cli-shell';
import { activeVersion, certDetails, certList, networkCluster, securityModeRows, serviceList } from './cli-format';
import { generateNodeCsr, hostsUnit, importIdentity, regenerateSelfSigned } from './identity';
import { ControlType, controlService, knownService } from './service-control';
import { ServiceStatus } from './state';
import { deleteTrust, findTrust, importTrust, trustStoreOfUnit } from './trust';
import { TwinWorld } from './world';

export const PROMPT = 'admin:';
export const PASTE_PROMPT = 'Paste the Certificate and Hit Enter';
export const CONFIRM_PROMPT = 'Are you sure? (yes|no)';

const BANNER = ['', 'Command Line Interface is starting up, please wait ...', '', '   Welcome to the Platform Command Line Interface', '', ''].join('\r\n');

/** The CUCM / IM&P admin CLI of a node. */
export function adminShell(world: TwinWorld, fqdn: string): ShellProgram {
  return { banner: BANNER, prompt: PROMPT, run: (line, term) => runCommand(world, fqdn, line, term) };
}

type Handler = (ctx: CommandContext, args: string[]) => Promise<void>;

interface CommandContext {
  readonly world: TwinWorld;
  readonly fqdn: string;
  readonly term: Terminal;
  readonly line: string;
}

/** Keyword paths, longest first so `show cert list` wins over `show cert`. */
const COMMANDS: [string[], Handler][] = [
  [['show', 'cert', 'list'], showCertList],
  [['show', 'cert', 'own'], showCertOwn],
  [['show', 'cert', 'trust'], showCertTrust],
  [['show', 'csr', 'own'], showCsr],
  [['show', 'network', 'cluster'], async ({ world, fqdn, term }) => networkCluster(world.clusterOf(world.spec(fqdn)), world.spec(fqdn), world.state.createdAt).forEach((l) => term.print(l))],
  [['show', 'version', 'active'], async ({ world, fqdn, term }) => term.print(`Active Master Version: ${activeVersion(world.spec(fqdn).decl.version)}`)],
  [['set', 'cert', 'import', 'trust'], importTrustCommand],
  [['set', 'cert', 'import', 'own'], importOwnCommand],
  [['set', 'cert', 'delete'], deleteCommand],
  [['set', 'cert', 'regen'], regenCommand],
  [['set', 'csr', 'gen'], csrGenCommand],
  [['utils', 'service', 'list'], async ({ world, fqdn, term }) => serviceList(world.spec(fqdn), world.node(fqdn)).forEach((l) => term.print(l))],
  [['utils', 'service', 'restart'], (ctx, args) => serviceCommand(ctx, args, 'Restart')],
  [['utils', 'service', 'start'], (ctx, args) => serviceCommand(ctx, args, 'Start')],
  [['utils', 'service', 'stop'], (ctx, args) => serviceCommand(ctx, args, 'Stop')],
  [['run', 'sql'], runSql],
];

/** Runs one command line; returns false when the session should end. */
export async function runCommand(world: TwinWorld, fqdn: string, line: string, term: Terminal): Promise<boolean> {
  const words = await commandWords(world.faults(fqdn), world.stopping.signal, line, term, ['exit', 'quit']);
  if (!words) return false;
  if (words.length === 0) return true;
  const lower = words.map((w) => w.toLowerCase());
  const match = COMMANDS.find(([path]) => path.every((w, i) => lower[i] === w));
  if (!match) {
    term.print('Executed command unsuccessfully');
    term.print(`Invalid command: ${line.trim()}`);
    return true;
  }
  await match[1]({ world, fqdn, term, line }, words.slice(match[0].length));
  return true;
}

async function showCertList({ world, fqdn, term }: CommandContext, [kind]: string[]): Promise<void> {
  if (kind !== 'own' && kind !== 'trust') return term.print('ERROR: use show cert list own|trust');
  certList(world.spec(fqdn), world.node(fqdn), kind).forEach((l) => term.print(l));
}

async function showCertOwn({ world, fqdn, term }: CommandContext, [unitArg]: string[]): Promise<void> {
  const unit = (unitArg ?? '').split('/')[0];
  const record = world.node(fqdn).identities[unit];
  if (!record) return term.print(`ERROR: Invalid certificate unit ${unitArg ?? ''}`);
  certDetails(record.chain[0]).forEach((l) => term.print(l));
}

async function showCertTrust({ world, fqdn, term }: CommandContext, [path]: string[]): Promise<void> {
  const found = path ? findTrust(world, fqdn, path) : undefined;
  if (!found) return term.print(`ERROR: ${path ?? ''} does not exist on this node`);
  certDetails(found.record.pem).forEach((l) => term.print(l));
}

/**
 * `show csr own <unit>`: the node's current CSR. With key folders (`--key-dir`, a test convenience)
 * also one CSR per folder key after it: the twin accepts a certificate for any of those keys
 * (identity.ts), and shows them so that what reads the node's CSRs agrees with what it accepts.
 */
async function showCsr({ world, fqdn, term }: CommandContext, [unit]: string[]): Promise<void> {
  const csr = world.node(fqdn).csrs[unit ?? ''];
  const folder = world.keyFinder && unit && hostsUnit(world.spec(fqdn), unit) ? (await world.keyFinder.csrs()).filter((k) => k.spki !== csr?.spki) : [];
  if (!csr && folder.length === 0) return term.print(`ERROR: No CSR exists for ${unit ?? ''}`);
  if (csr) csr.csr.trimEnd().split('\n').forEach((l) => term.print(l));
  if (folder.length > 0) term.print(`Key folder (digital twin, --key-dir): ${folder.length} more key(s) a ${unit} certificate is accepted for`);
  for (const k of folder) k.csr.trimEnd().split('\n').forEach((l) => term.print(l));
}

/** Reads pasted lines up to the first empty line. */
async function readPaste(term: Terminal): Promise<string | undefined> {
  term.print(PASTE_PROMPT);
  const lines: string[] = [];
  for (;;) {
    const line = await term.readLine();
    if (line === undefined) return undefined;
    if (line.trim() === '') return lines.join('\n');
    lines.push(line);
  }
}

async function importTrustCommand({ world, fqdn, term }: CommandContext, [unit]: string[]): Promise<void> {
  const store = unit ? trustStoreOfUnit(world.spec(fqdn), unit) : undefined;
  if (!store) return term.print(`ERROR: Invalid certificate unit ${unit ?? ''}`);
  const text = await readPaste(term);
  if (text === undefined) return;
  const result = importTrust(world, fqdn, unit, certificatePems(text));
  if (!result.ok) return term.print(`ERROR: ${result.error}`);
  term.print('Import of trust certificate is successful');
  term.print(`Restart the services related to ${store} for the change to take effect.`);
}

async function importOwnCommand({ world, fqdn, term }: CommandContext, [unit]: string[]): Promise<void> {
  if (!unit || !hostsUnit(world.spec(fqdn), unit)) return term.print(`ERROR: Invalid certificate unit ${unit ?? ''}`);
  const text = await readPaste(term);
  if (text === undefined) return;
  const result = importIdentity(world, fqdn, unit, certificatePems(text));
  if (result.error) return term.print(`ERROR: ${result.error}`);
  if (result.multiServer) {
    for (const d of result.distribution) term.print(d.ok ? `${d.node}: Success` : `${d.node}: Failed - ${d.reason}`);
  }
  const failed = result.distribution.filter((d) => !d.ok).length;
  term.print(failed === 0 ? `Successfully imported certificate for ${unit}.` : `ERROR: The certificate was not imported on ${failed} node(s)`);
  if (failed < result.distribution.length) term.print(`Please restart services related to ${unit} for the new certificate to become active.`);
}

/** `set cert delete trust <store>/<file>` or `set cert delete own <unit>/<file>` (also `<store> <file>`). */
async function deleteCommand({ world, fqdn, term }: CommandContext, [kind, first, second]: string[]): Promise<void> {
  const path = second ? `${first}/${second}` : (first ?? '');
  const slash = path.indexOf('/');
  if ((kind !== 'trust' && kind !== 'own') || slash < 0) return term.print('ERROR: use set cert delete trust <store>/<file> or own <unit>/<file>');
  const [unit, file] = [path.slice(0, slash), path.slice(slash + 1)];
  if (kind === 'trust' && !findTrust(world, fqdn, path)) return term.print(`ERROR: ${path} does not exist on this node`);
  if (kind === 'own' && world.node(fqdn).identities[unit]?.fileName !== file) return term.print(`ERROR: ${path} does not exist on this node`);
  term.print(CONFIRM_PROMPT);
  const answer = await term.readLine();
  if (answer === undefined) return;
  if (answer.trim().toLowerCase() !== 'yes') return term.print('Deletion cancelled');
  const result = kind === 'trust' ? deleteTrust(world, fqdn, unit, file) : await regenerateSelfSigned(world, fqdn, unit);
  if (!result.ok) return term.print(`ERROR: ${result.error}`);
  term.print(`Successfully deleted ${file}`);
}

async function regenCommand({ world, fqdn, term }: CommandContext, [unit]: string[]): Promise<void> {
  const result = await regenerateSelfSigned(world, fqdn, unit ?? '');
  if (!result.ok) return term.print(`ERROR: ${result.error}`);
  term.print(`Successfully Regenerated Certificate for ${unit}.`);
  term.print(`Please restart services related to ${unit} for the new certificate to become active.`);
}

/** From 14SU1 `set csr gen` asks whether to put the OU in the CSR (DOMAIN.md §6). */
export const CSR_OU_QUESTION_RELEASE = '14.0.1.11000';

async function csrGenCommand({ world, fqdn, term }: CommandContext, [unit]: string[]): Promise<void> {
  let includeOu = true;
  if (unit && hostsUnit(world.spec(fqdn), unit) && compareRelease(world.spec(fqdn).decl.version, CSR_OU_QUESTION_RELEASE) >= 0) {
    term.print('Include OU in CSR (yes|no)?');
    const answer = (await term.readLine())?.trim().toLowerCase();
    if (answer === undefined) return;
    if (answer !== 'yes' && answer !== 'no') return term.print(`ERROR: answer yes or no, got '${answer}'`);
    includeOu = answer === 'yes';
  }
  const result = await generateNodeCsr(world, fqdn, unit ?? '', { includeOu });
  if (!result.ok) return term.print(`ERROR: ${result.error}`);
  term.print(`Successfully Generated CSR for ${unit}.`);
}

async function serviceCommand({ world, fqdn, term, line }: CommandContext, _args: string[], type: ControlType): Promise<void> {
  const requested = line.trim().replace(/^\S+\s+\S+\s+\S+\s*/, '');
  const name = knownService(world, fqdn, requested) ?? requested;
  term.print('Service Manager is running');
  let current: ServiceStatus | undefined;
  const tick = Math.min(1000, Math.max(50, world.restartMillis / 4));
  // The vendor repeats the status line while a service stops or starts.
  const timer = setInterval(() => {
    if (current === 'STOPPING' || current === 'STARTING') term.print(`${name}[${current}]`);
  }, tick);
  try {
    const result = await controlService(world, fqdn, name, type, (status) => {
      current = status;
      term.print(`${name}[${status}]`);
    });
    if (!result.ok) term.print(`ERROR: ${result.reason ?? `${name} failed to start`}`);
  } finally {
    clearInterval(timer);
  }
}

async function runSql({ world, fqdn, term, line }: CommandContext): Promise<void> {
  if (/paramname\s*=\s*'ClusterSecurityMode'/i.test(line)) return securityModeRows(world.spec(fqdn)).forEach((l) => term.print(l));
  term.print('Executed command unsuccessfully');
  term.print('The twin answers only the ClusterSecurityMode query');
}
