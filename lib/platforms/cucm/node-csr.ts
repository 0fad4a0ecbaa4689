/**
 * Having a node generate a CSR and checking what it answered (DOMAIN.md §2, §5, §6): over the
 * admin CLI (`set csr gen <unit>`, then `show csr own <unit>`: a CSR for this server) or the
 * certificate REST API (POST …/certmgr/config/csr: multi-server, other names). The node keeps
 * the key. Shared by the generate-csr step kind and `ucrollout csr --on-node`, which differ only
 * in how they were given their drivers and what they tell the operator to do next.
 */
import type { CliDriver } from '../../drivers/cli-driver';
import type { CertRestClient, RestCsrRequest } from '../../drivers/rest-driver';
import { StepFailure } from '../../executor/errors';
import { CsrFile, parseCsr, sameNames } from '../../executor/issued-files';
import type { GenerateCsrStep } from './types';
import type { NodeCsrRequest } from './csr-request';

/** What the node is asked for: the generate-csr step's fields that reach the node. */
export type CsrAsk = Pick<GenerateCsrStep, 'node' | 'unit' | 'distribution' | 'api' | 'commonName' | 'altNames' | 'keyType' | 'keyLength' | 'hash'>;

/** The ask of a request, for a caller outside a plan (a plan's step carries these fields itself). */
export function csrAsk(r: NodeCsrRequest): CsrAsk {
  return { node: r.csrNode.fqdn, unit: r.unit, distribution: r.distribution, api: r.api, commonName: r.commonName, altNames: r.altNames, ...r.key };
}

/** The drivers of the node (a step's StepContext is one). */
export interface CsrDrivers {
  cli(fqdn: string): Promise<CliDriver>;
  rest(fqdn: string): CertRestClient;
  log(line: string): void;
}

/** What a failure tells the operator to do once the cause is fixed: a step says apply again, the command says run it again. */
export interface RetryHint {
  /** After a passing fault of the node. */
  readonly retry: string;
  /** After the node's topology or release disagreed with the inventory. */
  readonly fixInventory: string;
}

/** The body of POST …/certmgr/config/csr for the ask. */
export function restCsrRequest(ask: CsrAsk): RestCsrRequest {
  return {
    service: ask.unit,
    distribution: ask.distribution === 'multi-server' ? 'multi-server' : 'this-server',
    commonName: ask.commonName,
    keyType: ask.keyType === 'EC' ? 'ec' : 'rsa',
    keyLength: ask.keyLength,
    hashAlgorithm: ask.hash.replace('-', '').toLowerCase(),
    altNames: ask.altNames,
  };
}

/** The CSR has the asked-for CN and exactly the asked-for SANs (the CA signs exactly these, DOMAIN.md §5). */
export function matchesAsk(ask: CsrAsk, csr: CsrFile): boolean {
  return (csr.commonName ?? '').toLowerCase() === ask.commonName.toLowerCase() && sameNames(csr.dnsNames, ask.altNames);
}

/** Has the node generate the CSR and checks it; a newer CSR on the node makes any older one stale. Throws StepFailure. */
export async function generateOnNode(drivers: CsrDrivers, ask: CsrAsk, hint: RetryHint): Promise<CsrFile> {
  drivers.log(`generating a ${ask.distribution} ${ask.unit} CSR on ${ask.node} over the ${ask.api === 'rest' ? 'REST API' : 'admin CLI'}; the node keeps the key`);
  let pem: string;
  if (ask.api === 'rest') {
    pem = await drivers.rest(ask.node).generateCsr(restCsrRequest(ask));
  } else {
    const cli = await drivers.cli(ask.node);
    await cli.generateCsr(ask.unit, false);
    const shown = await cli.showCsr(ask.unit);
    if (!shown) throw new StepFailure(`${ask.node}: 'set csr gen ${ask.unit}' reported success but 'show csr own ${ask.unit}' shows no CSR: check the node's certificate management, then ${hint.retry}`);
    pem = shown;
  }
  const csr = parseCsr(pem, `the ${ask.unit} CSR of ${ask.node}`);
  if (!matchesAsk(ask, csr)) {
    throw new StepFailure(
      `${ask.node}: the ${ask.unit} CSR it generated has CN ${csr.commonName ?? '(none)'} and SANs ${csr.dnsNames.join(', ') || '(none)'}, not the CN ${ask.commonName} and SANs ${ask.altNames.join(', ')} asked for: ` +
        `${ask.api === 'cli' ? `'set csr gen' makes a CSR for this server only; ` : ''}check the node's cluster topology and release against the inventory, ${hint.fixInventory} (nothing was signed)`,
    );
  }
  // The node answers with the CSR it keeps: read it back where the CLI can.
  if (ask.api === 'rest') await confirmCurrent(drivers, ask, csr, hint);
  return csr;
}

/** The CSR the REST API returned is the one `show csr own` shows (the node kept its key). */
async function confirmCurrent(drivers: CsrDrivers, ask: CsrAsk, csr: CsrFile, hint: RetryHint): Promise<void> {
  let current: CsrFile | undefined;
  try {
    const shown = await (await drivers.cli(ask.node)).showCsr(ask.unit);
    current = shown ? parseCsr(shown, `the CSR ${ask.node} shows for ${ask.unit}`) : undefined;
  } catch (e) {
    drivers.log(`cannot read back the CSR over the CLI (${(e as Error).message}); keeping the one the REST API returned`);
    return;
  }
  if (current && current.spki !== csr.spki) {
    throw new StepFailure(`${ask.node}: the CSR the REST API returned is not the node's current ${ask.unit} CSR ('show csr own ${ask.unit}' shows another key): another CSR was generated at the same time; ${hint.retry}`);
  }
}
