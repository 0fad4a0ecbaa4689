/**
 * The one trigger rule, for every platform: a fingerprint of the step's own canonical content
 * plus the fingerprints of its certificates. Terraform re-runs a step only when its trigger
 * changes, so an unchanged certificate changes nothing and a new one re-runs exactly the
 * steps that serve it. Triggers do not cascade along ordering edges: a new tomcat leaf does
 * not re-run the CallManager steps that merely wait for a shared preflight.
 */
import { createHash } from 'node:crypto';

/**
 * Not content: the graph's own fields, prose for people (a better wording must not re-run a
 * change), and file locations (the fingerprint beside a `file` is what matters).
 */
const NOT_CONTENT = new Set(['dependsOn', 'trigger', 'description', 'reason', 'fingerprints', 'file']);

export function stepTrigger(step: object, fingerprints: readonly string[]): string {
  const material = { content: canonical(step), fingerprints: [...new Set(fingerprints)].sort() };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32);
}

/** Keys sorted at every depth, non-content keys and undefined values dropped. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (!NOT_CONTENT.has(key) && v !== undefined) out[key] = canonical(v);
  }
  return out;
}
