/**
 * cleanup: delete the old self-signed trust certificates (Issuer CN = Subject CN) of the
 * replaced purpose from a node's trust store (DOMAIN.md §3 clean-up, CSCur97909), after the
 * Intercluster Sync Agent's delay. Never one the plan keeps, never one still in service.
 *
 * The delay (seed 002: about 30 minutes) does not hold the apply: before it is over the step ends
 * like an unconfirmed manual step (exit 3), saying from when it can run; an apply after that
 * time deletes. UCROLLOUT_MAX_WAIT_SECONDS (rehearsals) shortens the delay to at most that.
 */
import { findPurpose, selfSignedCommonNames } from '../../../catalog';
import { CliDriver } from '../../../drivers/cli-driver';
import { shortFingerprint } from '../../../pki/fingerprint';
import { StepContext } from '../../../executor/context';
import type { CleanupStep } from '../types';
import { StepFailure, StepNotYetDue } from '../../../executor/errors';
import { identityFingerprint } from '../../../executor/node-certificates';
import { ALREADY_DONE, StepOutcome } from '../../../executor/outcome';
import { readJournal } from '../../../executor/state-files';

export const MAX_WAIT_ENV = 'UCROLLOUT_MAX_WAIT_SECONDS';

interface Candidate {
  readonly file: string;
  readonly sha256: string;
  readonly subjectCn: string;
}

export async function run(ctx: StepContext<CleanupStep>): Promise<StepOutcome> {
  const { step } = ctx;
  const store = step.store;
  if (!store) throw new StepFailure(`Step ${step.id} names no trust store: the plan is malformed, re-run 'ucrollout plan'`);
  const subjects = new Set((step.selfSignedSubjects ?? []).map((s) => s.toLowerCase()));
  const keep = new Set(step.keep ?? []);

  let found = await selfSignedLeftovers(await ctx.cli(step.node), store, subjects, keep);
  if (found.length === 0) return ALREADY_DONE;
  await refuseInService(ctx, found);

  const waitMs = remainingWait(ctx);
  if (waitMs > 0 && maxWaitSeconds(ctx) === undefined) {
    const dueAt = new Date(ctx.now() + waitMs).toISOString();
    throw new StepNotYetDue(
      `${step.id} waits for the Intercluster Sync Agent's clean-up and propagation (${step.waitSeconds} s after the CA-signed certificates were in, seed 002) ` +
        `before deleting ${found.map((c) => c.file).join(', ')} from ${store} on ${step.node}: it can run from ${dueAt}; apply again after that time`,
      dueAt,
    );
  }
  if (waitMs > 0) {
    ctx.log(`waiting ${Math.ceil(waitMs / 1000)} s (${MAX_WAIT_ENV} caps the wait) before deleting from ${store} on ${step.node}`);
    // An idle CLI session would not survive a long wait: reconnect afterwards.
    ctx.close();
    await ctx.sleep(waitMs);
    found = await selfSignedLeftovers(await ctx.cli(step.node), store, subjects, keep);
    if (found.length === 0) return ALREADY_DONE;
    await refuseInService(ctx, found);
  }

  const cli = await ctx.cli(step.node);
  for (const c of found) {
    ctx.log(`deleting ${c.file} (CN=${c.subjectCn}, ${shortFingerprint(c.sha256)}…) on ${step.node}`);
    try {
      await cli.deleteCertificate('trust', c.file);
    } catch (e) {
      // Another clean-up of the same store on this node (cup-xmpp and cup-xmpp-s2s, run in parallel) may have deleted it first.
      if ((await cli.listCertificates('trust')).some((l) => l.file === c.file)) throw e;
      ctx.log(`${c.file} is gone already on ${step.node} (deleted by another clean-up of ${store})`);
    }
  }
  const left = await selfSignedLeftovers(cli, store, subjects, keep);
  if (left.length > 0) {
    throw new StepFailure(`${step.node}: ${left.map((c) => c.file).join(', ')} still in ${store} after 'set cert delete': delete by hand and apply again`);
  }
  return { changed: true, summary: `deleted ${found.length} self-signed certificate(s) from ${store} on ${step.node}: ${found.map((c) => c.file).join(', ')}` };
}

/** Self-signed trust files of the replaced identities: by file name first, then by the certificate itself. */
async function selfSignedLeftovers(cli: CliDriver, store: string, subjects: ReadonlySet<string>, keep: ReadonlySet<string>): Promise<Candidate[]> {
  const stems = [...subjects].map((s) => s.replace(/[^a-z0-9._-]/g, '_'));
  const files = (await cli.listCertificates('trust')).filter((e) => {
    const name = e.file.slice(e.file.indexOf('/') + 1).toLowerCase();
    return e.unit === store && stems.some((stem) => name.startsWith(stem));
  });
  const out: Candidate[] = [];
  for (const f of files) {
    const shown = await cli.showCertificate('trust', f.file);
    if (!shown || !shown.selfSigned || keep.has(shown.sha256)) continue;
    if (!subjects.has(shown.subjectCn.toLowerCase())) continue;
    out.push({ file: f.file, sha256: shown.sha256, subjectCn: shown.subjectCn });
  }
  return out;
}

/** A candidate that is still some node's identity of this purpose must not go: that node's rollout is unfinished. */
async function refuseInService(ctx: StepContext<CleanupStep>, found: readonly Candidate[]): Promise<void> {
  const { step } = ctx;
  if (!findPurpose(step.purpose)) return;
  const purpose = findPurpose(step.purpose)!;
  const nodes = ctx.plan.cluster.nodes.filter((n) => !n.peerOf && found.some((c) => selfSignedCommonNames(n.fqdn, purpose).some((name) => name.toLowerCase() === c.subjectCn.toLowerCase())));
  const held = await Promise.all(nodes.map((n) => identityFingerprint(ctx, n.fqdn, step.purpose)));
  const inService = found.filter((c) => held.includes(c.sha256));
  if (inService.length > 0) {
    const who = inService.map((c) => `${c.file} is the ${step.purpose} identity of ${nodes[held.indexOf(c.sha256)].fqdn}`);
    throw new StepFailure(`${step.node}: refusing to delete from ${step.store}: ${who.join('; ')}. Finish that node's rollout (upload, restart) first`);
  }
}

/** `waitSeconds` after the last dependency finished, by the journal; capped by UCROLLOUT_MAX_WAIT_SECONDS (rehearsals). */
function remainingWait(ctx: StepContext<CleanupStep>): number {
  const { step } = ctx;
  const waitMs = (step.waitSeconds ?? 0) * 1000;
  if (waitMs <= 0) return 0;
  const byId = new Map(ctx.plan.steps.map((s) => [s.id, s]));
  const done = step.dependsOn
    .map((id) => byId.get(id))
    .map((s) => (s ? readJournal(ctx.loaded, s)?.doneAt : undefined))
    .map((t) => (t ? Date.parse(t) : NaN));
  const known = done.every((t) => Number.isFinite(t)) && done.length > 0;
  let remaining = known ? waitMs - (ctx.now() - Math.max(...done)) : waitMs;
  const cap = maxWaitSeconds(ctx);
  if (cap !== undefined) remaining = Math.min(remaining, cap * 1000);
  return Math.max(0, remaining);
}

/** UCROLLOUT_MAX_WAIT_SECONDS when set to a number ≥ 0: the longest the step may wait in the apply. */
function maxWaitSeconds(ctx: StepContext<CleanupStep>): number | undefined {
  const raw = ctx.env[MAX_WAIT_ENV];
  const cap = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(cap) && cap >= 0 ? cap : undefined;
}
