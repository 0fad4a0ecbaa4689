/** Extended key usage OIDs (DOMAIN.md §2). */
export const Eku = {
  SERVER_AUTH: '1.3.6.1.5.5.7.3.1',
  CLIENT_AUTH: '1.3.6.1.5.5.7.3.2',
  IPSEC_END_SYSTEM: '1.3.6.1.5.5.7.3.5',
} as const;
export type EkuOid = (typeof Eku)[keyof typeof Eku];

export type KeyUsageBit =
  | 'digitalSignature'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyCertSign'
  | 'keyAgreement';

/** One row of the seed's key-usage table: what the platform requests in its CSR. */
export interface KeyUsageRow {
  readonly eku: readonly EkuOid[];
  /** Bits marked Y in the table; N and blank are both "not requested". */
  readonly keyUsage: readonly KeyUsageBit[];
}

const WEB: readonly EkuOid[] = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH];
const WEB_IPSEC: readonly EkuOid[] = [Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.IPSEC_END_SYSTEM];

/** The table of DOMAIN.md §2, keyed by `<platform>:<purpose family>`; -ECDSA purposes share their family's row. */
export const KEY_USAGE_TABLE: Readonly<Record<string, KeyUsageRow>> = {
  'cucm:CallManager': { eku: WEB, keyUsage: ['digitalSignature', 'dataEncipherment'] },
  'cucm:CAPF': { eku: WEB, keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'] },
  'cucm:ipsec': { eku: WEB_IPSEC, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] },
  'cucm:tomcat': { eku: WEB, keyUsage: ['digitalSignature', 'dataEncipherment'] },
  'cucm:TVS': { eku: WEB, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] },
  'imp:cup': { eku: WEB_IPSEC, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'] },
  'imp:cup-xmpp': { eku: WEB_IPSEC, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'] },
  'imp:cup-xmpp-s2s': { eku: WEB_IPSEC, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'] },
  'imp:ipsec': { eku: WEB_IPSEC, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] },
  'imp:tomcat': { eku: WEB, keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] },
};

/**
 * The key usage a CSR of this key type should request: an EC key cannot encipher,
 * so its RSA-only bits become keyAgreement (DOMAIN.md §2).
 */
export function keyUsageForKeyType(row: KeyUsageRow, keyType: 'RSA' | 'EC'): readonly KeyUsageBit[] {
  if (keyType === 'RSA') return row.keyUsage;
  const bits = new Set<KeyUsageBit>(row.keyUsage.filter((b) => b !== 'keyEncipherment' && b !== 'dataEncipherment'));
  if (row.keyUsage.includes('keyEncipherment') || row.keyUsage.includes('dataEncipherment')) bits.add('keyAgreement');
  const order: KeyUsageBit[] = ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyCertSign', 'keyAgreement'];
  return order.filter((b) => bits.has(b));
}
