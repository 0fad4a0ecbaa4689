/**
 * preflight: the services the change relies on run (`utils service list`), the cluster
 * security mode is the one the plan assumed (DOMAIN.md §3 preflight), and each certificate
 * declared as a file that this node will receive as its identity is for a key the node holds
 * (DOMAIN.md §2, §5: a node has no private-key import and refuses a certificate signed from a CSR
 * it did not generate, or from one a newer CSR replaced). A check: always runs, changes nothing,
 * and fails before the maintenance window rather than at the identity upload inside it.
 */
import { StepContext } from '../../../executor/context';
import type { PreflightStep, UploadSignedIdentityStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { nodeCsr, nodeHoldsKey } from '../../../executor/issued-files';
import { StepOutcome } from '../../../executor/outcome';
import { readStepCertificate } from '../../../executor/plan-file';
import { parseCertificate } from '../../../pki/certificate';
import { readCertificates } from '../../../pki/input';

export async function run(ctx: StepContext<PreflightStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const cli = await ctx.cli(step.node);
  const required = step.requireServices;
  const notes: string[] = [];
  if (required.length > 0) {
    const { services } = await cli.serviceList();
    const bad = required.map((s) => ({ s, status: services.get(s) })).filter((x) => x.status !== 'STARTED');
    if (bad.length > 0) {
      const what = bad.map((b) => `${b.s} is ${b.status ? `[${b.status}]` : 'not listed'}`).join(', ');
      throw new StepFailure(`${step.node}: ${what}: start ${bad.length > 1 ? 'them' : 'it'} ('utils service start <name>') and apply again`);
    }
    notes.push(`${required.length} service(s) running`);
  }
  if (step.expectSecurityMode) {
    const mode = await cli.securityMode();
    if (mode !== step.expectSecurityMode) {
      throw new StepFailure(
        `${step.node}: the cluster security mode is ${mode}, the plan assumes ${step.expectSecurityMode}: fix securityMode in the declarations and re-plan (mixed mode adds the CTL update)`,
      );
    }
    notes.push(`security mode ${mode}`);
  }
  await checkDeclaredKeys(ctx);
  return { changed: false, summary: `checked ${step.node}: ${notes.join(', ') || 'nothing to check'}` };
}

/**
 * The identity uploads of declared files that go to this node (multi-server: the publisher, where
 * the CSR was generated). An issued certificate (generate-csr and sign steps) is not checked: its
 * CSR does not exist yet; the sign step checks it is still the node's before it asks.
 */
function declaredUploads(ctx: StepContext<PreflightStep>): UploadSignedIdentityStep[] {
  const node = ctx.step.node.toLowerCase();
  const seen = new Set<string>();
  return ctx.plan.steps.filter((s): s is UploadSignedIdentityStep => {
    if (s.kind !== 'upload-identity' || s.certificate === undefined || s.node.toLowerCase() !== node) return false;
    const key = `${s.purpose}\n${s.certificate.sha256}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Each declared certificate this node receives is for its current CSR's key or its identity's (logged); throws StepFailure naming the fix. */
async function checkDeclaredKeys(ctx: StepContext<PreflightStep>): Promise<void> {
  const { step } = ctx;
  for (const upload of declaredUploads(ctx)) {
    const file = upload.certificate.file;
    const leaf = parseCertificate(readCertificates(Buffer.from(readStepCertificate(ctx.loaded, upload.certificate), 'latin1'), file)[0], file);
    const holds = await nodeHoldsKey(ctx, step.node, upload.purpose, { spki: leaf.spki.toString('hex') });
    if (holds) {
      ctx.log(`${step.node}: ${upload.purpose} '${file}' is for ${holds === 'csr' ? `the node's ${upload.purpose} CSR` : `the key of its ${upload.purpose} identity`}: the node holds its key`);
      continue;
    }
    throw new StepFailure(`${step.node}: ${await mismatch(ctx, upload)}`);
  }
}

/** Why the node would refuse the file, and what to do: nothing was changed on any node. */
async function mismatch(ctx: StepContext<PreflightStep>, upload: UploadSignedIdentityStep): Promise<string> {
  const unit = upload.purpose;
  const file = upload.certificate.file;
  let held: string;
  try {
    held = (await nodeCsr(ctx, upload.node, unit)) ? `its current ${unit} CSR ('show csr own ${unit}') is for another key` : `it holds no ${unit} CSR`;
  } catch {
    held = `its ${unit} CSR could not be read`;
  }
  const multi = upload.distribution === 'multi-server';
  const csrCommand =
    `ucrollout csr --on-node --inventory <inventory> --cluster ${ctx.plan.cluster.name} --purpose ${unit} --distribution ${multi ? 'multi-server' : 'single-server'}` +
    `${multi ? '' : ` --node ${upload.node}`} --out <dir>`;
  return (
    `the ${unit} certificate '${file}' is not for a key this node holds: ${held}, and its ${unit} identity has another key. ` +
    `The certificate was not signed from the node's current CSR (a newer CSR replaced it, or it was made elsewhere): the node has no private-key import and would refuse it at the identity upload ("Certificate public key mismatch"), inside the maintenance window. ` +
    `Nothing was changed on any node (every change waits for the preflights). Fix: have the node generate the CSR (${csrCommand}), have it signed, declare that certificate and re-plan; ` +
    `or declare \`issuer:\` for this certificate, and the plan generates the CSR on the node and has it signed at apply time`
  );
}
