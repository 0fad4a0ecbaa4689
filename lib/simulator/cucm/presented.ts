/**
 * What a node presents on a port right now: the identities its serving service snapshotted
 * when it last started, as a TLS context. A port shared by a purpose and its -ECDSA sibling
 * carries both certificates when their key types differ (server preference RSA, so a default
 * client sees the RSA one and an ECDSA-only client the -ECDSA one); otherwise the first only.
 */
import { SecureContext } from 'node:tls';
import { keyTypeOf } from '../core/certificate';
import { IdentityRecord } from './state';
import { TwinPort } from './topology';
import { TwinWorld } from './world';

const SIGALGS_RSA_FIRST = [
  'rsa_pss_rsae_sha256',
  'rsa_pkcs1_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pkcs1_sha384',
  'rsa_pss_rsae_sha512',
  'rsa_pkcs1_sha512',
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
].join(':');

/** The identities the port presents, or undefined when its service is not STARTED (connections are dropped). */
export function presentedIdentities(world: TwinWorld, fqdn: string, port: TwinPort): IdentityRecord[] | undefined {
  if (!port.servedBy) return [];
  const service = world.node(fqdn).services[port.servedBy];
  if (!service || service.status !== 'STARTED') return undefined;
  const records = port.purposes.map((p) => service.presents[p]).filter((r): r is IdentityRecord => !!r);
  if (records.length < 2) return records;
  const types = records.map((r) => keyTypeOf(world.cert(r.chain[0])));
  return types[0] !== types[1] ? records.slice(0, 2) : records.slice(0, 1);
}

/** The TLS context of the identities a port presents, built once per set of fingerprints. */
export function presentedContext(world: TwinWorld, records: readonly IdentityRecord[]): SecureContext {
  return world.secureContext(records.map((r) => r.sha256).join('+'), () => ({
    key: records.map((r) => world.key(r.keyFile)),
    cert: records.map((r) => r.chain.join('')),
    honorCipherOrder: true,
    sigalgs: SIGALGS_RSA_FIRST,
  }));
}
