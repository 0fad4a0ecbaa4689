/**
 * generate-csr: the node makes a key and a CSR and keeps the key (DOMAIN.md §3 "CSR", §6; how it is
 * asked and what is checked: ../node-csr.ts). The CSR is checked against the plan (CN and SANs)
 * and written next to plan.json (public).
 *
 * Done when the written CSR has the planned names and the node still holds its key: as its current
 * CSR (a newer CSR replaces it, DOMAIN.md §5), or as the identity installed from it. Never again
 * once it is done: a second CSR would make the one being signed stale.
 */
import { StepContext } from '../../../executor/context';
import { StepOutcome } from '../../../executor/outcome';
import type { GenerateCsrStep } from '../types';
import { nodeHoldsKey, readCsrFile, writePublicFile } from '../../../executor/issued-files';
import { RetryHint, generateOnNode, matchesAsk } from '../node-csr';

/** A step is retried by applying again; a CSR that disagrees with the plan needs a new plan first. */
const APPLY_AGAIN: RetryHint = { retry: 'apply again', fixInventory: 're-plan, and apply again' };

export async function run(ctx: StepContext<GenerateCsrStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const written = readCsrFile(ctx.loaded, step.csrFile);
  if (written && matchesAsk(step, written)) {
    const holds = await nodeHoldsKey(ctx, step.node, step.unit, written);
    if (holds) return { changed: false, summary: `already done: ${step.csrFile} is ${holds === 'csr' ? `the current ${step.unit} CSR of ${step.node}` : `the CSR of the ${step.unit} identity ${step.node} holds`}` };
    ctx.log(`${step.csrFile} is no longer the ${step.unit} CSR of ${step.node} (a newer CSR replaced it, or the node was rebuilt): generating a fresh one`);
  }
  const csr = await generateOnNode(ctx, step, APPLY_AGAIN);
  writePublicFile(ctx.loaded, step.csrFile, csr.pem);
  return { changed: true, summary: `generated the ${step.unit} CSR on ${step.node} (CN ${csr.commonName}; ${csr.dnsNames.length} SAN(s)); saved ${step.csrFile}` };
}
