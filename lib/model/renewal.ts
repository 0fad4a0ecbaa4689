/**
 * When a certificate is due for renewal: a threshold as days before it expires, or as the
 * share of its lifetime still left (cert-manager's `renewBefore` and `renewBeforePercentage`).
 * By default a certificate is due once two thirds of its lifetime have passed (cert-manager's
 * default). Pure functions on dates, no I/O.
 */
import { shown } from './names';

/** Exactly one of `days` and `percent` is set. */
export interface RenewBefore {
  /** Due this many days before it expires. */
  readonly days?: number;
  /** Due when this share of its lifetime (1–99 %) is left. */
  readonly percent?: number;
}

/** Share of the lifetime left when a certificate without `renewBefore` is due: one third. */
export const DEFAULT_RENEW_BEFORE_SHARE = 1 / 3;

const DAY_MS = 86_400_000;

/** The moment the certificate is due for renewal (never after its expiry, never before it starts). */
export function renewalTime(notBefore: string | Date, notAfter: string | Date, renewBefore?: RenewBefore): Date {
  const start = new Date(notBefore).getTime();
  const end = new Date(notAfter).getTime();
  const lifetime = Math.max(0, end - start);
  const ahead =
    renewBefore?.days !== undefined ? renewBefore.days * DAY_MS : lifetime * (renewBefore?.percent !== undefined ? renewBefore.percent / 100 : DEFAULT_RENEW_BEFORE_SHARE);
  return new Date(Math.max(start, end - ahead));
}

/** `30 days before expiry`, `25 % of the lifetime left`, or the default's wording: for plans and messages. */
export function describeRenewBefore(renewBefore?: RenewBefore): string {
  if (renewBefore?.days !== undefined) return `${renewBefore.days} days before it expires (renewBefore: ${renewBefore.days})`;
  if (renewBefore?.percent !== undefined) return `when ${renewBefore.percent} % of its lifetime is left (renewBefore: '${renewBefore.percent}%')`;
  return 'once two thirds of its lifetime have passed (the default without renewBefore)';
}

/**
 * Reads `renewBefore` as written in an inventory: a whole number of days (`30`), or a share of
 * the lifetime (`'25%'`). Returns the value, or the problem naming `prop`.
 */
export function parseRenewBefore(prop: string, value: unknown): { value?: RenewBefore; problem?: string } {
  if (value === undefined) return {};
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 3650) return { value: { days: value } };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // The normalized form, `{ days: 30 }` or `{ percent: 25 }`, as a rewritten inventory holds it.
    const { days, percent, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length === 0 && (days === undefined) !== (percent === undefined)) {
      if (days !== undefined) return parseRenewBefore(prop, days);
      if (typeof percent === 'number' && percent > 0 && percent < 100) return { value: { percent } };
    }
  }
  if (typeof value === 'string') {
    const percent = /^\s*(\d{1,2}(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (percent && Number(percent[1]) > 0 && Number(percent[1]) < 100) return { value: { percent: Number(percent[1]) } };
    const days = /^\s*(\d{1,4})\s*d(?:ays?)?\s*$/i.exec(value);
    if (days && Number(days[1]) >= 1 && Number(days[1]) <= 3650) return { value: { days: Number(days[1]) } };
  }
  return {
    problem: `${prop} must be a whole number of days before expiry (1 to 3650, e.g. 30) or a share of the lifetime left (e.g. '25%'), got ${shown(value)}`,
  };
}
