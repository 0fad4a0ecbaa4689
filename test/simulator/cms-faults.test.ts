import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin, writeNodeFaults } from '../../lib/simulator';
import { CMS1, CMS2, CMS_ENV, MmpSession, cmsDeclarations, presented, sshConnect, upload, withSftp, sftpPut } from './cms-fixtures';
import { IssuedCert, TestCa, bundle, tempDir, within } from './fixtures';

describe('twin Meeting Server faults (faults.json, as for CUCM nodes)', () => {
  let twin: RunningTwin;
  let stateDir: string;
  let ca: TestCa;
  let cb: IssuedCert;
  let cms1: MmpSession;

  beforeAll(async () => {
    stateDir = tempDir('cms-faults');
    ca = await TestCa.create('Faults', tempDir('cms-faults-keys'));
    cb = await ca.issue('cms.example.com', ['cms.example.com', CMS1]);
    twin = await startTwin({ declarations: cmsDeclarations(), stateDir, addressBase: '127.0.33.2', portMode: 'dynamic', restartMillis: 100, env: CMS_ENV });
    await upload(twin.ready, CMS1, { 'cb.key': cb.keyPem, 'cb.crt': cb.pem, 'cb-bundle.crt': bundle(ca.intermediate.pem, ca.root.pem) });
    cms1 = await MmpSession.open(twin.ready, CMS1);
    expect(await cms1.run('callbridge certs cb.key cb.crt cb-bundle.crt')).toEqual([]);
  });

  afterEach(() => {
    for (const fqdn of [CMS1, CMS2]) writeNodeFaults(stateDir, fqdn, undefined);
  });

  afterAll(async () => {
    cms1?.close();
    await twin?.stop();
  });

  it('refuse-upload refuses SFTP puts', async () => {
    // GIVEN
    writeNodeFaults(stateDir, CMS1, { refuseUpload: true });
    // WHEN
    const refused = await withSftp(twin.ready, CMS1, (sftp) => sftpPut(sftp, 'refused.crt', cb.pem).then(() => 'stored', (e: Error) => e.message));
    // THEN
    expect(refused).toMatch(/Upload refused by the server \(injected fault refuse-upload\)/);
    expect(await cms1.run('pki list')).not.toContain('refused.crt');
  });

  it('restart-fails makes callbridge restart fail and leaves its port closed until a restart succeeds', async () => {
    // GIVEN
    writeNodeFaults(stateDir, CMS1, { restartFails: ['callbridge'] });
    // WHEN
    const failed = await cms1.run('callbridge restart');
    const closed = await presented(twin.ready, CMS1, 'sip-tls');
    const status = await cms1.text('callbridge');
    writeNodeFaults(stateDir, CMS1, undefined);
    const again = await cms1.run('callbridge restart');
    // THEN
    expect(failed).toEqual(['ERROR: callbridge failed to start']);
    expect(closed).toBeUndefined();
    expect(status).toMatch(/^Status\s+: failed: callbridge failed to start$/m);
    expect(again).toEqual([]);
    expect((await presented(twin.ready, CMS1, 'sip-tls'))?.[0]).toBe(cb.sha256);
  });

  it('restart-hangs holds callbridge restart for as long as the fault is set', async () => {
    // GIVEN
    writeNodeFaults(stateDir, CMS1, { restartHangs: ['callbridge'] });
    // WHEN
    let finished = false;
    const restart = cms1.run('callbridge restart').then((lines) => ((finished = true), lines));
    await new Promise((r) => setTimeout(r, 400));
    const hanging = !finished;
    const closed = await presented(twin.ready, CMS1, 'sip-tls');
    writeNodeFaults(stateDir, CMS1, undefined);
    // THEN
    expect(hanging).toBe(true);
    expect(closed).toBeUndefined();
    expect(await restart).toEqual([]);
    expect((await presented(twin.ready, CMS1, 'sip-tls'))?.[0]).toBe(cb.sha256);
  });

  it('restart-fails on webadmin makes webadmin enable fail and leaves it disabled', async () => {
    // GIVEN
    writeNodeFaults(stateDir, CMS1, { restartFails: ['webadmin'] });
    // WHEN
    await cms1.run('webadmin disable');
    const failed = await cms1.run('webadmin enable');
    const status = await cms1.text('webadmin');
    writeNodeFaults(stateDir, CMS1, undefined);
    const enabled = await cms1.run('webadmin enable');
    // THEN
    expect(failed).toEqual(['ERROR: webadmin failed to start']);
    expect(status).toMatch(/^Enabled\s+: false$/m);
    expect(enabled).toEqual([]);
    expect(await presented(twin.ready, CMS1, 'webadmin-https')).toBeDefined();
  });

  it('slow-ms delays every MMP command', async () => {
    // GIVEN
    writeNodeFaults(stateDir, CMS1, { slowMillis: 300 });
    // WHEN
    const started = Date.now();
    await cms1.run('pki list');
    // THEN
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('unreachable drops every port and closes an open MMP session at its next command', async () => {
    // GIVEN
    const session = await MmpSession.open(twin.ready, CMS2);
    writeNodeFaults(stateDir, CMS2, { unreachable: true });
    // WHEN
    const tls = await presented(twin.ready, CMS2, 'webadmin-https');
    const ssh = await sshConnect(twin.ready, CMS2).then(
      (c) => (c.end(), 'connected'),
      (e: Error) => e.message,
    );
    const command = await session.run('pki list', 3000).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    // THEN
    expect(tls).toBeUndefined();
    expect(ssh).not.toBe('connected');
    expect(command).toMatch(/session closed|timed out/);
    session.close();
    writeNodeFaults(stateDir, CMS2, undefined);
    expect(await within(presented(twin.ready, CMS2, 'webadmin-https'), 'tls back')).toBeDefined();
  });
});
