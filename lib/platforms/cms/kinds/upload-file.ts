/**
 * upload-file (Meeting Server): each of `files[]` to `node` over SFTP under `name`
 * (docs/cms.md). The bytes come from a local file next to plan.json (its SHA-256 checked
 * when the plan gives one) or, with `fromNode`, from that server over SFTP: held in memory
 * only and wiped after. A file of that name already on the server with other bytes is
 * refused unless `overwrite` (it may be in service); the same bytes count as done.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NodeError } from '../../../drivers/errors';
import { checkSftpName } from '../../../drivers/sftp-driver';
import { StepContext } from '../../../executor/context';
import type { StepFile, UploadFileStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { StepOutcome } from '../../../executor/outcome';
import { planPath } from '../../../executor/plan-file';

export async function run(ctx: StepContext<UploadFileStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const files = step.files;
  for (const f of files) checkFile(step.id, f);

  const sent: string[] = [];
  const already: string[] = [];
  for (const f of files) {
    const data = await source(ctx, f);
    try {
      const target = await ctx.sftp(step.node);
      const existing = await target.readIfExists(f.name);
      try {
        if (existing && existing.equals(data)) {
          already.push(f.name);
          continue;
        }
        if (existing && !f.overwrite) {
          throw new StepFailure(
            `${step.node} already holds ${f.name} with other bytes, maybe in service: the plan does not replace it. Check with 'pki list' which service uses it; re-plan with another basename, or remove the file on the server if it is unused`,
          );
        }
      } finally {
        if (f.content === 'private-key') existing?.fill(0);
      }
      ctx.log(`sftp ${step.node}: put ${f.name}${f.fromNode ? ` (from ${f.fromNode})` : ''}`);
      await target.write(f.name, data, f.content === 'private-key' ? 0o600 : 0o644);
      sent.push(f.name);
    } finally {
      if (f.content === 'private-key') data.fill(0);
    }
  }
  const parts = [sent.length > 0 ? `sent ${sent.join(', ')} to ${step.node}` : `${step.node} holds every file`];
  if (already.length > 0 && sent.length > 0) parts.push(`already there: ${already.join(', ')}`);
  return { changed: sent.length > 0, summary: sent.length === 0 ? 'already done' : parts.join('; ') };
}

function checkFile(id: string, f: StepFile): void {
  const problem = checkSftpName(f.name);
  if (problem) throw new StepFailure(`Step ${id}: ${problem}; re-run 'ucrollout plan'`);
  if (!f.file === !f.fromNode) throw new StepFailure(`Step ${id}: ${f.name} needs exactly one of 'file' and 'fromNode': the plan is malformed, re-run 'ucrollout plan'`);
}

/** The bytes to send: the local file (checked against the plan), or the peer's copy (in memory). */
async function source(ctx: StepContext<UploadFileStep>, f: StepFile): Promise<Buffer> {
  const { step } = ctx;
  if (f.fromNode) {
    ctx.anyNode(f.fromNode);
    const peer = await ctx.sftp(f.fromNode);
    try {
      return await peer.read(f.name);
    } catch (e) {
      if (e instanceof NodeError && /there is no file/.test(e.message)) {
        throw new StepFailure(`${f.fromNode} has no ${f.name} to copy to ${step.node}: the step that makes it there did not run or failed; apply again once it has`);
      }
      throw e;
    }
  }
  let data: Buffer;
  try {
    data = readFileSync(planPath(ctx.loaded, f.file!));
  } catch (e) {
    const what = f.content === 'private-key' ? 'private key file' : 'file';
    throw new StepFailure(`Cannot read the ${what} '${f.file}' the plan sends as ${f.name} (${(e as NodeJS.ErrnoException).code}): restore it, or re-plan`);
  }
  if (f.sha256) {
    const sha = createHash('sha256').update(data).digest('hex');
    if (sha !== f.sha256) {
      throw new StepFailure(
        `File '${f.file}' changed since the plan was made (SHA-256 ${sha.slice(0, 16)}…, planned ${f.sha256.slice(0, 16)}…): re-run 'ucrollout plan', review, and apply the new plan`,
      );
    }
  }
  return data;
}
