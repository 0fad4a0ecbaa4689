/** `ucrollout csr`: a private key and a CSR for a purpose of a declared cluster, as the platform would generate them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../../inventory';
import { CsrOptions, EcCurve, HashName, KeyType, RsaKeySize, SECRET_FILE_MODE, csrContent, generateCsr, writeSecretFile } from '../../pki';
import { findPurpose, purposeNames } from '../../catalog';
import { CertificateDecl } from '../../model';
import { parseCommandArgs, requireValue } from '../args';
import { CliError } from '../errors';

/**
 * What a key made here is (not) for: CUCM and IM&P have no private-key import (DOMAIN.md §2, §5),
 * so their certificates take the real path, the CSR made on the node.
 */
export const ON_NODE_NOTE = `A key made here is for a platform that takes a key file (a Meeting Server: docs/cms.md) or a test.
A CUCM or IM&P node has NO private-key import: it installs only a certificate signed from a CSR it
generated itself, so a certificate signed from this CSR cannot be installed on a node. For CUCM / IM&P,
declare issuer: on the certificate (the plan has the node generate the CSR and the issuer sign it), or
generate the CSR on the node (set csr gen <unit>, or Cisco Unified OS Administration > Generate CSR).`;

const USAGE = `usage: ucrollout csr --inventory FILE --cluster NAME --purpose P --out DIR [options]

Generates a private key and a CSR the way the platform's Generate CSR does: multi-server
CN by the publisher's declared release (<host>-ms.<domain> from 11.5, <publisher FQDN>-ms on
10.5; a declared certificate's commonName overrides it), SANs of every node the purpose covers
(and the CN), the purpose's key usage. Writes DIR/<name>.csr and DIR/<name>.key (mode 0600; keep it out of the repository).

${ON_NODE_NOTE}

options:
  --inventory FILE         inventory declaring the cluster (YAML or JSON)
  --cluster NAME           the cluster
  --purpose P              ${purposeNames().join(', ')}
  --distribution D         multi-server (default when the purpose has it) or single-server
  --node FQDN              single-server: the node the certificate is for
  --key-type RSA|EC        default: EC for -ECDSA purposes, RSA otherwise
  --key-size N             RSA: 2048 (default), 3072, 4096
  --curve C                EC: P-256 (default), P-384
  --hash H                 SHA-256 (default), SHA-384, SHA-512
  --o, --ou, --l, --st, --c VALUE   subject organization, unit, locality, state, country (2 letters)
  --other-domains FILE     extra SAN DNS names, one per line (the platform's .txt import)
  --other-domain NAME      one extra SAN DNS name (repeatable)
  --wildcard-domain D      cup-xmpp-s2s: add *.D for group chat over federation (repeatable)
  --out DIR                folder for the CSR and key
  --force                  replace an existing CSR and key of the same name
  --json                   print the written paths, CN and SANs as JSON
  -h, --help               this help`;

const OPTIONS = {
  inventory: { type: 'string' },
  cluster: { type: 'string' },
  purpose: { type: 'string' },
  distribution: { type: 'string' },
  node: { type: 'string' },
  'key-type': { type: 'string' },
  'key-size': { type: 'string' },
  curve: { type: 'string' },
  hash: { type: 'string' },
  o: { type: 'string' },
  ou: { type: 'string' },
  l: { type: 'string' },
  st: { type: 'string' },
  c: { type: 'string' },
  'other-domains': { type: 'string' },
  'other-domain': { type: 'string', multiple: true },
  'wildcard-domain': { type: 'string', multiple: true },
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parse(args);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const inventory = required(values.inventory, '--inventory FILE');
  const clusterName = required(values.cluster, '--cluster NAME');
  const purposeName = required(values.purpose, '--purpose P');
  const out = required(values.out, '--out DIR');
  const purpose = findPurpose(purposeName);
  if (!purpose) throw new CliError(`unknown purpose '${purposeName}': use one of ${purposeNames().join(', ')}`);

  const { declarations } = loadInventory(inventory);
  const cluster = declarations.clusters.find((c) => c.name === clusterName);
  if (!cluster) {
    throw new CliError(`cluster '${clusterName}' is not in ${inventory}: use one of ${declarations.clusters.map((c) => c.name).join(', ') || '(none declared)'}`);
  }
  const keySize = values['key-size'] === undefined ? undefined : Number(values['key-size']);
  if (keySize !== undefined && !Number.isInteger(keySize)) throw new CliError(`--key-size must be 2048, 3072 or 4096, got '${values['key-size']}'`);
  const opts: CsrOptions = {
    cluster,
    purpose: purposeName,
    distribution: (values.distribution ?? (purpose.multiServer && !values.node ? 'multi-server' : 'single-server')) as CsrOptions['distribution'],
    node: values.node,
    keyType: values['key-type']?.toUpperCase() as KeyType | undefined,
    keySize: keySize as RsaKeySize | undefined,
    curve: values.curve?.toUpperCase() as EcCurve | undefined,
    hash: values.hash?.toUpperCase() as HashName | undefined,
    subject: { O: values.o, OU: values.ou, L: values.l, ST: values.st, C: values.c },
    otherDomains: [...(values['other-domains'] ? domainsFile(values['other-domains']) : []), ...(values['other-domain'] ?? [])],
    wildcardDomains: values['wildcard-domain'],
    commonName: declaredCommonName(declarations.certificates, clusterName, purposeName, values.node),
  };
  const { name } = csrContent(opts);
  const csrPath = join(out, `${name}.csr`);
  const keyPath = join(out, `${name}.key`);
  if (!values.force) {
    for (const p of [csrPath, keyPath]) {
      if (existsSync(p)) throw new CliError(`${p} exists: a new key replaces the one that may be in use; move it away or pass --force`);
    }
  }
  const csr = await generateCsr(opts);
  writeSecretFile(keyPath, csr.keyPem);
  writeFileSync(csrPath, csr.csrPem);
  if (values.json) {
    process.stdout.write(JSON.stringify({ name: csr.name, csr: csrPath, key: keyPath, commonName: csr.commonName, sans: csr.sans, note: ON_NODE_NOTE.replace(/\n/g, ' ') }, null, 2) + '\n');
  } else {
    process.stdout.write(
      `wrote ${csrPath}\n  CN ${csr.commonName}\n  SANs ${csr.sans.join(', ')}\nwrote ${keyPath} (mode ${SECRET_FILE_MODE.toString(8).padStart(4, '0')}: keep it out of the repository)\n\n${ON_NODE_NOTE}\n`,
    );
  }
  return 0;
}

/** The commonName a declared certificate of this cluster, purpose (and node) overrides the platform's with. */
function declaredCommonName(certificates: readonly CertificateDecl[], cluster: string, purpose: string, node: string | undefined): string | undefined {
  const want = node?.toLowerCase();
  return certificates.find((c) => c.cluster === cluster && c.purpose === purpose && (c.node ?? undefined) === want && c.commonName !== undefined)?.commonName;
}

function parse(args: string[]) {
  return parseCommandArgs('csr', { args, options: OPTIONS, allowPositionals: false });
}

function required(value: string | undefined, what: string): string {
  return requireValue('csr', value, what);
}

/** One DNS name a line; blank lines and `#` comments skipped. */
function domainsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --other-domains '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a text file, one DNS name per line`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}
