/**
 * generate-csr: the node makes a key and a CSR and keeps the key (DOMAIN.md §3 "CSR", §6): over
 * the admin CLI (`set csr gen <unit>`, then `show csr own <unit>`: a CSR for this server) or the
 * certificate REST API (POST …/certmgr/config/csr: multi-server, other names). The CSR is checked
 * against the plan (CN and SANs) and written next to plan.json (public).
 *
 * Done when the written CSR has the planned names and the node still holds its key: as its current
 * CSR (a newer CSR replaces it, DOMAIN.md §5), or as the identity installed from it. Never again
 * once it is done: a second CSR would make the one being signed stale.
 */
import { StepContext } from '../../../executor/context';
import { StepFailure } from '../../../executor/errors';
import { StepOutcome } from '../../../executor/outcome';
import type { GenerateCsrStep } from '../types';
import { CsrFile, nodeCsr, nodeHoldsKey, parseCsr, readCsrFile, sameNames, writePublicFile } from '../../../executor/issued-files';

export async function run(ctx: StepContext<GenerateCsrStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const written = readCsrFile(ctx.loaded, step.csrFile);
  if (written && matchesPlan(step, written)) {
    const holds = await nodeHoldsKey(ctx, step.node, step.unit, written);
    if (holds) return { changed: false, summary: `already done: ${step.csrFile} is ${holds === 'csr' ? `the current ${step.unit} CSR of ${step.node}` : `the CSR of the ${step.unit} identity ${step.node} holds`}` };
    ctx.log(`${step.csrFile} is no longer the ${step.unit} CSR of ${step.node} (a newer CSR replaced it, or the node was rebuilt): generating a fresh one`);
  }

  ctx.log(`generating a ${step.distribution} ${step.unit} CSR on ${step.node} over the ${step.api === 'rest' ? 'REST API' : 'admin CLI'}; the node keeps the key`);
  let pem: string;
  if (step.api === 'rest') {
    pem = await ctx.rest(step.node).generateCsr({
      service: step.unit,
      distribution: step.distribution === 'multi-server' ? 'multi-server' : 'this-server',
      commonName: step.commonName,
      keyType: step.keyType === 'EC' ? 'ec' : 'rsa',
      keyLength: step.keyLength,
      hashAlgorithm: step.hash.replace('-', '').toLowerCase(),
      altNames: step.altNames,
    });
  } else {
    const cli = await ctx.cli(step.node);
    await cli.generateCsr(step.unit, false);
    const shown = await cli.showCsr(step.unit);
    if (!shown) throw new StepFailure(`${step.node}: 'set csr gen ${step.unit}' reported success but 'show csr own ${step.unit}' shows no CSR: check the node's certificate management, then apply again`);
    pem = shown;
  }
  const csr = parseCsr(pem, `the ${step.unit} CSR of ${step.node}`);
  if (!matchesPlan(step, csr)) {
    throw new StepFailure(
      `${step.node}: the ${step.unit} CSR it generated has CN ${csr.commonName ?? '(none)'} and SANs ${csr.dnsNames.join(', ') || '(none)'}, the plan asks for CN ${step.commonName} and SANs ${step.altNames.join(', ')}: ` +
        `${step.api === 'cli' ? `'set csr gen' makes a CSR for this server only; ` : ''}check the node's cluster topology and release against the inventory, re-plan, and apply again (nothing was signed)`,
    );
  }
  // The node answers with the CSR it keeps: read it back where the CLI can.
  if (step.api === 'rest') await confirmCurrent(ctx, step, csr);
  writePublicFile(ctx.loaded, step.csrFile, csr.pem);
  return { changed: true, summary: `generated the ${step.unit} CSR on ${step.node} (CN ${csr.commonName}; ${csr.dnsNames.length} SAN(s)); saved ${step.csrFile}` };
}

function matchesPlan(step: GenerateCsrStep, csr: CsrFile): boolean {
  return (csr.commonName ?? '').toLowerCase() === step.commonName.toLowerCase() && sameNames(csr.dnsNames, step.altNames);
}

/** The CSR the REST API returned is the one `show csr own` shows (the node kept its key). */
async function confirmCurrent(ctx: StepContext<GenerateCsrStep>, step: GenerateCsrStep, csr: CsrFile): Promise<void> {
  let current: CsrFile | undefined;
  try {
    current = await nodeCsr(ctx, step.node, step.unit);
  } catch (e) {
    ctx.log(`cannot read back the CSR over the CLI (${(e as Error).message}); keeping the one the REST API returned`);
    return;
  }
  if (current && current.spki !== csr.spki) {
    throw new StepFailure(`${step.node}: the CSR the REST API returned is not the node's current ${step.unit} CSR ('show csr own ${step.unit}' shows another key): another CSR was generated at the same time; apply again`);
  }
}

