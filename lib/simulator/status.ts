/**
 * `ucrollout sim status`: per node, what each service port presents now, what is uploaded
 * but waits for a restart, and the services that are not running; per Meeting Server, each
 * service's state and files, and its part in the database cluster. Read from the state
 * folder alone, so it works whether the twin runs or not.
 */
import { join } from 'node:path';
import { findPurpose } from '../catalog';
import { parseCert } from './certificate';
import { READY_FILE, readReadyFile } from './ready-file';
import { IdentityRecord, StateStore } from './state';

export function describeTwin(stateDir: string): string[] {
  const state = new StateStore(stateDir).load();
  if (!state) return [`No twin state in ${stateDir}: run ucrollout sim start first`];
  const ready = readReadyFile(join(stateDir, READY_FILE));
  const lines: string[] = [];
  for (const node of Object.values(state.nodes)) {
    const where = ready?.nodes[node.fqdn];
    lines.push(`${node.fqdn} (cluster ${node.cluster})${where ? ` at ${where.address}` : ''}`);
    if (where) lines.push(`  ports: ${Object.entries(where.ports).map(([name, port]) => `${name} ${port}`).join(', ')}`);
    for (const [unit, current] of Object.entries(node.identities)) {
      const purpose = findPurpose(unit);
      for (const port of purpose?.ports ?? []) {
        const service = node.services[port.servedBy];
        if (!service || service.status === 'Not Activated') continue;
        const presented = service.presents[unit];
        const pending = presented && presented.sha256 !== current.sha256 ? `; pending ${label(current)} until ${port.servedBy} restarts` : '';
        const serving = service.status === 'STARTED' ? `presents ${presented ? label(presented) : 'nothing'}` : `closed (${port.servedBy} ${service.status})`;
        lines.push(`  ${unit} on ${port.name}: ${serving}${pending}`);
      }
    }
    const down = Object.entries(node.services).filter(([, s]) => s.status !== 'STARTED' && s.status !== 'Not Activated');
    for (const [name, s] of down) lines.push(`  ${name}[${s.status}]${s.lastError ? `: ${s.lastError}` : ''}`);
  }
  for (const server of Object.values(state.cmsServers ?? {})) {
    const where = ready?.nodes[server.fqdn];
    lines.push(`${server.fqdn} (Meeting Server, cluster ${server.cluster})${where ? ` at ${where.address}` : ''}`);
    if (where) lines.push(`  ports: ${Object.entries(where.ports).map(([name, port]) => `${name} ${port}`).join(', ')}`);
    for (const [service, record] of Object.entries(server.services)) {
      if (!record) continue;
      const serving = record.failure
        ? `failed (${record.failure})`
        : !record.enabled
          ? 'disabled'
          : record.presents
            ? `presents ${cmsLabel(record.presents.chain[0], record.presents.leafSha256)}`
            : 'presents nothing';
      lines.push(`  ${service}: ${serving}; configured ${record.key ?? 'none'} ${record.certificate ?? 'none'}${record.bundle ? ` ${record.bundle}` : ''}`);
    }
    const db = server.database;
    lines.push(`  database: ${db.membership}${db.primary && db.membership !== 'primary' ? ` of ${db.primary}` : ''}${db.failure ? ` (failed: ${db.failure})` : ''}`);
  }
  return lines;
}

function cmsLabel(pem: string, sha256: string): string {
  try {
    const cert = parseCert(pem);
    const cn = /(?:^|, )CN=([^,]*)/.exec(cert.subject)?.[1] ?? cert.subject;
    return `${cn} (${cert.selfSigned ? 'self-signed' : `signed by ${/(?:^|, )CN=([^,]*)/.exec(cert.issuer)?.[1] ?? cert.issuer}`}, sha256 ${sha256.slice(0, 16)}…)`;
  } catch {
    return `sha256 ${sha256.slice(0, 16)}…`;
  }
}

function label(record: IdentityRecord): string {
  const cn = /(?:^|, )CN=([^,]*)/.exec(record.subject)?.[1] ?? record.subject;
  return `${cn} (${record.selfSigned ? 'self-signed' : `signed by ${/(?:^|, )CN=([^,]*)/.exec(record.issuer)?.[1] ?? record.issuer}`}, sha256 ${record.sha256.slice(0, 16)}…)`;
}
