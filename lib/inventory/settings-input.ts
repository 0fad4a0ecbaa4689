/**
 * The cluster's certificate monitoring and revocation settings (seed 002), from the inventory
 * or the construct props: one normalizer, one set of messages, named by their path.
 */
import { CertificateMonitorDecl, RevocationDecl, shown } from '../model';
import { checkBoolean, checkList, checkMapping, isMapping, unknownKeys } from './input-checks';

export interface CertificateMonitorInput {
  readonly notificationStartDays: number;
  readonly notificationFrequencyHours?: number;
  readonly emailNotification?: boolean;
  readonly emailIds?: readonly string[];
  readonly lscMonitoring?: boolean;
}

export interface RevocationInput {
  readonly ocspResponder?: string;
  readonly checkIntervalHours?: number;
  readonly validityCheck?: boolean;
  readonly validityCheckFrequencyHours?: number;
}

const MONITOR_KEYS = ['notificationStartDays', 'notificationFrequencyHours', 'emailNotification', 'emailIds', 'lscMonitoring'];
const REVOCATION_KEYS = ['ocspResponder', 'checkIntervalHours', 'validityCheck', 'validityCheckFrequencyHours'];
const EMAIL = /^[^\s@;,]+@[^\s@;,]+\.[^\s@;,]+$/;

export function buildCertificateMonitor(raw: unknown, where: string): { value?: CertificateMonitorDecl; problems: (string | undefined)[] } {
  if (raw === undefined) return { problems: [] };
  const mapping = checkMapping(where, raw, '{ notificationStartDays: 30, notificationFrequencyHours: 24, emailIds: [pki@example.com] }');
  if (mapping || !isMapping(raw)) return { problems: [mapping] };
  const m = raw;
  const problems: (string | undefined)[] = [
    ...unknownKeys(m, MONITOR_KEYS, where),
    wholeNumber(`${where}.notificationStartDays`, m.notificationStartDays, 1, 365, true),
    wholeNumber(`${where}.notificationFrequencyHours`, m.notificationFrequencyHours, 1, 8760),
    checkBoolean(`${where}.emailNotification`, m.emailNotification),
    checkBoolean(`${where}.lscMonitoring`, m.lscMonitoring),
    checkList(`${where}.emailIds`, m.emailIds, 'e-mail addresses such as [pki@example.com]'),
  ];
  const emails: unknown[] = Array.isArray(m.emailIds) ? m.emailIds : [];
  emails.forEach((e, i) => {
    if (typeof e !== 'string' || !EMAIL.test(e)) problems.push(`${where}.emailIds[${i}] must be an e-mail address such as 'pki@example.com', got ${shown(e)}`);
  });
  const emailNotification = (m.emailNotification as boolean | undefined) ?? emails.length > 0;
  if (emailNotification && emails.length === 0) problems.push(`${where}.emailIds is empty: give the addresses the notifications go to, or set emailNotification: false`);
  return {
    problems,
    value: {
      notificationStartDays: m.notificationStartDays as number,
      notificationFrequencyHours: (m.notificationFrequencyHours as number | undefined) ?? 24,
      emailNotification,
      emailIds: emails as string[],
      lscMonitoring: (m.lscMonitoring as boolean | undefined) ?? false,
    },
  };
}

export function buildRevocation(raw: unknown, where: string): { value?: RevocationDecl; problems: (string | undefined)[] } {
  if (raw === undefined) return { problems: [] };
  const mapping = checkMapping(where, raw, '{ ocspResponder: http://ocsp.example.com, checkIntervalHours: 24, validityCheck: true }');
  if (mapping || !isMapping(raw)) return { problems: [mapping] };
  const r = raw;
  const problems: (string | undefined)[] = [
    ...unknownKeys(r, REVOCATION_KEYS, where),
    wholeNumber(`${where}.checkIntervalHours`, r.checkIntervalHours, 1, 8760),
    checkBoolean(`${where}.validityCheck`, r.validityCheck),
    wholeNumber(`${where}.validityCheckFrequencyHours`, r.validityCheckFrequencyHours, 1, 8760),
  ];
  if (r.ocspResponder !== undefined && (typeof r.ocspResponder !== 'string' || !/^https?:\/\/[^\s]+$/.test(r.ocspResponder))) {
    problems.push(`${where}.ocspResponder must be the responder's http:// or https:// URI, got ${shown(r.ocspResponder)} (leave it out to use the OCSP URI from the certificate)`);
  }
  const validityCheck = (r.validityCheck as boolean | undefined) ?? false;
  if (r.validityCheckFrequencyHours !== undefined && !validityCheck) {
    problems.push(`${where}.validityCheckFrequencyHours is set but validityCheck is not true: set validityCheck: true (Certificate Validity Check) or drop the frequency`);
  }
  return {
    problems,
    value: {
      ...(typeof r.ocspResponder === 'string' ? { ocspResponder: r.ocspResponder } : {}),
      checkIntervalHours: (r.checkIntervalHours as number | undefined) ?? 24,
      validityCheck,
      ...(r.validityCheckFrequencyHours !== undefined ? { validityCheckFrequencyHours: r.validityCheckFrequencyHours as number } : {}),
    },
  };
}

function wholeNumber(prop: string, value: unknown, min: number, max: number, required = false): string | undefined {
  if (value === undefined) return required ? `${prop} is missing: give a whole number from ${min} to ${max}` : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return `${prop} must be a whole number from ${min} to ${max}, got ${shown(value)}`;
  }
  return undefined;
}
