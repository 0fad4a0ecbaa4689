/** `sim status` of the Meeting Servers: each service's state and files, and the server's part in the database cluster. */
import { identityLabel, parseCert } from '../core/certificate';
import { ReadyFile, nodeHeading } from '../core/ready-file';
import { TwinState } from '../core/state';

export function describeServers(state: TwinState, ready: ReadyFile | undefined): string[] {
  const lines: string[] = [];
  for (const server of Object.values(state.cmsServers ?? {})) {
    lines.push(...nodeHeading(server.fqdn, `Meeting Server, cluster ${server.cluster}`, ready));
    for (const [service, record] of Object.entries(server.services)) {
      if (!record) continue;
      const serving = record.failure
        ? `failed (${record.failure})`
        : !record.enabled
          ? 'disabled'
          : record.presents
            ? `presents ${label(record.presents.chain[0], record.presents.leafSha256)}`
            : 'presents nothing';
      lines.push(`  ${service}: ${serving}; configured ${record.key ?? 'none'} ${record.certificate ?? 'none'}${record.bundle ? ` ${record.bundle}` : ''}`);
    }
    const db = server.database;
    lines.push(`  database: ${db.membership}${db.primary && db.membership !== 'primary' ? ` of ${db.primary}` : ''}${db.failure ? ` (failed: ${db.failure})` : ''}`);
  }
  return lines;
}

function label(pem: string, sha256: string): string {
  try {
    const cert = parseCert(pem);
    return identityLabel(cert.subject, cert.issuer, cert.selfSigned, sha256);
  } catch {
    return `sha256 ${sha256.slice(0, 16)}…`;
  }
}
