/**
 * What a Meeting Server certificate is used for. The CSR guide (DOMAIN.md §4, seed 004) gives
 * no key-usage table, so this is what the server itself asks and signs (the twin's `pki csr`
 * and `pki sign`, lib/simulator/cms/pki.ts): server authentication for the service's listener
 * and client authentication, since callbridge is also the TLS client of its peers, the web
 * bridge and the database; a digital signature and, for an RSA key, key encipherment
 * (an EC key agrees keys instead: keyUsageForKeyType).
 */
import { Eku, KeyUsageRow } from '../../catalog';

export const CMS_KEY_USAGE: KeyUsageRow = {
  eku: [Eku.SERVER_AUTH, Eku.CLIENT_AUTH],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
};
