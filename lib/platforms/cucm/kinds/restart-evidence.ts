/**
 * How the executor tells that a service already restarted since its certificate changed:
 * the service's own ports present the new leaf, or the node says the service started after
 * the upload the journal recorded (SOAP StartTime).
 */
import { findPurpose } from '../../../catalog';
import type { CucmStep, RestartServiceStep, UploadIdentityStep } from '../types';
import { StepContext } from '../../../executor/context';
import { identityTargets } from '../../../executor/plan-file';
import { readJournal } from '../../../executor/state-files';
import { issuedLeafSha256 } from '../../../executor/issued-files';

/** A port of the restarted service that must present `expect` once the service restarted. */
export interface PortEvidence {
  readonly port: { readonly name: string; readonly port: number; readonly handshake: 'tls' | 'xmpp-starttls' };
  readonly keyType: 'RSA' | 'EC';
  readonly expect: string;
  readonly purpose: string;
}

/** The identity uploads of the step's purposes (`tomcat+tomcat-ECDSA`) that reach its node. */
export function identityUploadsFor(ctx: StepContext, step: RestartServiceStep): UploadIdentityStep[] {
  const purposes = step.purpose.split('+');
  const node = step.node.toLowerCase();
  return ctx.plan.steps.filter(
    (s): s is UploadIdentityStep => s.kind === 'upload-identity' && purposes.includes(s.purpose) && identityTargets(s.node, s.distributeTo).includes(node),
  );
}

export function portEvidence(ctx: StepContext, step: RestartServiceStep, uploads: readonly UploadIdentityStep[]): PortEvidence[] {
  const node = ctx.node(step.node);
  const out: PortEvidence[] = [];
  for (const u of uploads) {
    const purpose = findPurpose(u.purpose);
    if (!purpose) continue;
    const expect = uploadedLeafSha256(ctx, u);
    // An issued leaf not signed yet: its upload has not run, so nothing proves a restart.
    if (expect === undefined) continue;
    for (const p of purpose.ports.filter((x) => x.servedBy === step.service)) {
      out.push({
        port: { name: p.name, port: node.ports[p.name] ?? p.port, handshake: p.handshake },
        keyType: purpose.keyType,
        expect,
        purpose: u.purpose,
      });
    }
  }
  return out;
}

/** What each evidence port presents now (leaf fingerprint, or undefined when it cannot be reached). */
export async function presentedLeaves(ctx: StepContext, node: string, evidence: readonly PortEvidence[]): Promise<(string | undefined)[]> {
  return Promise.all(
    evidence.map((e) =>
      ctx.probe(node, e.port, e.keyType).then(
        (r) => r.chain[0]?.sha256,
        () => undefined,
      ),
    ),
  );
}

/**
 * When the change this restart serves was last made on a node, by the journal: the identity
 * uploads reaching the node, or else the trust uploads the step depends on (ISA, trust entries).
 */
export function changeTime(ctx: StepContext, step: RestartServiceStep, uploads: readonly UploadIdentityStep[]): number | undefined {
  const refs = uploads.length > 0 ? uploads : trustUploadsBefore(ctx, step);
  const times = refs
    .map((s) => readJournal(ctx.loaded, s)?.changedAt)
    .filter((t): t is string => !!t)
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** upload-trust steps among the step's dependencies, transitively (bounded by the plan's size). */
function trustUploadsBefore(ctx: StepContext, step: RestartServiceStep): CucmStep[] {
  const byId = new Map(ctx.plan.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const queue = [...step.dependsOn];
  const out: CucmStep[] = [];
  while (queue.length > 0 && seen.size <= byId.size) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const s = byId.get(id);
    if (!s) continue;
    if (s.kind === 'upload-trust') out.push(s);
    queue.push(...s.dependsOn);
  }
  return out;
}

/** The leaf an identity upload installs: planned, or (issued) read from the chain its sign step wrote. */
export function uploadedLeafSha256(ctx: StepContext, u: UploadIdentityStep): string | undefined {
  return u.issued === undefined ? u.certificate.sha256 : issuedLeafSha256(ctx.loaded, u.issued.chainFile);
}
