/** Dates: not yet valid, expired, or expiring within the renewal window. */
import { CertificateView } from '../certificate';
import { LintFinding, finding } from './finding';

export const DEFAULT_RENEWAL_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export function lintValidity(cert: CertificateView, now: Date, renewalWindowDays = DEFAULT_RENEWAL_WINDOW_DAYS): LintFinding[] {
  const at = { certificate: cert.label };
  const renew = cert.basicConstraints?.ca ? 'renew the CA certificate and declare the new one' : 'have a new certificate signed';
  const day = (d: Date) => d.toISOString().slice(0, 19) + 'Z';
  if (cert.notBefore.getTime() > now.getTime()) {
    return [finding('CERT_NOT_YET_VALID', `${cert.label}: not valid before ${day(cert.notBefore)}: check this machine's clock, or wait until then`, at)];
  }
  if (cert.notAfter.getTime() < now.getTime()) {
    return [finding('CERT_EXPIRED', `${cert.label}: expired on ${day(cert.notAfter)}: ${renew}`, at)];
  }
  const daysLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < renewalWindowDays) {
    return [finding('CERT_EXPIRES_SOON', `${cert.label}: expires on ${day(cert.notAfter)}, in ${daysLeft} days (renewal window ${renewalWindowDays} days): ${renew} now`, at)];
  }
  return [];
}
