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

/**
 * `show network cluster`: every node of the cluster as the local node knows it (address, FQDN,
 * host name, Publisher|Subscriber, callmanager|cups, DBPub|DBSub, authentication), then the
 * server table. The local node's line has no connection time. An address the declaration gives
 * as an IP is printed as is; otherwise the loopback address the twin listens on.
 */
export function networkCluster(cluster: readonly TwinNodeSpec[], local: TwinNodeSpec, since: string): string[] {
  const lines = cluster.map((n) => {
    const address = /^\d{1,3}(\.\d{1,3}){3}$/.test(n.decl.address ?? '') ? n.decl.address! : n.address;
    const host = n.fqdn.split('.')[0];
    const role = n.decl.role === 'publisher' ? 'Publisher' : 'Subscriber';
    const product = n.platform === 'imp' ? 'cups' : 'callmanager';
    const replication = n.isPublisher ? 'DBPub' : 'DBSub';
    const link = n.fqdn === local.fqdn ? 'authenticated' : `authenticated using TCP since ${cliDate(since)}`;
    return `${address} ${n.fqdn} ${host} ${role} ${product} ${replication} ${link}`;
  });
  return [...lines, '', 'Server Table (processnode) Entries', '----------------------------------', ...cluster.map((n) => n.fqdn), '', 'Successful'];
}

/** `Thu Oct 28 11:24:16 2021`, as the platform prints connection times. */
function cliDate(iso: string): string {
  const d = new Date(iso);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const time = d.toISOString().slice(11, 19);
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${d.getUTCFullYear()}`;
}
