/** `ucrollout lint`: checks signed certificates before a plan is accepted. Exit 1 on any error finding. */
import { purposeNames } from '../../catalog';
import { loadInventory } from '../../inventory';
import { ISSUER_LINT_CODES, lintIssuers } from '../../issuers/lint';
import { lintAll } from '../../platforms';
import { DEFAULT_RENEWAL_WINDOW_DAYS, LINT_CODES, LintFinding, hasErrors, lintCertificate } from '../../pki';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';
import { readBounded } from '../../pki/bounded-read';

const USAGE = `usage: ucrollout lint --inventory FILE [--now ISO-DATE] [--renewal-window DAYS] [--json]
       ucrollout lint --cert FILE [--chain FILE] [--root FILE] --purpose P [--nodes a,b,c]
                      [--distribution D] [--common-name CN] [--key FILE] [--csr FILE] [--json]
       ucrollout lint --codes

Checks certificates before anything is touched: SAN coverage of the nodes, CN in the SANs,
wildcards, key type and size, signature hash, key usage and EKU of the purpose, dates, the
chain to the root, and that key and CSR belong to the certificate. With --inventory, also what
each declared issuer needs at its sign step: its caBundle, lab CA, DNS-01 hook or program, and
the variables of its secrets (set here? a warning, never a value shown). Exit status 1 on any error.

options:
  --inventory FILE       lint every certificate the inventory declares, against its CA and cluster,
                         and every issuer the certificates use
  --cert FILE            the signed certificate (PEM or DER; PEM blocks after it count as chain)
  --chain FILE           intermediates, issuing CA first (PEM, DER or .p7b; may end with the root)
  --chain-order O        issuer-first (default) or root-first
  --root FILE            the root the chain must end at
  --purpose P            ${purposeNames().join(', ')}
  --nodes a,b,c          FQDNs the SAN list must hold
  --distribution D       multi-server or single-server (default: multi-server when the purpose has it)
  --common-name CN       the CN the certificate must have (e.g. <publisher>-ms)
  --key FILE             the private key: checks it belongs to the certificate
  --csr FILE             the CSR it was signed from: checks public key and SANs match
  --now ISO-DATE         check dates as of this time (default: now)
  --renewal-window DAYS  warn when a certificate expires within DAYS (default ${DEFAULT_RENEWAL_WINDOW_DAYS})
  --json                 print {"findings": [...], "errors": n, "warnings": n}
  --codes                list every finding code with its severity
  -h, --help             this help`;

const OPTIONS = {
  inventory: { type: 'string' },
  cert: { type: 'string' },
  chain: { type: 'string' },
  'chain-order': { type: 'string' },
  root: { type: 'string' },
  purpose: { type: 'string' },
  nodes: { type: 'string' },
  distribution: { type: 'string' },
  'common-name': { type: 'string' },
  key: { type: 'string' },
  csr: { type: 'string' },
  now: { type: 'string' },
  'renewal-window': { type: 'string' },
  json: { type: 'boolean' },
  codes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parse(args);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.codes) {
    const rows = Object.entries({ ...LINT_CODES, ...ISSUER_LINT_CODES }).map(([code, [severity, summary]]) => `${severity.padEnd(8)}${code.padEnd(29)} ${summary}`);
    process.stdout.write(rows.join('\n') + '\n');
    return 0;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new CliError(`--now must be an ISO date such as 2026-06-01T00:00:00Z, got '${values.now}'`);
  const window = values['renewal-window'] === undefined ? undefined : Number(values['renewal-window']);
  if (window !== undefined && !(Number.isInteger(window) && window >= 0)) {
    throw new CliError(`--renewal-window must be a whole number of days, got '${values['renewal-window']}'`);
  }

  let findings: LintFinding[];
  let subject: string;
  if (values.inventory) {
    if (values.cert) throw new CliError("give either --inventory or --cert, not both: see 'ucrollout lint --help'");
    const { declarations, baseDir } = loadInventory(values.inventory);
    findings = [...lintAll(declarations, { baseDir, now, renewalWindowDays: window }), ...lintIssuers(declarations, { baseDir, now })];
    const count = declarations.certificates.length + (declarations.cmsCertificates ?? []).length;
    const issuers = (declarations.issuers ?? []).length;
    subject = `${count} declared certificate(s)${issuers > 0 ? ` and ${issuers} issuer(s)` : ''} of ${values.inventory}`;
  } else if (values.cert) {
    if (!values.purpose) throw new CliError(`missing --purpose P (one of ${purposeNames().join(', ')}): see 'ucrollout lint --help'`);
    const order = values['chain-order'] ?? 'issuer-first';
    if (order !== 'issuer-first' && order !== 'root-first') throw new CliError(`--chain-order must be issuer-first or root-first, got '${order}'`);
    const distribution = values.distribution;
    if (distribution !== undefined && distribution !== 'multi-server' && distribution !== 'single-server') {
      throw new CliError(`--distribution must be multi-server or single-server, got '${distribution}'`);
    }
    findings = lintCertificate({
      leaf: readInput(values.cert, '--cert'),
      label: values.cert,
      chain: values.chain === undefined ? undefined : readInput(values.chain, '--chain'),
      chainLabel: values.chain,
      chainOrder: order,
      root: values.root === undefined ? undefined : readInput(values.root, '--root'),
      rootLabel: values.root,
      key: values.key === undefined ? undefined : readInput(values.key, '--key'),
      keyLabel: values.key,
      csr: values.csr === undefined ? undefined : readInput(values.csr, '--csr'),
      csrLabel: values.csr,
      purpose: values.purpose,
      nodes: values.nodes?.split(',').map((n) => n.trim()).filter(Boolean),
      distribution,
      commonName: values['common-name'],
      now,
      renewalWindowDays: window,
    });
    subject = values.cert;
  } else {
    throw new CliError("give --inventory FILE or --cert FILE: see 'ucrollout lint --help'");
  }

  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (values.json) {
    process.stdout.write(JSON.stringify({ findings, errors, warnings }, null, 2) + '\n');
  } else {
    for (const f of findings) process.stdout.write(`${f.severity.padEnd(8)}${f.code.padEnd(27)} ${f.message}\n`);
    const verdict = findings.length === 0 ? 'no findings' : `${errors} error(s), ${warnings} warning(s)`;
    process.stdout.write(`${subject}: ${verdict}\n`);
  }
  return hasErrors(findings) ? 1 : 0;
}

function parse(args: string[]) {
  return parseCommandArgs('lint', { args, options: OPTIONS, allowPositionals: false });
}

function readInput(path: string, flag: string): Buffer {
  try {
    return readBounded(path);
  } catch (e) {
    throw new CliError(`cannot read ${flag} '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path`);
  }
}
