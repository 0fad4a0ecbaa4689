/**
 * Why each declared certificate needs a renewal plan (`ucrollout renew`), gathered by the status
 * judgement node by node. One book per platform's declarations (CUCM / IM&P certificates,
 * Meeting Server certificates), keyed by the declaration's index, with the same reasons in the
 * same words for both: renew selects from either the same way.
 */
import { RenewBefore, describeRenewBefore } from '../model';
import { shortFingerprint } from '../pki/fingerprint';
import { day } from './judge';
import { LiveIdentity } from './live';

/** Why a declared certificate (CUCM / IM&P, or a Meeting Server's `CmsCertificateDecl`) needs a renewal plan, node by node. */
export interface DeclaredCertificateStatus<D> {
  /** Its index in its platform's declarations (`certificates`, `cmsCertificates`). */
  readonly index: number;
  readonly decl: D;
  /** Empty when it is ok everywhere. */
  readonly reasons: readonly string[];
  /** Nodes it covers that could not be read. */
  readonly unread: readonly string[];
  /** The declared file is the installed certificate and is itself due: a plan re-installs nothing. */
  readonly declaredFileDue: boolean;
}

export class RenewalReasons {
  private readonly reasons = new Map<number, string[]>();
  private readonly unread = new Map<number, string[]>();
  private readonly installedAndDue = new Set<number>();
  private readonly drifted = new Set<number>();

  /** A node it covers could not be read: what it holds is not known. */
  notRead(index: number, fqdn: string): void {
    this.unread.set(index, [...(this.unread.get(index) ?? []), fqdn]);
  }

  notHeld(index: number, fqdn: string, purpose: string): void {
    this.because(index, `${fqdn} holds no ${purpose} certificate`);
  }

  /** The node holds the declared certificate; `why` (dueReason) says whether it is due. `fileRead`: the declared file's facts are known. */
  installedDue(index: number, why: string | undefined, fileRead: boolean): void {
    if (why === undefined) return;
    this.because(index, why);
    if (fileRead) this.installedAndDue.add(index);
  }

  notInstalled(index: number, fqdn: string, held: Pick<LiveIdentity, 'sha256' | 'subject'>): void {
    this.drifted.add(index);
    this.because(index, `not installed on ${fqdn}, which holds ${shortFingerprint(held.sha256)}… ('${held.subject}')`);
  }

  pendingRestart(index: number, fqdn: string, port: string): void {
    this.because(index, `installed on ${fqdn} but not presented yet on ${port} (a restart is pending)`);
  }

  /** Every declaration of a declared cluster, with what was found about it. */
  statuses<D extends { readonly cluster: string }>(decls: readonly D[], clusters: readonly { readonly name: string }[]): DeclaredCertificateStatus<D>[] {
    return decls
      .map((decl, index) => ({ decl, index }))
      .filter(({ decl }) => clusters.some((c) => c.name === decl.cluster))
      .map(({ decl, index }) => ({
        index,
        decl,
        reasons: this.reasons.get(index) ?? [],
        unread: this.unread.get(index) ?? [],
        // A node that holds another certificate gets the declared file: applying it changes that node.
        declaredFileDue: this.installedAndDue.has(index) && !this.drifted.has(index),
      }));
  }

  private because(index: number, why: string): void {
    const list = this.reasons.get(index) ?? [];
    if (!list.includes(why)) list.push(why);
    this.reasons.set(index, list);
  }
}

/** What the judgement found of an installed certificate's dates. */
export interface InstalledDates {
  readonly expired: boolean;
  /** Whole days to its expiry. */
  readonly left: number;
  readonly warnDays: number;
  /** When it is due by its renewBefore (or the default); undefined when its dates are unknown. */
  readonly renewAt?: Date;
  readonly now: number;
  readonly renewBefore?: RenewBefore;
}

/** Why an installed certificate is due (expired, expiring within the warning days, past its renewal time), or undefined. */
export function dueReason(notAfter: string, d: InstalledDates): string | undefined {
  if (d.expired) return `the installed certificate expired on ${day(notAfter)}`;
  if (d.left <= d.warnDays) return `the installed certificate expires on ${day(notAfter)}, within ${d.warnDays} days`;
  if (d.renewAt && d.renewAt.getTime() <= d.now) return `the installed certificate is due for renewal since ${day(d.renewAt.toISOString())} (${describeRenewBefore(d.renewBefore)})`;
  return undefined;
}
