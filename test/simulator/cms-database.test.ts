import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED_PRIMARY, PRIMARY_LINE } from '../../lib/platforms';
import { RunningTwin, TwinOptions, startTwin } from '../../lib/simulator';
import { CMS1, CMS2, CMS3, CMS_ENV, MmpSession, cmsDeclarations, download, eventually, presented, upload } from './cms-fixtures';
import { tempDir } from './fixtures';

const matches = (pattern: string, text: string): boolean => new RegExp(pattern, 'mi').test(text);

describe('twin Meeting Server database cluster', () => {
  let options: TwinOptions;
  let twin: RunningTwin;
  let cms1: MmpSession;
  let cms2: MmpSession;
  let cms3: MmpSession;

  const open = async (): Promise<void> => {
    twin = await startTwin(options);
    [cms1, cms2, cms3] = await Promise.all([CMS1, CMS2, CMS3].map((f) => MmpSession.open(twin.ready, f)));
  };
  const close = async (): Promise<void> => {
    for (const s of [cms1, cms2, cms3]) s?.close();
    await twin?.stop();
  };

  beforeAll(async () => {
    options = { declarations: cmsDeclarations(), stateDir: tempDir('cms-db'), addressBase: '127.0.32.2', portMode: 'dynamic', restartMillis: 300, env: CMS_ENV };
    await open();
  });

  afterAll(close);

  it('starts as declared: the primary connected, the replica joined, the connect-only server connected', async () => {
    // WHEN
    const primary = await cms1.text('database cluster status');
    const replica = await cms2.text('database cluster status');
    const connecting = await cms3.text('database cluster status');
    // THEN
    expect(matches(PRIMARY_LINE, primary)).toBe(true);
    expect(matches(CONNECTED_PRIMARY, primary)).toBe(true);
    expect(primary).toMatch(/^ {4}cms2\.example\.com\s+: Connected Replica \( In Sync \)$/m);
    expect(primary).not.toContain(CMS3); // not a database node
    expect(replica).toMatch(/^ {4}cms2\.example\.com \(me\)\s+: Connected Replica/m);
    expect(matches(PRIMARY_LINE, replica)).toBe(false);
    expect(connecting).toMatch(/^This server\s+: Connected \(no local database\)$/m);
    expect(primary).toMatch(/^ {4}Server Key\s+: dbserver\.key$/m);
  });

  it('refuses initialize on a server that is not the declared primary, and on a primary still in a cluster', async () => {
    expect(await cms2.run('database cluster initialize')).toEqual([
      'ERROR: cms2.example.com is not the database primary (cms1.example.com is): initialize runs on the primary only; use join or connect here',
    ]);
    expect(await cms1.run('database cluster initialize')).toEqual(['ERROR: this server is in a database cluster: run database cluster remove first']);
    expect(await cms1.text('database cluster status')).toMatch(/^Last command\s+: 'database cluster initialize' \(Failed\)$/m);
  });

  it('refuses certificates whose files are missing or whose key does not match', async () => {
    expect(await cms3.run('database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt')).toEqual([
      'ERROR: dbserver.key not found: copy it to this server over SFTP first',
    ]);
    expect(await cms2.run('database cluster certs dbclient.key dbserver.crt dbserver.key dbclient.crt dbca.crt')).toEqual([
      'ERROR: the key dbclient.key does not match the certificate dbserver.crt',
    ]);
    expect((await cms2.run('database cluster certs a b'))[0]).toMatch(/^ERROR: usage: database cluster certs/);
  });

  it('runs the whole procedure of DOMAIN.md §4 to a Connected Primary with its replica and connecting server', async () => {
    // 1. every core: remove
    for (const s of [cms1, cms2, cms3]) expect(await s.run('database cluster remove')).toEqual([]);
    expect(await cms1.text('database cluster status')).toMatch(/^Status\s+: Disabled$/m);
    expect(await cms2.run('database cluster join cms1.example.com')).toEqual([
      'ERROR: cms1.example.com is not a connected database primary: run database cluster initialize there first (and wait for Connected Primary)',
    ]);
    // 2-5. the built-in CA on the primary
    expect(await cms1.run('pki selfsigned dbca CN:example.com')).toEqual(['Created key file dbca.key and self-signed certificate dbca.crt']);
    await cms1.run(`pki csr dbserver CN:${CMS1} subjectAltName:${CMS1},${CMS2}`);
    await cms1.run('pki csr dbclient CN:postgres');
    expect(await cms1.run('pki sign dbserver dbca')).toEqual(['Signed dbserver.csr with dbca: certificate dbserver.crt']);
    expect(await cms1.run('pki sign dbclient dbca')).toEqual(['Signed dbclient.csr with dbca: certificate dbclient.crt']);
    // the replica still holds the certificates of the old database CA
    expect(await cms2.run('database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt')).toEqual([]);
    // 7. certs + localnode + initialize on the primary
    expect(await cms1.run('database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt')).toEqual([]);
    expect(await cms1.run('database cluster localnode a')).toEqual([]);
    expect(await cms1.run('database cluster initialize')).toEqual([]);
    const initializing = await cms1.text('database cluster status');
    await eventually(async () => matches(CONNECTED_PRIMARY, await cms1.text('database cluster status')), 'Connected Primary');
    // a replica with certificates of another CA cannot join
    expect((await cms2.run(`database cluster join ${CMS1}`))[0]).toMatch(/^ERROR: certificate verify failed: cms1\.example\.com uses another database CA/);
    // 6. copies from the primary over SFTP
    const copy = async (to: string, names: string[]): Promise<void> => {
      const files: Record<string, Buffer> = {};
      for (const n of names) files[n] = await download(twin.ready, CMS1, n);
      await upload(twin.ready, to, files);
    };
    await copy(CMS2, ['dbserver.key', 'dbserver.crt', 'dbclient.key', 'dbclient.crt', 'dbca.crt']);
    await copy(CMS3, ['dbclient.key', 'dbclient.crt', 'dbca.crt']);
    // 8. replica: certs + localnode + join
    for (const c of ['database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt', 'database cluster localnode a', `database cluster join ${CMS1}`]) {
      expect(await cms2.run(c)).toEqual([]);
    }
    // 9. connect-only: certs (client pair) + localnode + connect
    for (const c of ['database cluster certs dbclient.key dbclient.crt dbca.crt', 'database cluster localnode a', `database cluster connect ${CMS1}`]) {
      expect(await cms3.run(c)).toEqual([]);
    }
    const primary = await cms1.text('database cluster status');
    // THEN
    expect(initializing).toMatch(/cms1\.example\.com \(me\)\s+: Initializing$/m);
    expect(matches(CONNECTED_PRIMARY, primary)).toBe(true);
    expect(primary).toMatch(/^ {4}cms1\.example\.com \(me\)\s+: Connected Primary$/m);
    expect(primary).toMatch(/^ {4}cms2\.example\.com\s+: Connected Replica \( In Sync \)$/m);
    expect(await cms3.text('database cluster status')).toMatch(/^This server\s+: Connected \(no local database\)$/m);
    expect(await cms2.text('database cluster status')).toMatch(/^Last command\s+: 'database cluster join cms1\.example\.com' \(Success\)$/m);
  });

  it('keeps the database cluster across a restart of the twin', async () => {
    // WHEN
    await close();
    await open();
    // THEN
    expect(matches(CONNECTED_PRIMARY, await cms1.text('database cluster status'))).toBe(true);
    expect(await cms2.text('database cluster status')).toMatch(/\(me\)\s+: Connected Replica/);
    expect(await cms1.run('pki list')).toContain('dbca.key');
    expect(await presented(twin.ready, CMS1, 'webadmin-https')).toHaveLength(1);
  });

  it('breaks the database at once when pki csr replaces the key it uses', async () => {
    // WHEN
    await cms1.run('pki csr dbserver CN:cms1.example.com');
    const primary = await cms1.text('database cluster status');
    const replica = await cms2.text('database cluster status');
    // THEN
    expect(matches(CONNECTED_PRIMARY, primary)).toBe(false);
    expect(primary).toMatch(/\(me\)\s+: Disconnected$/m);
    expect(primary).toMatch(/^Failure\s+: its key dbserver\.key was replaced by pki csr/m);
    expect(replica).toMatch(/\(me\)\s+: Disconnected$/m);
  });
});
