/**
 * Trust stores as the vendor keeps them: an upload on a publisher reaches every node of the
 * cluster that has the store; a file is named after the subject CN; a certificate with the
 * same name is not replaced by one that starts earlier (DOMAIN.md §5).
 */
import { findPurpose } from '../../catalog';
import { trustFileName } from '../../pki/names';
import { CertInfo, parseAll, parseCert } from '../core/certificate';
import { TrustRecord } from './state';
import { TwinNodeSpec } from './topology';
import { TwinWorld } from './world';

export type UploadResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface StoredTrust {
  readonly store: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly subject: string;
}

export const REFUSED_BY_FAULT = 'Upload refused by the node (injected fault refuse-upload)';

/** The node's name of a trust file: the subject CN (else the fingerprint's first 16 digits), see lib/pki trustFileName. */
export function trustFileOf(cert: CertInfo): string {
  return trustFileName(cert.commonName || cert.sha256.slice(0, 16));
}

/** `tomcat` → `tomcat-trust`; a purpose name maps to its purpose's store; a store name is itself. */
export function trustStoreOfUnit(spec: TwinNodeSpec, unit: string): string | undefined {
  const candidates = [unit.endsWith('-trust') ? unit : `${unit}-trust`, findPurpose(unit)?.trustStore];
  return candidates.find((s): s is string => !!s && spec.trustStores.includes(s));
}

/** The parsed certificates of a node's trust store. */
export function trustCerts(world: TwinWorld, fqdn: string, store: string): CertInfo[] {
  return (world.node(fqdn).trust[store] ?? []).map((t) => world.cert(t.pem));
}

export function importTrust(world: TwinWorld, fqdn: string, unit: string, pems: readonly string[], description?: string): UploadResult<StoredTrust[]> {
  const spec = world.spec(fqdn);
  if (world.faults(fqdn).refuseUpload) return { ok: false, error: REFUSED_BY_FAULT };
  const store = trustStoreOfUnit(spec, unit);
  if (!store) return { ok: false, error: `Invalid certificate unit ${unit}: use one of ${spec.trustStores.map((s) => s.replace(/-trust$/, '')).join(', ')}` };
  if (pems.length === 0) return { ok: false, error: 'No certificate found in the pasted text' };
  const certs = parseAll(pems);
  if (!certs) return { ok: false, error: 'Invalid certificate: not a readable X.509 certificate' };
  const targets = spec.isPublisher ? world.clusterOf(spec).filter((s) => s.trustStores.includes(store)) : [spec];
  const now = new Date().toISOString();
  for (const target of targets) {
    const list = world.node(target.fqdn).trust[store];
    for (const cert of certs) addTrust(list, cert, description ?? 'Trust Certificate', now);
  }
  world.save();
  const stored = certs.map((c) => ({ store, fileName: trustFileOf(c), sha256: c.sha256, subject: c.subject }));
  world.log(`${spec.fqdn}: trust ${stored.map((s) => `${s.store}/${s.fileName}`).join(', ')} imported on ${targets.length} node(s)`);
  return { ok: true, value: stored };
}

function addTrust(list: TrustRecord[], cert: CertInfo, description: string, now: string): void {
  const fileName = trustFileOf(cert);
  const index = list.findIndex((t) => t.fileName === fileName);
  const record: TrustRecord = { fileName, pem: cert.pem, sha256: cert.sha256, subject: cert.subject, description, addedAt: now };
  if (index < 0) list.push(record);
  else if (list[index].sha256 !== cert.sha256 && !(parseCert(list[index].pem).notBefore > cert.notBefore)) list[index] = record;
}

/** Deletes one trust file on this node only. `file` may carry the store prefix. */
export function deleteTrust(world: TwinWorld, fqdn: string, store: string, file: string): UploadResult<string> {
  const spec = world.spec(fqdn);
  const storeName = trustStoreOfUnit(spec, store);
  const list = storeName ? world.node(fqdn).trust[storeName] : undefined;
  const index = list ? list.findIndex((t) => t.fileName === file) : -1;
  if (!list || index < 0) return { ok: false, error: `${store}/${file} does not exist on this node` };
  list.splice(index, 1);
  world.save();
  world.log(`${spec.fqdn}: trust ${storeName}/${file} deleted`);
  return { ok: true, value: file };
}

/** Finds a trust file by `store/file` or by file name alone. */
export function findTrust(world: TwinWorld, fqdn: string, path: string): { store: string; record: TrustRecord } | undefined {
  const spec = world.spec(fqdn);
  const node = world.node(fqdn);
  const slash = path.indexOf('/');
  const stores = slash >= 0 ? [trustStoreOfUnit(spec, path.slice(0, slash))].filter((s): s is string => !!s) : spec.trustStores;
  const file = slash >= 0 ? path.slice(slash + 1) : path;
  for (const store of stores) {
    const record = (node.trust[store] ?? []).find((t) => t.fileName === file);
    if (record) return { store, record };
  }
  return undefined;
}
