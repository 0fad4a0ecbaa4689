/**
 * The purpose table of DOMAIN.md §2, row by row, written out here independently of lib/catalog.
 */
import { describe, expect, it } from 'vitest';
import { PURPOSES, findPurpose, getPurpose, purposeNames, trustStoreNames, trustStorePlatforms } from '../../lib/catalog';

type Platform = 'cucm' | 'imp';

interface Row {
  readonly name: string;
  readonly platforms: Platform[];
  /** Services that present it (DOMAIN.md §2 "services that present it"). */
  readonly presentedBy: string[];
  readonly trustStore: string;
  readonly multiServer: boolean;
  readonly publisherOnly: boolean;
}

const TOMCAT = ['Cisco Tomcat', 'Cisco AXL Web Service', 'Cisco Client Profile Agent'];
const CALLMANAGER = ['Cisco CallManager', 'Cisco TFTP', 'Cisco CTIManager', 'Cisco Trust Verification Service'];
const CUP = ['Cisco SIP Proxy', 'Cisco Presence Engine'];
const CUP_XMPP = ['Cisco XCP Connection Manager', 'Cisco XCP Web Connection Manager', 'Cisco XCP Directory Service', 'Cisco XCP Router'];
const CUP_XMPP_S2S = ['Cisco XCP XMPP Federation Connection Manager'];

/** DOMAIN.md §2, purpose table; -ECDSA rows share their RSA row. */
const TABLE: Row[] = [
  { name: 'tomcat', platforms: ['cucm', 'imp'], presentedBy: TOMCAT, trustStore: 'tomcat-trust', multiServer: true, publisherOnly: false },
  { name: 'tomcat-ECDSA', platforms: ['cucm', 'imp'], presentedBy: TOMCAT, trustStore: 'tomcat-trust', multiServer: true, publisherOnly: false },
  { name: 'CallManager', platforms: ['cucm'], presentedBy: CALLMANAGER, trustStore: 'CallManager-trust', multiServer: true, publisherOnly: false },
  { name: 'CallManager-ECDSA', platforms: ['cucm'], presentedBy: CALLMANAGER, trustStore: 'CallManager-trust', multiServer: true, publisherOnly: false },
  { name: 'CAPF', platforms: ['cucm'], presentedBy: ['Cisco Certificate Authority Proxy Function'], trustStore: 'CAPF-trust', multiServer: false, publisherOnly: true },
  { name: 'TVS', platforms: ['cucm'], presentedBy: ['Cisco Trust Verification Service'], trustStore: 'TVS-trust', multiServer: true, publisherOnly: false },
  { name: 'ipsec', platforms: ['cucm', 'imp'], presentedBy: ['IPsec policy'], trustStore: 'ipsec-trust', multiServer: false, publisherOnly: false },
  { name: 'cup', platforms: ['imp'], presentedBy: CUP, trustStore: 'cup-trust', multiServer: false, publisherOnly: false },
  { name: 'cup-ECDSA', platforms: ['imp'], presentedBy: CUP, trustStore: 'cup-trust', multiServer: false, publisherOnly: false },
  { name: 'cup-xmpp', platforms: ['imp'], presentedBy: CUP_XMPP, trustStore: 'cup-xmpp-trust', multiServer: true, publisherOnly: false },
  { name: 'cup-xmpp-ECDSA', platforms: ['imp'], presentedBy: CUP_XMPP, trustStore: 'cup-xmpp-trust', multiServer: true, publisherOnly: false },
  { name: 'cup-xmpp-s2s', platforms: ['imp'], presentedBy: CUP_XMPP_S2S, trustStore: 'cup-xmpp-trust', multiServer: true, publisherOnly: false },
  { name: 'cup-xmpp-s2s-ECDSA', platforms: ['imp'], presentedBy: CUP_XMPP_S2S, trustStore: 'cup-xmpp-trust', multiServer: true, publisherOnly: false },
];

const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase()).sort();

describe('purpose catalog (DOMAIN.md §2)', () => {
  it('holds exactly the CUCM and IM&P purposes of §2 (ITLRecovery left out)', () => {
    // GIVEN the table of DOMAIN.md §2 WHEN the catalog is listed THEN the same names
    expect([...purposeNames()].sort()).toEqual(TABLE.map((r) => r.name).sort());
    expect(PURPOSES).toHaveLength(13);
  });

  it.each(TABLE)('$name: platform, services, trust store, multi-server, publisher-only', (row) => {
    // GIVEN the §2 row WHEN the catalog entry is read
    const p = getPurpose(row.name);
    // THEN every column matches
    expect([...p.platforms].sort()).toEqual([...row.platforms].sort());
    expect(lower(p.presentedBy)).toEqual(lower(row.presentedBy));
    expect(p.trustStore).toBe(row.trustStore);
    expect(p.multiServer).toBe(row.multiServer);
    expect(p.publisherOnly).toBe(row.publisherOnly);
  });

  it.each(TABLE)('$name: key type from the name (-ECDSA is EC, else RSA) and family', (row) => {
    // GIVEN the name WHEN the entry is read
    const p = getPurpose(row.name);
    // THEN EC exactly for -ECDSA, and the family is the name without -ECDSA
    expect(p.keyType).toBe(row.name.endsWith('-ECDSA') ? 'EC' : 'RSA');
    expect(p.family).toBe(row.name.replace(/-ECDSA$/, ''));
  });

  it('names each trust store <purpose>-trust except cup-xmpp-s2s (cup-xmpp-trust)', () => {
    // GIVEN every purpose WHEN its store is read
    for (const p of PURPOSES) {
      const expected = p.family === 'cup-xmpp-s2s' ? 'cup-xmpp-trust' : `${p.family}-trust`;
      // THEN it follows the naming rule
      expect(p.trustStore, p.name).toBe(expected);
    }
    expect(trustStoreNames()).toEqual(['CAPF-trust', 'CallManager-trust', 'TVS-trust', 'cup-trust', 'cup-xmpp-trust', 'ipsec-trust', 'tomcat-trust']);
  });

  it('knows on which platforms each trust store lives', () => {
    // GIVEN the stores WHEN asked THEN tomcat and ipsec on both, CallManager on CUCM, cup-xmpp on IM&P
    expect(trustStorePlatforms('tomcat-trust')).toEqual(['cucm', 'imp']);
    expect(trustStorePlatforms('ipsec-trust')).toEqual(['cucm', 'imp']);
    expect(trustStorePlatforms('CallManager-trust')).toEqual(['cucm']);
    expect(trustStorePlatforms('cup-xmpp-trust')).toEqual(['imp']);
    expect(trustStorePlatforms('cup-trust')).toEqual(['imp']);
  });

  it('refuses an unknown purpose with the list of known ones', () => {
    // GIVEN a name not in §2 WHEN looked up THEN undefined / an error listing the purposes
    expect(findPurpose('webex')).toBeUndefined();
    expect(() => getPurpose('webex')).toThrow(/Unknown certificate purpose 'webex': use one of tomcat, .*cup-xmpp-s2s-ECDSA/);
  });
});

/** Rollout flags per family, from DOMAIN.md §2 notes, §3 preflight and §5. */
const FLAGS: Record<string, { maintenanceWindow: boolean; ctlUpdateInMixedMode: boolean; ssoAround: boolean; restartOneAtATime: boolean }> = {
  // §3 preflight 2: SSO around tomcat; §5: Tomcat subscribers one at a time
  tomcat: { maintenanceWindow: false, ctlUpdateInMixedMode: false, ssoAround: true, restartOneAtATime: true },
  // §2 "maintenance window"; §5 "Mixed Mode: update the CTL first"; call processing restarts one node
  // at a time so phones can fail over (a choice beyond DOMAIN.md, which only says publisher first)
  CallManager: { maintenanceWindow: true, ctlUpdateInMixedMode: true, ssoAround: false, restartOneAtATime: true },
  CAPF: { maintenanceWindow: true, ctlUpdateInMixedMode: true, ssoAround: false, restartOneAtATime: true },
  // §3 preflight 3 lists TVS for the window; §5 gives no CTL update for TVS (the reading the catalog takes)
  TVS: { maintenanceWindow: true, ctlUpdateInMixedMode: false, ssoAround: false, restartOneAtATime: true },
  ipsec: { maintenanceWindow: false, ctlUpdateInMixedMode: false, ssoAround: false, restartOneAtATime: false },
  cup: { maintenanceWindow: false, ctlUpdateInMixedMode: false, ssoAround: false, restartOneAtATime: false },
  'cup-xmpp': { maintenanceWindow: false, ctlUpdateInMixedMode: false, ssoAround: false, restartOneAtATime: false },
  'cup-xmpp-s2s': { maintenanceWindow: false, ctlUpdateInMixedMode: false, ssoAround: false, restartOneAtATime: false },
};

describe('rollout flags per purpose (DOMAIN.md §3, §5)', () => {
  it.each(PURPOSES.map((p) => [p.name, p] as const))('%s: maintenance window, CTL update, SSO, one-at-a-time', (_name, p) => {
    // GIVEN the flags written from DOMAIN.md WHEN the entry is read THEN they match
    const f = FLAGS[p.family];
    expect(f, `no expected flags for family ${p.family}`).toBeDefined();
    expect({
      maintenanceWindow: p.maintenanceWindow,
      ctlUpdateInMixedMode: p.ctlUpdateInMixedMode,
      ssoAround: p.ssoAround,
      restartOneAtATime: p.restartOneAtATime,
    }).toEqual(f);
  });

  it('asks for the §5 "then" actions: DRF backup after tomcat, phone reset after CAPF, CallManager and TVS', () => {
    // GIVEN the families WHEN their after-actions are read
    const after = (name: string) => getPurpose(name).manualAfter.map((a) => a.instruction).join(' | ');
    // THEN as in §5's last column
    expect(after('tomcat')).toMatch(/DRF backup/i);
    for (const name of ['CAPF', 'CallManager', 'CallManager-ECDSA', 'TVS']) expect(after(name), name).toMatch(/reset the phones/i);
    for (const name of ['ipsec', 'cup', 'cup-xmpp', 'cup-xmpp-s2s']) expect(getPurpose(name).manualAfter, name).toEqual([]);
  });

  it('checks that the phones trust TVS before a CallManager change, and that no DRF job runs before an ipsec change', () => {
    // GIVEN CallManager and ipsec WHEN their before-restart checks are read
    // THEN §2 "phones must trust TVS before CallManager change" and §5 "no backup or restore may be running"
    // (seed 000: before the CA-signed CallManager certificate, so before its upload: issue 11)
    expect(getPurpose('CallManager').manualBeforeUpload.map((a) => a.instruction).join(' ')).toMatch(/trust the TVS/);
    expect(getPurpose('ipsec').manualBeforeRestarts.map((a) => a.instruction).join(' ')).toMatch(/no DRF backup or restore/i);
  });
});
