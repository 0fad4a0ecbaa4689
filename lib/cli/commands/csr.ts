/**
 * `ucrollout csr`: a CSR for a purpose of a declared cluster, as the platform would generate it:
 * here, with its private key (for a platform that takes a key file, and tests), or with
 * `--on-node` on the node itself, which keeps the key (CUCM and IM&P: csr-on-node.ts). For a
 * Meeting Server cluster, a key file and its CSR for a service (csr-cms.ts).
 */
import { readFileSync } from 'node:fs';
import { loadInventory } from '../../inventory';
import { CsrOptions, csrContent, generateCsr } from '../../pki';
import { findPurpose, purposeNames } from '../../catalog';
import { CMS_SERVICES, CertificateDecl, Declarations, Distribution } from '../../model';
import { parseCommandArgs, requireValue } from '../args';
import { CliError } from '../errors';
import { CsrTarget, LOCAL_KEY_OPTIONS, runOnNode } from './csr-on-node';
import { refuseCucmOptions, runCms } from './csr-cms';
import { SECRET_MODE_TEXT, localCsrPaths, localKeyOptions, refuseExisting, writeLocalCsr } from './csr-local';

/**
 * What a key made here is (not) for: CUCM and IM&P have no private-key import (DOMAIN.md §2, §5),
 * so their certificates take the real path, the CSR made on the node.
 */
export const ON_NODE_NOTE = `A key made here for a CUCM purpose is for a test. (A Meeting Server takes a key file: for its
cluster under cmsClusters, ucrollout csr --service S makes the key and CSR it installs, docs/cms.md.)
A CUCM or IM&P node has NO private-key import: it installs only a certificate signed from a CSR it
generated itself, so a certificate signed from this CSR cannot be installed on a node. For CUCM / IM&P,
declare issuer: on the certificate (the plan has the node generate the CSR and the issuer sign it), or
have the node generate the CSR: ucrollout csr --on-node (the same --inventory, --cluster, --purpose),
set csr gen <unit>, or Cisco Unified OS Administration > Generate CSR.`;

const USAGE = `usage: ucrollout csr --inventory FILE --cluster NAME --purpose P [--distribution D] [--node FQDN] --on-node --out DIR
                     [--resolve FILE] [--known-hosts FILE] [--other-domain NAME] [--force] [--json]
       ucrollout csr --inventory FILE --cluster NAME --service S [--server FQDN] [--scope SC] --out DIR [options]
       ucrollout csr --inventory FILE --cluster NAME --purpose P --out DIR [options]

--on-node (CUCM and IM and Presence): connects to the node as a plan step does (credentials, host
key pins, resolve map) and has it generate the CSR the plan's generate-csr step asks for: a
multi-server CSR on the purpose's publisher, a single-server one on --node; the node keeps the key.
Checks the CSR has the expected CN and SANs and writes DIR/<name>.csr only. A newer CSR makes the
older one stale on the node (a certificate signed from it is refused): an existing DIR/<name>.csr
is not replaced without --force. Then have the CA sign it, declare the signed file as certificate:
and plan. Exit codes: 0 written, 1 the node could not be reached or refused, 2 usage, inventory or
credentials.

--service (a Meeting Server cluster, declared under cmsClusters; --purpose takes a service name there
too): a Meeting Server takes a key file, so the private key and its CSR are made here, with the
names of the CSR table (DOMAIN.md §4) the plan's lint checks: per server CN = the server (webbridge:
SANs server, join URL, XMPP domains; webbridge3: server, join URL), clustered CN = the cluster FQDN
with every server running the service as SANs (xmpp: and the XMPP domains). --server FQDN makes it
per server, without it a clustered one (xmpp is clustered only, webadmin and webbridge per server
only). Server and client authentication; RSA 2048 by default, as the server's pki csr makes it.
Writes DIR/<b>.csr and DIR/<b>.key (mode 0600), <b> the declared certificate's basename, else
<service>-<server short name> (clustered: <service>-clustered). Have the CA sign the CSR, declare
the certificate with key: DIR/<b>.key (source ca), then ucrollout lint --inventory and plan.
--on-node and --distribution are for CUCM and IM&P and are refused here, as --service is on a CUCM cluster.

Without --on-node, for a CUCM or IM&P purpose, generates a private key and a CSR here, the way the platform's Generate CSR does: multi-server
CN by the publisher's declared release (<host>-ms.<domain> from 11.5, <publisher FQDN>-ms on
10.5; a declared certificate's commonName overrides it), SANs of every node the purpose covers
(and the CN), the purpose's key usage. Writes DIR/<name>.csr and DIR/<name>.key (mode 0600; keep it out of the repository).

${ON_NODE_NOTE}

options:
  --inventory FILE         inventory declaring the cluster (YAML or JSON)
  --cluster NAME           the cluster (CUCM / IM&P, or a Meeting Server cluster)
  --purpose P              ${purposeNames().join(', ')}
  --service S              Meeting Server: ${CMS_SERVICES.join(', ')}
  --server FQDN            Meeting Server: the server of a per-server certificate
  --scope SC               Meeting Server: per-server (default with --server) or clustered (default without)
  --distribution D         multi-server (default when the purpose has it) or single-server
  --node FQDN              single-server: the node the certificate is for
  --on-node                have the node generate the CSR and keep the key (CUCM and IM&P)
  --resolve FILE           --on-node: the digital twin's ready file (default: $UCROLLOUT_RESOLVE; neither: the real nodes)
  --known-hosts FILE       --on-node: more SSH host key pins (known_hosts lines; repeatable)
  --key-type RSA|EC        default: EC for -ECDSA purposes, RSA otherwise (not with --on-node: the
                           node makes the key the plan asks for, and the subject options below too)
  --key-size N             RSA: 2048 (default), 3072, 4096
  --curve C                EC: P-256 (default), P-384
  --hash H                 SHA-256 (default), SHA-384, SHA-512
  --o, --ou, --l, --st, --c VALUE   subject organization, unit, locality, state, country (2 letters);
                           a Meeting Server's pki csr has no locality (--l)
  --other-domains FILE     extra SAN DNS names, one per line (the platform's .txt import; not for a Meeting Server)
  --other-domain NAME      one extra SAN DNS name (repeatable; not for a Meeting Server)
  --wildcard-domain D      cup-xmpp-s2s: add *.D for group chat over federation (repeatable)
  --out DIR                folder for the CSR (and the key, without --on-node)
  --force                  replace an existing CSR (and key) of the same name
  --json                   print the written paths, CN and SANs as JSON
  -h, --help               this help`;

const OPTIONS = {
  inventory: { type: 'string' },
  cluster: { type: 'string' },
  purpose: { type: 'string' },
  service: { type: 'string' },
  server: { type: 'string' },
  scope: { type: 'string' },
  distribution: { type: 'string' },
  node: { type: 'string' },
  'on-node': { type: 'boolean' },
  resolve: { type: 'string' },
  'known-hosts': { type: 'string', multiple: true },
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

/** Options of a Meeting Server CSR, with what a CUCM or IM&P cluster takes instead. */
const CMS_ONLY: Readonly<Record<'service' | 'server' | 'scope', string>> = {
  service: 'name the purpose with --purpose P',
  server: 'name the node with --node FQDN',
  scope: 'use --distribution multi-server or single-server',
};

type Values = ReturnType<typeof parse>['values'];

export async function run(args: string[]): Promise<number> {
  const { values } = parse(args);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const inventory = required(values.inventory, '--inventory FILE');
  const clusterName = required(values.cluster, '--cluster NAME');
  const out = required(values.out, '--out DIR');
  const { declarations, baseDir } = loadInventory(inventory);
  // A Meeting Server takes a key file: its own form, before any CUCM purpose rule.
  const cms = (declarations.cmsClusters ?? []).find((c) => c.name === clusterName);
  if (cms) {
    refuseCucmOptions(values, cms);
    return runCms(declarations, cms, out, values, baseDir);
  }
  const target = csrTarget(values, { inventory, declarations, baseDir, clusterName, out });
  if (values['on-node']) return runOnNode(target, values);
  const { cluster, purpose: purposeName, declared } = target;
  const opts: CsrOptions = {
    cluster,
    purpose: purposeName,
    distribution: target.distribution,
    node: target.node,
    ...localKeyOptions(values),
    subject: { O: values.o, OU: values.ou, L: values.l, ST: values.st, C: values.c },
    otherDomains: target.otherDomains,
    wildcardDomains: values['wildcard-domain'],
    commonName: declared?.commonName,
  };
  const paths = localCsrPaths(out, csrContent(opts).name);
  refuseExisting(paths, values.force);
  const csr = await generateCsr(opts);
  writeLocalCsr(paths, csr);
  if (values.json) {
    process.stdout.write(JSON.stringify({ name: csr.name, csr: paths.csr, key: paths.key, commonName: csr.commonName, sans: csr.sans, note: ON_NODE_NOTE.replace(/\n/g, ' ') }, null, 2) + '\n');
  } else {
    process.stdout.write(`wrote ${paths.csr}\n  CN ${csr.commonName}\n  SANs ${csr.sans.join(', ')}\nwrote ${paths.key} (${SECRET_MODE_TEXT})\n\n${ON_NODE_NOTE}\n`);
  }
  return 0;
}

interface LoadedTarget {
  readonly inventory: string;
  readonly declarations: Declarations;
  readonly baseDir: string;
  readonly clusterName: string;
  readonly out: string;
}

/** What both CUCM forms share: the inventory's cluster, the purpose, the distribution, the declared certificate and the extra names, checked. */
function csrTarget(values: Values, loaded: LoadedTarget): CsrTarget {
  const { inventory, declarations, clusterName } = loaded;
  const cluster = declarations.clusters.find((c) => c.name === clusterName);
  if (!cluster) {
    const names = [...declarations.clusters, ...(declarations.cmsClusters ?? [])].map((c) => c.name);
    throw new CliError(`cluster '${clusterName}' is not in ${inventory}: use one of ${names.join(', ') || '(none declared)'}`);
  }
  const cmsOnly = (Object.keys(CMS_ONLY) as (keyof typeof CMS_ONLY)[]).filter((o) => values[o] !== undefined);
  if (cmsOnly.length > 0) {
    throw new CliError(`cluster '${clusterName}' is a CUCM / IM and Presence cluster: ${cmsOnly.map((o) => `--${o} is for a Meeting Server cluster (cmsClusters); ${CMS_ONLY[o]}`).join('; ')}`);
  }
  const purposeName = required(values.purpose, '--purpose P');
  const purpose = findPurpose(purposeName);
  if (!purpose) {
    const service = (CMS_SERVICES as readonly string[]).includes(purposeName) ? ` ('${purposeName}' is a Meeting Server service: for a cluster under cmsClusters, --service ${purposeName})` : '';
    throw new CliError(`unknown purpose '${purposeName}': use one of ${purposeNames().join(', ')}${service}`);
  }
  if (values['on-node']) {
    const local = LOCAL_KEY_OPTIONS.filter((o) => values[o] !== undefined);
    if (local.length > 0) throw new CliError(`--${local.join(', --')} ${local.length === 1 ? 'is' : 'are'} for a key made here: with --on-node the node makes the key and subject the plan asks for; leave ${local.length === 1 ? 'it' : 'them'} out`);
  }
  const distribution = (values.distribution ?? (purpose.multiServer && !values.node ? 'multi-server' : 'single-server')) as Distribution;
  return {
    declarations,
    baseDir: loaded.baseDir,
    cluster,
    purpose: purposeName,
    distribution,
    node: values.node,
    declared: declaredCertificate(declarations.certificates, clusterName, purposeName, values.node),
    otherDomains: [...(values['other-domains'] ? domainsFile(values['other-domains']) : []), ...(values['other-domain'] ?? [])],
    out: loaded.out,
  };
}

/** The declared certificate of this cluster, purpose (and node) whose commonName and extra names the CSR takes. */
function declaredCertificate(certificates: readonly CertificateDecl[], cluster: string, purpose: string, node: string | undefined): CertificateDecl | undefined {
  const want = node?.toLowerCase();
  return certificates.find((c) => c.cluster === cluster && c.purpose === purpose && (c.node ?? undefined) === want);
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
