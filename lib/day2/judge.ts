/**
 * What the status judgement does alike for every platform's node: the declared file read once
 * per declaration (a file that cannot be read is a finding), what a service's ports present,
 * and the expiry findings of an installed certificate. lib/day2/status.ts says what is
 * particular to CUCM / IM&P and to Meeting Server around them.
 */
import { shortFingerprint } from '../pki/fingerprint';
import { LiveIdentity } from './live';
import type { DeclaredFile, StatusFinding } from './status';

const DAY_MS = 86_400_000;

/** Where a finding is: its cluster, node and purpose (or service). */
export interface FindingPlace {
  readonly cluster: string;
  readonly node: string;
  readonly purpose: string;
}

type AddFinding = (f: Omit<StatusFinding, 'nodes'> & { readonly node: string; readonly key?: string }) => void;

/** Reads each declared certificate file once; an unreadable one is a finding and judged as drift. */
export function declaredFiles<D>(
  read: (decl: D) => DeclaredFile | undefined,
  describe: (decl: D) => FindingPlace & { readonly file: string | undefined; readonly judged: string },
  add: AddFinding,
): (decl: D) => DeclaredFile | undefined {
  const files = new Map<D, DeclaredFile | undefined>();
  return (decl) => {
    if (!files.has(decl)) {
      let facts: DeclaredFile | undefined;
      try {
        facts = read(decl);
      } catch (e) {
        const d = describe(decl);
        add({
          severity: 'warning',
          code: 'declared-file-unreadable',
          cluster: d.cluster,
          node: d.node,
          purpose: d.purpose,
          message: `the declared ${d.purpose} certificate '${d.file}' cannot be read (${(e as Error).message}): ${d.judged}`,
          fix: `restore the file, or fix the path in the inventory`,
        });
      }
      files.set(decl, facts);
    }
    return files.get(decl);
  };
}

/** A day as the findings print it. */
export function day(iso: string): string {
  return iso ? iso.slice(0, 10) : 'an unknown date';
}

/** Whole days from `now` to `iso` (negative once past); unknown dates never expire. */
export function daysLeft(iso: string, now: number): number {
  return iso ? Math.floor((Date.parse(iso) - now) / DAY_MS) : Number.POSITIVE_INFINITY;
}

export interface Presented {
  /** The sha256 a port presents: the first one that differs from the identity (a pending restart), else the first. */
  readonly presented: string | null;
  /** A port presenting another leaf than the identity. */
  readonly stale?: LiveIdentity['ports'][number];
}

/** What the identity's ports present; a port that does not answer is a finding with `fix`. */
export function presentedBy(id: LiveIdentity, place: FindingPlace, fix: string, add: AddFinding): Presented {
  const served = id.ports.filter((p) => p.sha256);
  const stale = served.find((p) => p.sha256 !== id.sha256);
  for (const p of id.ports.filter((x) => !x.sha256)) {
    add({
      severity: 'warning',
      code: 'port-not-answering',
      ...place,
      key: p.port,
      message: `port ${p.port} ${p.number} did not present the ${id.purpose} certificate: ${p.error ?? 'no answer'}`,
      fix,
    });
  }
  return { presented: (stale ?? served[0])?.sha256 ?? null, stale };
}

export interface ExpiryLimits {
  readonly now: number;
  readonly warnDays: number;
  readonly criticalDays: number;
}

/** The expiry findings of an installed certificate: expired (critical), expiring (by the limits), or due for renewal. */
export function addExpiryFindings(
  id: LiveIdentity,
  place: FindingPlace,
  limits: ExpiryLimits,
  due: { readonly renewalDue: boolean; readonly why: string } | undefined,
  fix: string,
  add: AddFinding,
): { readonly expired: boolean; readonly left: number } {
  const left = daysLeft(id.notAfter, limits.now);
  const expired = id.notAfter !== '' && Date.parse(id.notAfter) <= limits.now;
  const what = `${id.purpose} certificate ${shortFingerprint(id.sha256)}… ('${id.subject}')`;
  const common = { ...place, key: id.sha256, fix };
  if (expired) add({ ...common, severity: 'critical', code: 'certificate-expired', message: `the ${what} expired on ${day(id.notAfter)}` });
  else if (left <= limits.warnDays) {
    add({ ...common, severity: left <= limits.criticalDays ? 'critical' : 'warning', code: 'certificate-expiring', message: `the ${what} expires on ${day(id.notAfter)}, in ${left} days` });
  } else if (due?.renewalDue) {
    add({ ...common, severity: 'warning', code: 'renewal-due', message: `the ${what} is due for renewal ${due.why}; it expires on ${day(id.notAfter)}` });
  }
  return { expired, left };
}

/** The reading of a node that answered, or undefined after the critical finding that names the node and what to check. */
export function reachableReading<R extends { readonly reachable: boolean; readonly error?: string }>(
  reading: R | undefined,
  cluster: string,
  fqdn: string,
  what: string,
  add: AddFinding,
): R | undefined {
  if (reading?.reachable) return reading;
  add({
    severity: 'critical',
    code: 'node-unreachable',
    cluster,
    node: fqdn,
    message: `${fqdn} could not be read: ${reading?.error ?? 'not read'}`,
    fix: `check the ${what}, and the credentials and host key pins the cluster names; nothing of it is known until then`,
  });
  return undefined;
}
