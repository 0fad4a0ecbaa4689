/**
 * A status report three ways: `--json` (formatVersion 1), `--format prometheus` (the text
 * exposition format, for node_exporter's textfile collector) and a table for people, coloured
 * only when asked (a terminal).
 */
import { shortFingerprint } from '../pki/fingerprint';
import { IdentityState, StatusReport, exitCodeOf } from './status';

export function renderJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A label value in the exposition format: backslash, double quote and line feed escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
}

function seconds(iso: string): number | undefined {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/**
 * The metrics of a report. A series appears once: two trust certificates of one subject in one
 * store give the one that expires first (what an alert must see).
 */
export function renderPrometheus(report: StatusReport): string {
  const expiry: string[] = [];
  const ready: string[] = [];
  const reachable: string[] = [];
  const trust = new Map<string, number>();
  for (const cluster of report.clusters) {
    for (const node of cluster.nodes) {
      reachable.push(`ucrollout_node_reachable${labels({ cluster: cluster.name, node: node.fqdn })} ${node.reachable ? 1 : 0}`);
      for (const id of node.identities) {
        const l = labels({ cluster: cluster.name, node: node.fqdn, purpose: id.purpose });
        const t = seconds(id.notAfter);
        if (t !== undefined) expiry.push(`ucrollout_certificate_expiration_timestamp_seconds${l} ${t}`);
        ready.push(`ucrollout_certificate_ready${l} ${id.state === 'ok' ? 1 : 0}`);
      }
      for (const entry of node.trust) {
        const t = seconds(entry.notAfter);
        if (t === undefined) continue;
        const l = labels({ cluster: cluster.name, node: node.fqdn, store: entry.store, subject: entry.subject });
        const seen = trust.get(l);
        if (seen === undefined || t < seen) trust.set(l, t);
      }
    }
  }
  const block = (name: string, help: string, lines: readonly string[]) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...lines];
  return (
    [
      ...block('ucrollout_certificate_expiration_timestamp_seconds', 'The date after which the identity certificate a node holds for a purpose expires, as a Unix time.', expiry),
      ...block('ucrollout_certificate_ready', 'Whether the identity certificate of a purpose is the declared one, installed, presented and not due for renewal (1), or not (0).', ready),
      ...block('ucrollout_trust_expiration_timestamp_seconds', 'The date after which a certificate in a trust store of a node expires, as a Unix time.', [...trust].map(([l, t]) => `ucrollout_trust_expiration_timestamp_seconds${l} ${t}`)),
      ...block('ucrollout_node_reachable', 'Whether the node could be read (1) or not (0).', reachable),
    ].join('\n') + '\n'
  );
}

export interface TableOptions {
  /** ANSI colours (a terminal). @default false */
  readonly colour?: boolean;
}

const COLOURS: Record<IdentityState | 'critical' | 'warning' | 'dim', string> = {
  ok: '32',
  due: '33',
  drift: '33',
  'pending-restart': '33',
  expired: '31',
  unmanaged: '2',
  critical: '31',
  warning: '33',
  dim: '2',
};

const VERDICT = ['OK', 'WARNING', 'CRITICAL'] as const;

/** The report for people: per cluster and node its identities, its trust stores in one line, then the findings with their fixes. */
export function renderTable(report: StatusReport, opts: TableOptions = {}): string {
  const paint = (what: keyof typeof COLOURS, text: string) => (opts.colour ? `\x1b[${COLOURS[what]}m${text}\x1b[0m` : text);
  const now = Date.parse(report.generatedAt);
  const out: string[] = [];
  for (const cluster of report.clusters) {
    out.push(`cluster ${cluster.name}`);
    for (const node of cluster.nodes) {
      if (!node.reachable) {
        out.push(`  ${node.fqdn}  ${paint('critical', 'UNREACHABLE')}`);
        continue;
      }
      out.push(`  ${node.fqdn}`);
      const rows = node.identities.map((id) => [
        id.purpose,
        id.state,
        id.notAfter ? `${id.notAfter.slice(0, 10)} (${Math.floor((Date.parse(id.notAfter) - now) / 86_400_000)} d)` : '?',
        id.selfSigned ? 'self-signed' : cn(id.issuer),
        `${shortFingerprint(id.sha256)}…`,
        id.presented === null ? '-' : id.presented === id.sha256 ? 'presented' : `presents ${shortFingerprint(id.presented)}…`,
      ]);
      const header = ['purpose', 'state', 'expires', 'issuer', 'sha256', 'port'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (cells: string[], colourState = false) =>
        `    ${cells
          .map((c, i) => {
            const padded = c.padEnd(widths[i]);
            return colourState && i === 1 ? paint(c as IdentityState, padded) : padded;
          })
          .join('  ')
          .trimEnd()}`;
      out.push(paint('dim', line(header)));
      for (const r of rows) out.push(line(r, true));
      const stores = new Set(node.trust.map((t) => t.store));
      const soon = node.trust.filter((t) => t.notAfter && Date.parse(t.notAfter) - now <= report.warnDays * 86_400_000).length;
      out.push(`    trust: ${node.trust.length} certificate(s) in ${stores.size} store(s)${soon ? `, ${paint('warning', `${soon} expired or expiring within ${report.warnDays} days`)}` : ''}`);
    }
    out.push('');
  }
  const code = exitCodeOf(report);
  if (report.findings.length === 0) out.push(`${paint('ok', VERDICT[code])}: every declared certificate is installed and presented, nothing expires within ${report.warnDays} days`);
  else {
    out.push(`${paint(code === 2 ? 'critical' : 'warning', VERDICT[code])}: ${report.findings.length} finding(s)`);
    for (const f of report.findings) {
      const where = [f.cluster, f.purpose ?? f.store].filter(Boolean).join(' ');
      out.push(`  ${paint(f.severity, f.severity.padEnd(8))} ${f.code} (${where}${f.nodes.length ? `: ${f.nodes.join(', ')}` : ''})`);
      out.push(`           ${f.message}`);
      out.push(`           fix: ${f.fix}`);
    }
  }
  return out.join('\n') + '\n';
}

function cn(dn: string): string {
  return /(?:^|, )CN=([^,]*)/.exec(dn)?.[1] ?? dn;
}
