/**
 * Identity (leaf) uploads as the vendor checks them: the issuer chain up to a self-signed root
 * must be in the purpose's trust store of each receiving node; a multi-server leaf uploaded on
 * a publisher goes to every node of the cluster its SANs name; the new identity is only
 * presented after the serving service restarts (service-control.ts takes that snapshot).
 */
import { CertPlatform, PurposeInfo, findPurpose } from '../../catalog';
import { purposeUsage } from '../../pki/purpose-usage';
import { csrForKey } from '../../pki/csr';
import { shortFingerprint } from '../../pki/fingerprint';
import { generateKeyPem } from '../../pki/keys';
import { createHash } from 'node:crypto';
import { CertInfo, NODE_EKU, NODE_O, NODE_OU, chainToRoot, parseAll, presentationOrder, spkiOfCert, spkiOfPrivateKey } from '../core/certificate';
import { SELF_SIGNED_DESCRIPTION, selfSignedIdentity } from './provision';
import { IdentityRecord } from './state';
import { TwinNodeSpec } from './topology';
import { REFUSED_BY_FAULT, UploadResult, trustCerts } from './trust';
import { TwinWorld } from './world';

export const CHAIN_NOT_TRUSTED = 'CA Certificate is Not Available in the Trust-Store';

export interface NodeDistribution {
  readonly node: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface IdentityImport {
  readonly ok: boolean;
  /** Why the receiving node refused the upload (nothing was installed anywhere). */
  readonly error?: string;
  /** Multi-server: one entry per SAN node of the cluster; otherwise the receiving node only. */
  readonly distribution: readonly NodeDistribution[];
  readonly multiServer: boolean;
}

export function hostsUnit(spec: TwinNodeSpec, unit: string): boolean {
  return spec.purposes.some((p) => p.name === unit);
}

export function importIdentity(world: TwinWorld, fqdn: string, unit: string, pems: readonly string[]): IdentityImport {
  const spec = world.spec(fqdn);
  const refuse = (error: string): IdentityImport => ({ ok: false, error, distribution: [], multiServer: false });
  if (world.faults(fqdn).refuseUpload) return refuse(REFUSED_BY_FAULT);
  if (!hostsUnit(spec, unit)) return refuse(`Invalid certificate unit ${unit}: use one of ${spec.purposes.map((p) => p.name).join(', ')}`);
  const certs = parseAll(pems);
  if (!certs) return refuse('Invalid certificate: not a readable X.509 certificate');
  if (certs.length === 0) return refuse('No certificate found in the pasted text');
  const leaf = certs[0];
  if (new Date(leaf.notAfter).getTime() < Date.now()) return refuse('The certificate has expired');
  const purpose = findPurpose(unit)!;
  const named = new Set([leaf.commonName.toLowerCase(), ...leaf.dnsNames.map((d) => d.toLowerCase())]);
  const sanNodes = world.clusterOf(spec).filter((s) => named.has(s.fqdn) && hostsUnit(s, unit));
  const multiServer = spec.isPublisher && sanNodes.some((s) => s.fqdn !== spec.fqdn);
  if (!multiServer && !named.has(spec.fqdn)) return refuse(`The certificate does not name this node (${spec.fqdn}) in its CN or SANs`);
  if (!chainToRoot(leaf, trustCerts(world, fqdn, purpose.trustStore))) return refuse(CHAIN_NOT_TRUSTED);
  const key = keyForLeaf(world, fqdn, unit, spkiOfCert(leaf));
  if ('refused' in key) return refuse(key.refused);
  const keyFile = key.keyFile;
  const record: IdentityRecord = {
    unit,
    fileName: `${unit}.pem`,
    chain: presentationOrder(leaf, certs.slice(1)).map((c) => c.pem),
    keyFile,
    sha256: leaf.sha256,
    subject: leaf.subject,
    issuer: leaf.issuer,
    selfSigned: false,
    description: `Certificate Signed by ${/(?:^|, )CN=([^,]*)/.exec(leaf.issuer)?.[1] ?? leaf.issuer}`,
    installedAt: new Date().toISOString(),
  };
  const targets = multiServer ? sanNodes : [spec];
  const distribution = targets.map((target): NodeDistribution => {
    const reason = target.fqdn === spec.fqdn ? undefined : distributionProblem(world, target, leaf, purpose.trustStore);
    if (reason) return { node: target.fqdn, ok: false, reason };
    world.node(target.fqdn).identities[unit] = record;
    return { node: target.fqdn, ok: true };
  });
  // The CSR became the identity: its key is in service now (and went with it to the SAN nodes).
  if (key.fromCsr && distribution.some((d) => d.ok)) delete world.node(fqdn).csrs[unit];
  world.save();
  world.log(`${spec.fqdn}: identity ${unit} ${shortFingerprint(leaf.sha256)} imported on ${distribution.filter((d) => d.ok).map((d) => d.node).join(', ')}`);
  return { ok: distribution.every((d) => d.ok), distribution, multiServer };
}

function distributionProblem(world: TwinWorld, target: TwinNodeSpec, leaf: CertInfo, store: string): string | undefined {
  const faults = world.faults(target.fqdn);
  if (faults.unreachable) return 'node not reachable';
  if (faults.refuseUpload) return REFUSED_BY_FAULT;
  if (!chainToRoot(leaf, trustCerts(world, target.fqdn, store))) return CHAIN_NOT_TRUSTED;
  return undefined;
}

/** `set cert regen` and `set cert delete own`: a new self-signed identity, presented after the next restart. */
export async function regenerateSelfSigned(world: TwinWorld, fqdn: string, unit: string): Promise<UploadResult<IdentityRecord>> {
  const spec = world.spec(fqdn);
  const purpose = spec.purposes.find((p) => p.name === unit);
  if (!purpose) return { ok: false, error: `Invalid certificate unit ${unit}` };
  const rsa = purpose.keyType === 'RSA' && world.state.rsaKeyFile;
  const key = rsa ? { pem: world.key(rsa), file: rsa, fresh: false } : { pem: await generateKeyPem({ keyType: purpose.keyType }), file: '', fresh: true };
  const record = await selfSignedIdentity(world.store, spec, purpose, key);
  world.node(fqdn).identities[unit] = { ...record, description: SELF_SIGNED_DESCRIPTION };
  world.save();
  world.log(`${spec.fqdn}: identity ${unit} regenerated self-signed`);
  return { ok: true, value: record };
}

/** Public key mismatch, as the platform refuses a certificate that was not signed from its CSR (DOMAIN.md §5). */
export const KEY_MISMATCH = 'Certificate public key mismatch';

/**
 * The key of an uploaded leaf, as a node has it: the key of its current CSR of the unit, or the
 * key of the identity in service (the same key signed again). Nothing else: a node has no
 * private-key import, and a newer CSR replaced the older one's key. Key folders (`keyDirs`) are
 * a test convenience for leaves signed elsewhere, never the default.
 */
function keyForLeaf(world: TwinWorld, fqdn: string, unit: string, spki: string): { keyFile: string; fromCsr: boolean } | { refused: string } {
  const node = world.node(fqdn);
  const csr = node.csrs[unit];
  if (csr && (csr.spki ?? spkiOfPrivateKey(world.key(csr.keyFile))) === spki) return { keyFile: csr.keyFile, fromCsr: true };
  const current = node.identities[unit];
  if (current?.keyFile && spkiOfPrivateKey(world.key(current.keyFile)) === spki) return { keyFile: current.keyFile, fromCsr: false };
  const found = world.keyFinder?.find(spki);
  if (found) return { keyFile: world.store.writeKey(`${createHash('sha256').update(spki).digest('hex').slice(0, 32)}.key`, found), fromCsr: false };
  return {
    refused: csr
      ? `${KEY_MISMATCH}: the certificate was not signed from the current CSR of ${unit} on this node (a newer CSR replaced the one it was signed from, or it is for another key): generate a CSR, have it signed, upload that certificate`
      : `${KEY_MISMATCH}: the certificate's key is not the key of a CSR of ${unit} generated on this node (no private-key import): generate the CSR on this node and have it signed`,
  };
}

/**
 * The usage a node requests in its CSR: its purpose's rows of the key-usage table (DOMAIN.md §2)
 * for its own platform and, multi-server, for the platform of every node the certificate is
 * distributed to (a tomcat certificate spanning CUCM and IM&P asks for keyEncipherment too).
 */
function requestedUsage(world: TwinWorld, spec: TwinNodeSpec, purpose: PurposeInfo, sanNodes: readonly string[]): { keyUsage: string[]; eku: string[] } {
  const platforms = new Set<CertPlatform>([spec.platform]);
  for (const other of world.clusterOf(spec)) if (sanNodes.includes(other.fqdn.toLowerCase())) platforms.add(other.platform);
  const keyUsage = new Set<string>();
  const eku = new Set<string>(NODE_EKU);
  for (const platform of [...platforms].sort()) {
    const usage = purposeUsage(purpose, purpose.keyType === 'EC' ? 'EC' : 'RSA', platform);
    usage.keyUsage.forEach((b) => keyUsage.add(b));
    usage.eku.forEach((o) => eku.add(o));
  }
  return { keyUsage: [...keyUsage], eku: [...eku] };
}

/** What a CSR request asks for (POST …/csr); the CLI's `set csr gen` asks for this server only. */
export interface NodeCsrRequest {
  readonly distribution?: 'this-server' | 'multi-server';
  readonly commonName?: string;
  readonly altNames?: readonly string[];
  readonly keyType?: string;
  readonly keyLength?: number;
  /** `set csr gen` on 14SU1+: the OU in the subject or not. @default true */
  readonly includeOu?: boolean;
}

/**
 * `set csr gen <unit>` / POST …/csr: a key and a CSR the node keeps; a newer CSR replaces the
 * older one and its key. This server: CN and SAN its FQDN (plus the names asked for). Multi-server:
 * on the unit's publisher only, the CN and SANs asked for; the key is distributed with the
 * certificate to its SAN nodes on upload.
 */
export async function generateNodeCsr(world: TwinWorld, fqdn: string, unit: string, request: NodeCsrRequest = {}): Promise<UploadResult<string>> {
  const spec = world.spec(fqdn);
  const purpose = spec.purposes.find((p) => p.name === unit);
  if (!purpose) return { ok: false, error: `Invalid certificate unit ${unit}` };
  const multi = request.distribution === 'multi-server';
  if (multi && !(findPurpose(unit)?.multiServer ?? false)) return { ok: false, error: `${unit} has no multi-server certificate: use distribution this-server` };
  if (multi && !spec.isPublisher) return { ok: false, error: `A multi-server CSR for ${unit} is generated on the publisher, not on ${spec.fqdn}` };
  if (request.keyType !== undefined && request.keyType.toUpperCase() !== purpose.keyType) {
    return { ok: false, error: `${unit} takes a${purpose.keyType === 'EC' ? 'n EC' : 'n RSA'} key, not keyType ${request.keyType}` };
  }
  if (purpose.keyType === 'RSA' && request.keyLength !== undefined && ![2048, 3072, 4096].includes(request.keyLength)) {
    return { ok: false, error: `keyLength must be 2048, 3072 or 4096, got ${request.keyLength}` };
  }
  const commonName = (request.commonName ?? spec.fqdn).toLowerCase();
  if (request.commonName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(commonName)) {
    return { ok: false, error: `Invalid common name ${JSON.stringify(request.commonName)}` };
  }
  const altNames = [...new Set([commonName, ...(multi ? [] : [spec.fqdn]), ...(request.altNames ?? []).map((n) => n.toLowerCase())])];
  if (altNames.some((n) => n.includes('*') && purpose.family !== 'cup-xmpp-s2s')) return { ok: false, error: `Wildcard names are not allowed in a ${unit} CSR` };
  const keyPem = await generateKeyPem({ keyType: purpose.keyType, ...(purpose.keyType === 'RSA' && request.keyLength ? { keySize: request.keyLength as 2048 | 3072 | 4096 } : {}) });
  const subject: [string, string][] = [['CN', commonName], ...(request.includeOu === false ? [] : ([['OU', NODE_OU]] as [string, string][])), ['O', NODE_O]];
  const usage = requestedUsage(world, spec, purpose, multi ? altNames : []);
  const csr = await csrForKey({ subject, altNames, keyUsage: usage.keyUsage, extendedKeyUsage: usage.eku, keyPem });
  const spki = spkiOfPrivateKey(keyPem);
  // One file per key: the key of an identity made from an earlier CSR stays where it is.
  const keyFile = world.store.writeKey(`csr-${createHash('sha256').update(spki).digest('hex').slice(0, 32)}.key`, keyPem);
  world.node(fqdn).csrs[unit] = { csr, keyFile, generatedAt: new Date().toISOString(), spki, distribution: multi ? 'multi-server' : 'this-server' };
  world.save();
  world.log(`${spec.fqdn}: ${multi ? 'multi-server ' : ''}CSR generated for ${unit} (CN ${commonName}, ${altNames.length} SAN(s)); the node keeps the key`);
  return { ok: true, value: csr };
}
