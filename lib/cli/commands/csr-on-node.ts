/**
 * `ucrollout csr --on-node`: the node generates the CSR and keeps the key, outside a plan. A CUCM
 * or IM&P node installs only a certificate signed from a CSR it generated itself (DOMAIN.md §2,
 * §5), so this is the CSR to have signed when the certificate is declared as a signed file.
 * It asks exactly what the plan's generate-csr step asks (lib/platforms/cucm/csr-request.ts) and
 * checks the answer the same way (node-csr.ts), connecting as a step does (lib/day2/collect.ts
 * clusterAccess: credentials, host key pins, the resolve map). No key exists here to write.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterAccess } from '../../day2/collect';
import { CliDriver } from '../../drivers/cli-driver';
import { DriverConfigError } from '../../drivers/errors';
import type { NodeAccess } from '../../drivers/node-access';
import { loadResolveMap, resolveMapPath } from '../../drivers/resolve';
import { CertRestClient } from '../../drivers/rest-driver';
import { CertificateDecl, ClusterDecl, Declarations, Distribution } from '../../model';
import { csrContent } from '../../pki';
import { nodeCsrRequest, restApiProblem } from '../../platforms/cucm/csr-request';
import { CsrAsk, CsrDrivers, RetryHint, csrAsk, generateOnNode } from '../../platforms/cucm/node-csr';
import { CliError } from '../errors';

/** What `ucrollout csr` was asked for, checked against the inventory. */
export interface CsrTarget {
  readonly declarations: Declarations;
  readonly baseDir: string;
  readonly cluster: ClusterDecl;
  readonly purpose: string;
  readonly distribution: Distribution;
  readonly node?: string;
  /** The declared certificate of this purpose (and node): its commonName and extra names go into the CSR. */
  readonly declared?: CertificateDecl;
  /** Extra SAN DNS names from --other-domain(s). */
  readonly otherDomains: readonly string[];
  readonly out: string;
}

/** Options of a key made here: on the node, the key and the subject are the plan's. */
export const LOCAL_KEY_OPTIONS = ['key-type', 'key-size', 'curve', 'hash', 'o', 'ou', 'l', 'st', 'c'] as const;

export interface OnNodeArgs {
  readonly resolve?: string;
  readonly 'known-hosts'?: string[];
  readonly 'wildcard-domain'?: string[];
  readonly force?: boolean;
  readonly json?: boolean;
}

/** The command is retried by running it again; a CSR that disagrees with the inventory needs the inventory fixed first. */
const RUN_AGAIN: RetryHint = { retry: 'run ucrollout csr --on-node again', fixInventory: 'correct the inventory and run ucrollout csr --on-node again' };

/** A node-side failure (unreachable, refused, a CSR not as asked): exit 1; usage, inventory and credentials: exit 2. */
const NODE_FAILURE = 1;

export async function runOnNode(target: CsrTarget, values: OnNodeArgs): Promise<number> {
  if (values['wildcard-domain']) {
    throw new CliError(`--wildcard-domain is not for --on-node: the plan's CSR request has the catalog's names and --other-domain names only; add the wildcard names in Cisco Unified OS Administration > Generate CSR`);
  }
  const { cluster, out } = target;
  const extraNames = [...(target.declared?.extraNames ?? []), ...target.otherDomains];
  const decl = { purpose: target.purpose, distribution: target.distribution, node: target.node, commonName: target.declared?.commonName, ...(extraNames.length > 0 ? { extraNames } : {}) };
  let request;
  let name;
  try {
    request = nodeCsrRequest(cluster, decl);
    ({ name } = csrContent({ cluster, purpose: decl.purpose, distribution: decl.distribution, node: decl.node, commonName: decl.commonName, otherDomains: decl.extraNames }));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const problem = restApiProblem(request);
  if (problem) throw new CliError(`${problem}: generate the CSR in Cisco Unified OS Administration (Generate CSR) on ${request.csrNode.fqdn}`);
  const csrPath = join(out, `${name}.csr`);
  if (existsSync(csrPath) && !values.force) {
    throw new CliError(
      `${csrPath} exists: it may be the CSR a CA is signing now, and a new CSR on ${request.csrNode.fqdn} makes that one stale (a certificate signed from it is refused, DOMAIN.md §5); move it away or pass --force`,
    );
  }

  const ask = csrAsk(request);
  const access = accessOf(target, values);
  const drivers = nodeDrivers(access);
  let csr;
  try {
    // Missing credentials are an error of this machine: say so before connecting.
    access.credentials();
    csr = await generateOnNode(drivers, ask, RUN_AGAIN);
  } catch (e) {
    if (e instanceof DriverConfigError) throw new CliError(`${e.message}; nothing was sent to ${ask.node}`);
    throw new CliError(`${(e as Error).message}; no CSR was written`, NODE_FAILURE);
  } finally {
    await drivers.close();
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(csrPath, csr.pem, { mode: 0o644 });

  const next = nextSteps(target, ask, csrPath);
  if (values.json) {
    process.stdout.write(JSON.stringify({ name, csr: csrPath, key: null, node: ask.node, api: ask.api, commonName: csr.commonName, sans: csr.dnsNames, next: next.replace(/\n\s*/g, ' ') }, null, 2) + '\n');
  } else {
    process.stdout.write(
      `${ask.node} generated the ${ask.distribution} ${ask.unit} CSR over the ${ask.api === 'rest' ? 'REST API' : 'admin CLI'}; it keeps the key (none was written here)\n` +
        `wrote ${csrPath}\n  CN ${csr.commonName}\n  SANs ${csr.dnsNames.join(', ')}\n\n${next}\n`,
    );
  }
  return 0;
}

function accessOf(target: CsrTarget, values: OnNodeArgs): NodeAccess {
  const resolveFile = resolveMapPath(values.resolve);
  try {
    return clusterAccess(target.declarations, target.cluster, { baseDir: target.baseDir, resolveMap: resolveFile ? loadResolveMap(resolveFile) : undefined, knownHosts: values['known-hosts'] });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** One admin CLI session per node, opened on first use, all closed at the end; REST is one call a client. */
function nodeDrivers(access: NodeAccess): CsrDrivers & { close(): Promise<void> } {
  const clis = new Map<string, Promise<CliDriver>>();
  return {
    cli(fqdn) {
      let cli = clis.get(fqdn);
      if (!cli) clis.set(fqdn, (cli = CliDriver.connect(access.sshTarget(fqdn))));
      return cli;
    },
    rest: (fqdn) => new CertRestClient(access.httpsTarget(fqdn)),
    log: (line) => process.stderr.write(`${line}\n`),
    async close() {
      for (const r of await Promise.allSettled(clis.values())) if (r.status === 'fulfilled') r.value.close();
    },
  };
}

/** What to do with the CSR, and why it must be the one signed (DOMAIN.md §5). */
function nextSteps(target: CsrTarget, ask: CsrAsk, csrPath: string): string {
  const which = `${target.purpose} certificate of cluster ${target.cluster.name}${target.node ? ` for ${ask.node}` : ''}`;
  return `next: have the CA sign ${csrPath} with exactly these SANs (a CA that adds names breaks the upload),
declare the signed file as certificate: on the ${which} in the inventory, then ucrollout plan.
This is now the current ${ask.unit} CSR of ${ask.node}: a certificate signed from an older CSR is refused,
and a newer CSR (this command again, Generate CSR, a plan's generate-csr step) makes this one stale.`;
}
