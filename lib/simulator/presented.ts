/**
 * What a node presents on a port right now: the identities its serving service snapshotted
 * when it last started, as a TLS context. A port shared by a purpose and its -ECDSA sibling
 * carries both certificates when their key types differ (server preference RSA, so a default
 * client sees the RSA one and an ECDSA-only client the -ECDSA one); otherwise the first only.
 */
import { SecureContext, createSecureContext } from 'node:tls';
import { keyTypeOf } from './certificate';
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

/** TLS contexts by the fingerprints they carry: built once per identity set. */
export class ContextCache {
  private readonly contexts = new Map<string, SecureContext>();

  constructor(private readonly world: TwinWorld) {}

  get(records: readonly IdentityRecord[]): SecureContext {
    const id = records.map((r) => r.sha256).join('+');
    let context = this.contexts.get(id);
    if (!context) {
      context = createSecureContext({
        key: records.map((r) => this.world.key(r.keyFile)),
        cert: records.map((r) => r.chain.join('')),
        honorCipherOrder: true,
        sigalgs: SIGALGS_RSA_FIRST,
      });
      this.contexts.set(id, context);
    }
    return context;
  }
}
