/** `sim status` of the CUCM / IM&P nodes: what each service port presents now, what is uploaded but waits for a restart, and the services that are not running. */
import { findPurpose } from '../../catalog';
import { identityLabel } from '../core/certificate';
import { ReadyFile, nodeHeading } from '../core/ready-file';
import { TwinState } from '../core/state';
import { IdentityRecord } from './state';

export function describeNodes(state: TwinState, ready: ReadyFile | undefined): string[] {
  const lines: string[] = [];
  for (const node of Object.values(state.nodes)) {
    lines.push(...nodeHeading(node.fqdn, `cluster ${node.cluster}`, ready));
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
  return lines;
}

function label(record: IdentityRecord): string {
  return identityLabel(record.subject, record.issuer, record.selfSigned, record.sha256);
}
