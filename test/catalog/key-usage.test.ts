/**
 * The key-usage table of DOMAIN.md §2, row by row, with the EKU OIDs.
 */
import { describe, expect, it } from 'vitest';
import { Eku, KEY_USAGE_TABLE, PURPOSES, keyUsageForKeyType } from '../../lib/catalog';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const IPSEC_ES = '1.3.6.1.5.5.7.3.5';

type Bit = 'digitalSignature' | 'keyEncipherment' | 'dataEncipherment' | 'keyCertSign' | 'keyAgreement';
type YN = 'Y' | 'N' | '';

/**
 * DOMAIN.md §2 key-usage table, as printed:
 * multi-server | serverAuth | clientAuth | IPsec ES | digitalSignature | keyEncipherment | dataEncipherment | keyCertSign | keyAgreement
 */
const ROWS: [string, YN, YN, YN, YN, YN, YN, YN, YN, YN][] = [
  ['cucm:CallManager', 'Y', 'Y', 'Y', '', 'Y', 'N', 'Y', '', ''],
  ['cucm:CAPF', 'N', 'Y', 'Y', '', 'Y', 'Y', '', 'Y', ''],
  ['cucm:ipsec', 'N', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', '', ''],
  ['cucm:tomcat', 'Y', 'Y', 'Y', '', 'Y', 'N', 'Y', '', ''],
  ['cucm:TVS', 'Y', 'Y', 'Y', '', 'Y', 'Y', 'Y', '', ''],
  ['imp:cup', 'N', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', '', 'Y'],
  ['imp:cup-xmpp', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', '', 'Y'],
  ['imp:cup-xmpp-s2s', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', '', 'Y'],
  ['imp:ipsec', 'N', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', '', ''],
  ['imp:tomcat', 'Y', 'Y', 'Y', '', 'Y', 'Y', 'Y', '', ''],
];
const BITS: Bit[] = ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyCertSign', 'keyAgreement'];

describe('key-usage table (DOMAIN.md §2)', () => {
  it('names the EKU OIDs', () => {
    // GIVEN the OIDs of §2 WHEN the constants are read THEN equal
    expect(Eku.SERVER_AUTH).toBe(SERVER_AUTH);
    expect(Eku.CLIENT_AUTH).toBe(CLIENT_AUTH);
    expect(Eku.IPSEC_END_SYSTEM).toBe(IPSEC_ES);
  });

  it('has exactly the ten rows of the table', () => {
    // GIVEN the table WHEN the keys are listed THEN the same rows
    expect(Object.keys(KEY_USAGE_TABLE).sort()).toEqual(ROWS.map((r) => r[0]).sort());
  });

  it.each(ROWS)('%s', (key, multi, server, client, ipsec, ...bits) => {
    // GIVEN the row as printed
    const row = KEY_USAGE_TABLE[key];
    // WHEN compared
    const eku = [server === 'Y' ? SERVER_AUTH : '', client === 'Y' ? CLIENT_AUTH : '', ipsec === 'Y' ? IPSEC_ES : ''].filter(Boolean);
    // THEN the EKUs and the requested (Y) key-usage bits are the same
    expect([...row.eku].sort()).toEqual(eku.sort());
    expect([...row.keyUsage].sort()).toEqual(BITS.filter((_, i) => bits[i] === 'Y').sort());
    // AND the multi-server column agrees with the purpose catalog
    const [platform, family] = key.split(':');
    for (const p of PURPOSES.filter((x) => x.family === family && x.platforms.includes(platform as 'cucm' | 'imp'))) {
      expect(p.multiServer, p.name).toBe(multi === 'Y');
    }
  });

  it('has a row for every purpose on each of its platforms (-ECDSA share their family row)', () => {
    // GIVEN every purpose WHEN its rows are looked up THEN present
    for (const p of PURPOSES) for (const platform of p.platforms) expect(KEY_USAGE_TABLE[`${platform}:${p.family}`], `${platform}:${p.name}`).toBeDefined();
  });

  it('requires serverAuth, clientAuth and digitalSignature everywhere', () => {
    // GIVEN every row WHEN read THEN the lint's hard requirements are requested
    for (const [key, row] of Object.entries(KEY_USAGE_TABLE)) {
      expect(row.eku, key).toEqual(expect.arrayContaining([SERVER_AUTH, CLIENT_AUTH]));
      expect(row.keyUsage, key).toContain('digitalSignature');
    }
  });
});

describe('key usage per key type', () => {
  it('returns the row unchanged for RSA', () => {
    // GIVEN the IM&P cup row WHEN asked for RSA THEN as printed
    const row = KEY_USAGE_TABLE['imp:cup'];
    expect(keyUsageForKeyType(row, 'RSA')).toEqual(row.keyUsage);
  });

  it.each(Object.keys(KEY_USAGE_TABLE))('%s: an EC key never asks for key encipherment', (key) => {
    // GIVEN the row WHEN asked for EC
    const row = KEY_USAGE_TABLE[key];
    const ec = keyUsageForKeyType(row, 'EC');
    // THEN no keyEncipherment (nor dataEncipherment), digitalSignature kept, keyAgreement instead of encipherment
    expect(ec).not.toContain('keyEncipherment');
    expect(ec).not.toContain('dataEncipherment');
    expect(ec).toContain('digitalSignature');
    if (row.keyUsage.includes('keyEncipherment')) expect(ec).toContain('keyAgreement');
    if (row.keyUsage.includes('keyCertSign')) expect(ec).toContain('keyCertSign');
  });
});
