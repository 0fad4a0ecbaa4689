/**
 * Identity (leaf) uploads as the vendor checks them: the issuer chain up to a self-signed root
 * must be in the purpose's trust store of each receiving node; a multi-server leaf uploaded on
 * a publisher goes to every node of the cluster its SANs name; the new identity is only
 * presented after the serving service restarts (service-control.ts takes that snapshot).
 */
import { findPurpose } from '../../catalog';
import { csrForKey } from '../../pki/csr';
import { shortFingerprint } from '../../pki/fingerprint';
import { generateKeyPem } from '../../pki/keys';
import { CertInfo, NODE_EKU, NODE_O, NODE_OU, chainToRoot, parseAll, presentationOrder, spkiOfCert } from '../core/certificate';
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
  const privateKey = world.keyFinder.find(spkiOfCert(leaf));
  if (!privateKey) return refuse(`The certificate's public key does not match a CSR of ${unit}: no private key for it on this node`);

  const keyFile = world.store.writeKey(`${leaf.sha256.slice(0, 32)}.key`, privateKey);
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

/** `set csr gen <unit>`: a CSR for this node (CN and SAN = FQDN) whose key the node keeps. */
export async function generateNodeCsr(world: TwinWorld, fqdn: string, unit: string): Promise<UploadResult<string>> {
  const spec = world.spec(fqdn);
  const purpose = spec.purposes.find((p) => p.name === unit);
  if (!purpose) return { ok: false, error: `Invalid certificate unit ${unit}` };
  const keyPem = await generateKeyPem({ keyType: purpose.keyType });
  const csr = await csrForKey({ subject: [['CN', spec.fqdn], ['OU', NODE_OU], ['O', NODE_O]], altNames: [spec.fqdn], extendedKeyUsage: NODE_EKU, keyPem });
  const keyFile = world.store.writeKey(`csr-${spec.fqdn}-${unit}.key`, keyPem);
  world.node(fqdn).csrs[unit] = { csr, keyFile, generatedAt: new Date().toISOString() };
  world.save();
  world.log(`${spec.fqdn}: CSR generated for ${unit}`);
  return { ok: true, value: csr };
}
