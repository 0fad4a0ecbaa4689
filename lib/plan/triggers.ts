/**
 * A step's trigger: a fingerprint of what the step does and of the certificates of its
 * purpose. Terraform re-runs a step only when its trigger changes, so an unchanged
 * certificate changes nothing and a new one re-runs exactly the steps that serve it.
 * Triggers do not cascade along ordering edges: a new tomcat leaf does not re-run the
 * CallManager steps that merely wait for a shared preflight.
 */
import { createHash } from 'node:crypto';
import type { DraftStep } from './plan-context';

export function computeTriggers(ids: readonly string[], get: (id: string) => DraftStep): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const s = get(id);
    const material = {
      id: s.id,
      kind: s.kind,
      node: s.node,
      command: s.command,
      store: s.store,
      service: s.service,
      certificate: s.certificate?.sha256,
      chain: s.chain?.map((c) => c.sha256),
      distributeTo: s.distributeTo,
      requireServices: s.requireServices,
      expectSecurityMode: s.expectSecurityMode,
      port: s.port,
      expectChain: s.expectChain,
      selfSignedSubjects: s.selfSignedSubjects,
      keep: s.keep,
      fingerprints: [...new Set(s.fingerprints)].sort(),
    };
    out.set(id, createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32));
  }
  return out;
}
