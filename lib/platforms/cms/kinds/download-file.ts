/**
 * download-file (Meeting Server): `files[].name` from `node` over SFTP to `files[].file`,
 * relative to plan.json (docs/cms.md): the CSRs `pki csr` made, for the CA to sign. A private
 * key is never fetched to disk.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NodeError } from '../../../drivers/errors';
import { checkSftpName } from '../../../drivers/sftp-driver';
import { StepContext } from '../../../executor/context';
import type { DownloadFileStep } from '../types';
import { StepFailure } from '../../../executor/errors';
import { StepOutcome } from '../../../executor/outcome';
import { planPath } from '../../../executor/plan-file';

const CSR_PEM = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/;

export async function run(ctx: StepContext<DownloadFileStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const files = step.files;
  for (const f of files) {
    const problem = checkSftpName(f.name);
    if (problem) throw new StepFailure(`Step ${step.id}: ${problem}; re-run 'ucrollout plan'`);
    if (f.content === 'private-key') throw new StepFailure(`Step ${step.id} would fetch the private key ${f.name} to disk: private keys stay on the servers; re-run 'ucrollout plan'`);
    if (!f.file) throw new StepFailure(`Step ${step.id}: ${f.name} has no local 'file' to write: the plan is malformed, re-run 'ucrollout plan'`);
  }

  const sftp = await ctx.sftp(step.node);
  const fetched: string[] = [];
  for (const f of files) {
    let data: Buffer;
    try {
      data = await sftp.read(f.name);
    } catch (e) {
      if (e instanceof NodeError && /there is no file/.test(e.message)) {
        throw new StepFailure(`${step.node} has no ${f.name}: the step that makes it (pki csr) did not run or failed; apply again once it has`);
      }
      throw e;
    }
    if (f.content === 'csr' && !CSR_PEM.test(data.toString('latin1'))) {
      throw new StepFailure(`${step.node}: ${f.name} is not a PEM certificate request (${data.length} bytes): check 'pki list' on the MMP and run the CSR step again`);
    }
    const target = planPath(ctx.loaded, f.file!);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o644 });
    renameSync(tmp, target);
    ctx.log(`sftp ${step.node}: get ${f.name} → ${f.file}`);
    fetched.push(`${f.name} → ${f.file}`);
  }
  return { changed: false, summary: `fetched from ${step.node}: ${fetched.join(', ')}` };
}
