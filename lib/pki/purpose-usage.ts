/** What a purpose's certificate must be used for: the catalog's key-usage table, per key type and platform. */
import { CertPlatform, EkuOid, KEY_USAGE_TABLE, KeyUsageBit, KeyUsageRow, PurposeInfo, keyUsageForKeyType } from '../catalog';
import { keyUsageFlags } from './certificate';
import { x509, X509 } from './x509';

export interface PurposeUsage {
  readonly keyUsage: readonly KeyUsageBit[];
  readonly eku: readonly EkuOid[];
}

/** The table row of the purpose on that platform (tomcat differs between CUCM and IM&P), else on its first platform. */
export function keyUsageRow(purpose: PurposeInfo, platform?: CertPlatform): KeyUsageRow {
  const on = platform && purpose.platforms.includes(platform) ? platform : purpose.platforms[0];
  const row = KEY_USAGE_TABLE[`${on}:${purpose.family}`];
  if (!row) throw new Error(`No key-usage row for purpose '${purpose.name}' on ${on}: add it to KEY_USAGE_TABLE in lib/catalog/key-usage.ts`);
  return row;
}

export function purposeUsage(purpose: PurposeInfo, keyType: 'RSA' | 'EC', platform?: CertPlatform): PurposeUsage {
  const row = keyUsageRow(purpose, platform);
  return { keyUsage: keyUsageForKeyType(row, keyType), eku: row.eku };
}

/** keyUsage (critical, as the platforms request it) and extendedKeyUsage extensions. */
export function usageExtensions(usage: { readonly keyUsage: Iterable<string>; readonly eku: readonly string[] }): X509.Extension[] {
  return [new x509.KeyUsagesExtension(keyUsageFlags(usage.keyUsage), true), new x509.ExtendedKeyUsageExtension([...usage.eku], false)];
}
