/** `ucrollout ca init|sign`: a lab CA for rehearsals and tests. Its certificates say NOT FOR PRODUCTION. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { purposeNames } from '../../catalog';
import { LAB_CA_ORGANIZATION, LabCaFiles, createLabCa, loadLabCa, sha256Fingerprint, signCsr, writeLabCa } from '../../pki';
import { parseCommandArgs, requireValue } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout ca init --out DIR [--cn NAME] [--intermediate] [--key-type EC|RSA] [--force]
       ucrollout ca sign --ca DIR --csr FILE --purpose P --out FILE [--days N] [--force]

A lab CA for rehearsals and tests, marked O=${LAB_CA_ORGANIZATION}.
Never use it for production clusters.

ca init   creates a root (and with --intermediate an issuing CA under it) in DIR:
          ${Object.values(LabCaFiles).join(', ')} (keys mode 0600)
ca sign   signs a CSR into a certificate with the purpose's key usage and extended
          key usage; copies only the subject and subjectAltName from the CSR

options:
  --out DIR|FILE     init: the CA folder; sign: the certificate file to write
  --cn NAME          root common name (default 'uc-cert-rollout Lab Root CA')
  --intermediate     add an issuing intermediate CA
  --key-type EC|RSA  CA key type (default EC P-256; RSA is 2048-bit)
  --ca DIR           the CA folder written by 'ca init'
  --csr FILE         the CSR to sign (PEM or DER)
  --purpose P        ${purposeNames().join(', ')}
  --days N           validity of the certificate (default 365)
  --force            replace existing files
  -h, --help         this help`;

const OPTIONS = {
  out: { type: 'string' },
  cn: { type: 'string' },
  intermediate: { type: 'boolean' },
  'key-type': { type: 'string' },
  ca: { type: 'string' },
  csr: { type: 'string' },
  purpose: { type: 'string' },
  days: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args);
  const [action, ...rest] = positionals;
  if (values.help || action === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (rest.length > 0) throw new CliError(`unexpected argument '${rest[0]}': see 'ucrollout ca --help'`);
  if (action === 'init') return init(values);
  if (action === 'sign') return sign(values);
  throw new CliError(`${action ? `unknown action '${action}'` : 'missing action'}: use 'ucrollout ca init' or 'ucrollout ca sign' (see --help)`);
}

type Values = ReturnType<typeof parse>['values'];

async function init(values: Values): Promise<number> {
  const out = required(values.out, '--out DIR');
  const keyType = (values['key-type'] ?? 'EC').toUpperCase();
  if (keyType !== 'EC' && keyType !== 'RSA') throw new CliError(`--key-type must be EC or RSA, got '${values['key-type']}'`);
  if (!values.force && existsSync(join(out, LabCaFiles.ROOT_KEY))) {
    throw new CliError(`${join(out, LabCaFiles.ROOT_KEY)} exists: a new CA would orphan what the old one signed; choose another --out or pass --force`);
  }
  const ca = await createLabCa({ commonName: values.cn, intermediate: values.intermediate ?? false, keyType });
  writeLabCa(ca, out);
  process.stdout.write(
    [
      `lab CA written to ${out} (NOT FOR PRODUCTION)`,
      `  root     ${join(out, LabCaFiles.ROOT_CERT)}  SHA-256 ${sha256Fingerprint(ca.root.certPem)}`,
      ca.intermediate ? `  issuing  ${join(out, LabCaFiles.ISSUING_CERT)}  SHA-256 ${sha256Fingerprint(ca.intermediate.certPem)}` : `  issuing  ${join(out, LabCaFiles.ISSUING_CERT)}  (the root itself)`,
      `  keys     ${LabCaFiles.ROOT_KEY}, ${LabCaFiles.ISSUING_KEY} (mode 0600)`,
    ].join('\n') + '\n',
  );
  return 0;
}

async function sign(values: Values): Promise<number> {
  const dir = required(values.ca, '--ca DIR');
  const csrPath = required(values.csr, '--csr FILE');
  const purpose = required(values.purpose, '--purpose P');
  const out = required(values.out, '--out FILE');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !Number.isInteger(days)) throw new CliError(`--days must be a whole number of days, got '${values.days}'`);
  if (!values.force && existsSync(out)) throw new CliError(`${out} exists: choose another --out or pass --force`);
  let csrPem: string;
  try {
    csrPem = readFileSync(csrPath, 'latin1');
  } catch (e) {
    throw new CliError(`cannot read --csr '${csrPath}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the CSR file`);
  }
  const leaf = await signCsr(loadLabCa(dir), csrPem, { purpose, days, csrLabel: csrPath });
  writeFileSync(out, leaf);
  process.stdout.write(`wrote ${out} (${purpose}, signed by the lab CA in ${dir}, NOT FOR PRODUCTION)  SHA-256 ${sha256Fingerprint(leaf)}\n`);
  return 0;
}

function parse(args: string[]) {
  return parseCommandArgs('ca', { args, options: OPTIONS, allowPositionals: true });
}

function required(value: string | undefined, what: string): string {
  return requireValue('ca', value, what);
}
