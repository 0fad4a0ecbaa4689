/**
 * The admin CLI's output texts: `show cert list` in the release-15 one-line format and the
 * earlier block format, `show cert`, `utils service list`, `run sql`, `show version`.
 */
import { colonFingerprint } from '../../pki/fingerprint';
import { parseCert, vendorDate } from '../core/certificate';
import { NodeState } from './state';
import { TwinNodeSpec } from './topology';

interface ListEntry {
  readonly unit: string;
  readonly file: string;
  readonly description: string;
}

export function certList(spec: TwinNodeSpec, node: NodeState, kind: 'own' | 'trust'): string[] {
  const entries: ListEntry[] =
    kind === 'own'
      ? spec.purposes.map((p) => node.identities[p.name]).filter((r) => !!r).map((r) => ({ unit: r.unit, file: r.fileName, description: r.description }))
      : spec.trustStores.flatMap((store) => (node.trust[store] ?? []).map((t) => ({ unit: store, file: t.fileName, description: t.description })));
  if (spec.major >= 15) return entries.map((e) => `${e.unit}/${e.file}: ${e.description}`);
  return entries.flatMap((e, i) => [
    ...(i > 0 ? [''] : []),
    `Certificate Unit: ${e.unit}`,
    `File: ${e.unit}/${e.file}`,
    `Description: ${e.description}`,
  ]);
}

/** `show cert own` / `show cert trust`: the PEM, then the facts. */
export function certDetails(pem: string): string[] {
  const cert = parseCert(pem);
  return [
    ...cert.pem.trimEnd().split('\n'),
    `SHA256 Fingerprint: ${colonFingerprint(cert.sha256)}`,
    `Subject: ${cert.subject}`,
    `Issuer: ${cert.issuer}`,
    `Valid From: ${vendorDate(cert.notBefore)}`,
    `Valid To: ${vendorDate(cert.notAfter)}`,
  ];
}

export function serviceList(spec: TwinNodeSpec, node: NodeState): string[] {
  const lines = spec.services.map((s) => `${s.name}[${node.services[s.name]?.status ?? 'Not Activated'}]`);
  return spec.isPublisher ? [...lines, '', 'Primary Node =true'] : lines;
}

export function securityModeRows(spec: TwinNodeSpec): string[] {
  return ['paramvalue', '==========', spec.cluster.securityMode === 'mixed' ? '1' : '0'];
}

/** `15.0` → `15.0.1.10000-1`: the declared release, padded to the vendor's build format. */
export function activeVersion(version: string): string {
  const parts = version.split('.');
  if (parts.length >= 4) return version;
  const [major, minor = '0', su = '1'] = parts;
  return `${major}.${minor}.${su}.10000-1`;
}
