/**
 * Parsers of the admin CLI's answers (docs/node-interfaces.md), pure functions on the text
 * between a command and the next `admin:` prompt.
 */
import { SecurityMode } from '../model';
import { normalizeFingerprint } from '../pki/fingerprint';
import { certificateNames } from '../pki/names';
import { certificatePems } from '../pki/pem';

/** The first line that reports a failure, if any. */
export function cliFailure(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  return (
    lines.find((l) => /^ERROR\b/i.test(l)) ??
    lines.find((l) => /^Invalid command/i.test(l)) ??
    lines.find((l) => /^Executed command unsuccessfully/i.test(l))
  );
}

export interface ShownCertificate {
  readonly pem?: string;
  /** Lowercase hex, no separators. Computed from the PEM when it is printed. */
  readonly sha256: string;
  readonly subjectCn: string;
  readonly issuerCn: string;
  readonly selfSigned: boolean;
}

/** `show cert own <unit>` / `show cert trust <file>`: undefined when no certificate is printed. */
export function parseShownCertificate(text: string): ShownCertificate | undefined {
  const pem = certificatePems(text)[0];
  if (pem) {
    try {
      return { pem, ...certificateNames(pem) };
    } catch {
      // An unreadable PEM: fall back to the printed lines.
    }
  }
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}\\s*:\\s*(.+)$`, 'im').exec(text)?.[1].trim();
  const fp = field('SHA256 Fingerprint');
  if (!fp || normalizeFingerprint(fp).length !== 64) return undefined;
  const subjectCn = /CN=([^,/\n]+)/.exec(field('Subject') ?? '')?.[1].trim() ?? '';
  const issuerCn = /CN=([^,/\n]+)/.exec(field('Issuer') ?? '')?.[1].trim() ?? '';
  return { sha256: normalizeFingerprint(fp), subjectCn, issuerCn, selfSigned: subjectCn !== '' && subjectCn === issuerCn };
}

export type ServiceStatus = 'STARTED' | 'STOPPED' | 'STARTING' | 'STOPPING' | 'Not Activated' | string;

export interface ServiceListing {
  readonly services: ReadonlyMap<string, ServiceStatus>;
  /** `Primary Node =true`: the node is a publisher. */
  readonly primary: boolean;
}

/** `utils service list`: `Cisco Tomcat[STARTED]`, one per line. */
export function parseServiceList(text: string): ServiceListing {
  const services = new Map<string, ServiceStatus>();
  let primary = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^Primary Node\s*=\s*true/i.test(line)) primary = true;
    const m = /^(.+?)\s*\[([^\]]+)\]\s*$/.exec(line);
    if (m) services.set(m[1].trim(), m[2].trim());
  }
  return { services, primary };
}

/** The value under the `==========` line of a one-column `run sql` answer. */
export function parseSqlSingleValue(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const rule = lines.findIndex((l) => /^=+$/.test(l));
  if (rule < 0) return undefined;
  return lines.slice(rule + 1).find((l) => l !== '');
}

/** ClusterSecurityMode: 0 non-secure, 1 mixed (DOMAIN.md §3). */
export function securityModeFromSql(value: string | undefined): SecurityMode | undefined {
  if (value === '0') return 'non-secure';
  if (value === '1') return 'mixed';
  return undefined;
}

export interface TrustImportResult {
  readonly ok: boolean;
  readonly message: string;
}

/** `set cert import trust`: success line, or the first ERROR line. */
export function parseTrustImport(text: string): TrustImportResult {
  const failure = cliFailure(text);
  if (failure) return { ok: false, message: failure };
  const ok = /Import of trust certificate is successful/i.test(text);
  return { ok, message: ok ? 'Import of trust certificate is successful' : lastLine(text) };
}

export interface DistributionResult {
  readonly node: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface OwnImportResult {
  readonly ok: boolean;
  readonly message: string;
  /** Multi-server: one entry per node the publisher distributed to. */
  readonly distribution: readonly DistributionResult[];
}

/** `set cert import own`: per-node `<fqdn>: Success | Failed - reason` lines and the final verdict. */
export function parseOwnImport(text: string): OwnImportResult {
  const distribution: DistributionResult[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\s*:\s*(Success|Failed)\b\s*(?:-\s*(.*))?$/i.exec(raw);
    if (m) distribution.push({ node: m[1].toLowerCase(), ok: /^success$/i.test(m[2]), reason: m[3]?.trim() || undefined });
  }
  const failure = cliFailure(text);
  if (failure) return { ok: false, message: failure, distribution };
  const success = /Successfully imported certificate for/i.exec(text);
  return { ok: !!success, message: success ? lastMatchLine(text, /Successfully imported certificate for/i) : lastLine(text), distribution };
}

export interface RestartResult {
  readonly ok: boolean;
  /** The last `[STATUS]` printed for the service. */
  readonly lastStatus?: string;
  readonly message: string;
}

/** `utils service restart <service>`: ends with `<service>[STARTED]`, or `[STOPPED]` and an ERROR line. */
export function parseRestart(text: string, service: string): RestartResult {
  let lastStatus: string | undefined;
  const want = service.toLowerCase();
  for (const raw of text.split('\n')) {
    const m = /^(.+?)\s*\[([^\]]+)\]\s*$/.exec(raw.trim());
    if (m && m[1].trim().toLowerCase() === want) lastStatus = m[2].trim().toUpperCase();
  }
  const failure = cliFailure(text);
  if (failure) return { ok: false, lastStatus, message: failure };
  if (lastStatus === 'STARTED') return { ok: true, lastStatus, message: `${service}[STARTED]` };
  return { ok: false, lastStatus, message: lastStatus ? `${service} ended in [${lastStatus}]` : `no status line for ${service}: ${lastLine(text)}` };
}

/** `show version active` → `15.0.1.10000-1`. */
export function parseActiveVersion(text: string): string | undefined {
  return /Active Master Version\s*:\s*(\S+)/i.exec(text)?.[1];
}

export function parseDeleteResult(text: string): { ok: boolean; message: string } {
  const failure = cliFailure(text);
  if (failure) return { ok: false, message: failure };
  const ok = /Successfully deleted/i.test(text);
  return { ok, message: ok ? lastMatchLine(text, /Successfully deleted/i) : lastLine(text) };
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '(no output)';
}

function lastMatchLine(text: string, re: RegExp): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => re.test(l));
  return lines[lines.length - 1] ?? '';
}
