import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin } from '../../lib/simulator';
import {
  CMS1,
  CMS2,
  CMS3,
  CMS_ENV,
  MmpSession,
  cmsCluster,
  download,
  presented,
  sftpGet,
  sftpList,
  sftpPut,
  signCsr,
  upload,
  withSftp,
} from './cms-fixtures';
import { IMP, IssuedCert, PUB, SUB, TEST_ENV, TestCa, bundle, labDeclarations, tempDir } from './fixtures';

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? filesUnder(join(dir, e)) : [join(dir, e)]));
}

describe('twin Meeting Server: MMP over SSH, SFTP and TLS service ports', () => {
  let twin: RunningTwin;
  let stateDir: string;
  let ca: TestCa;
  let other: TestCa;
  let cms1: MmpSession;
  let cms2: MmpSession;
  let webadmin: IssuedCert;
  let callbridge: IssuedCert;

  beforeAll(async () => {
    stateDir = tempDir('cms-mmp');
    const keys = tempDir('cms-mmp-keys');
    ca = await TestCa.create('Meet', keys);
    other = await TestCa.create('Other', keys);
    webadmin = await ca.issue(CMS1, [CMS1]);
    callbridge = await ca.issue('cms.example.com', ['cms.example.com', CMS1, CMS2, CMS3]);
    twin = await startTwin({
      declarations: { ...labDeclarations(), cmsClusters: [cmsCluster()], cmsCertificates: [] },
      stateDir,
      addressBase: '127.0.31.2',
      portMode: 'dynamic',
      restartMillis: 150,
      env: { ...TEST_ENV, ...CMS_ENV },
    });
    cms1 = await MmpSession.open(twin.ready, CMS1);
    cms2 = await MmpSession.open(twin.ready, CMS2);
  });

  afterAll(async () => {
    cms1?.close();
    cms2?.close();
    await twin?.stop();
  });

  it('puts the Meeting Servers on the loopback addresses after the CUCM nodes, in the ready file and known_hosts', () => {
    // THEN
    expect(Object.entries(twin.ready.nodes).map(([fqdn, n]) => [fqdn, n.address])).toEqual([
      [PUB, '127.0.31.2'],
      [SUB, '127.0.31.3'],
      [IMP, '127.0.31.4'],
      [CMS1, '127.0.31.5'],
      [CMS2, '127.0.31.6'],
      [CMS3, '127.0.31.7'],
    ]);
    expect(Object.keys(twin.ready.nodes[CMS1].ports)).toEqual(['ssh', 'webadmin-https', 'sip-tls', 'webbridge-https', 'xmpp-tls']);
    expect(Object.keys(twin.ready.nodes[CMS3].ports)).toEqual(['ssh', 'sip-tls']);
    expect(twin.ready.nodes[CMS1].sshHostKey).toMatch(/^SHA256:/);
    const knownHosts = readFileSync(twin.ready.knownHosts, 'utf8');
    for (const fqdn of [PUB, CMS1, CMS2, CMS3]) expect(knownHosts).toMatch(new RegExp(`^${fqdn} ecdsa-sha2-nistp256 `, 'm'));
  });

  it('refuses a wrong password', async () => {
    // WHEN
    const { sshConnect } = await import('./cms-fixtures');
    // THEN
    await expect(sshConnect(twin.ready, CMS1, 'wrong')).rejects.toThrow(/authentication/i);
  });

  it('lists the files of the MMP folder one per line, and the services present self-signed certificates at first', async () => {
    // WHEN
    const list = await cms1.run('pki list');
    const status = await cms1.text('webadmin');
    const chain = await presented(twin.ready, CMS1, 'webadmin-https');
    // THEN
    expect(list[0]).toBe('User supplied certificates and keys:');
    expect(list).toEqual(expect.arrayContaining(['selfsigned-webadmin.key', 'selfsigned-webadmin.crt', 'dbca.crt', 'dbserver.key', 'dbclient.crt']));
    expect(status).toMatch(/^\s*enabled\s*:\s*true\b/im);
    expect(status).toMatch(/^Key file\s*: selfsigned-webadmin\.key$/m);
    expect(chain).toHaveLength(1);
    expect(twin.cms.server(CMS1).services.webadmin?.presents?.leafSha256).toBe(chain![0]);
  });

  it('takes files over SFTP into the folder pki list shows, and gives them back byte for byte', async () => {
    // WHEN
    await upload(twin.ready, CMS1, { 'wa1.key': webadmin.keyPem, 'wa1.crt': webadmin.pem, 'wa1-bundle.crt': bundle(ca.intermediate.pem, ca.root.pem) });
    const list = await cms1.run('pki list');
    const back = await download(twin.ready, CMS1, 'wa1-bundle.crt');
    const names = await withSftp(twin.ready, CMS1, sftpList);
    // THEN
    expect(list).toEqual(expect.arrayContaining(['wa1.key', 'wa1.crt', 'wa1-bundle.crt']));
    expect(back.toString()).toBe(bundle(ca.intermediate.pem, ca.root.pem));
    expect(names).toEqual(expect.arrayContaining(['wa1.key', 'wa1.crt']));
    expect(await cms2.run('pki list')).not.toContain('wa1.key'); // each server has its own folder
  });

  it('serves the SFTP calls a driver makes: fastPut, fastGet, stat, rename, unlink', async () => {
    // GIVEN
    const local = join(tempDir('cms-sftp'), 'local.crt');
    writeFileSync(local, webadmin.pem);
    // WHEN
    const result = await withSftp(twin.ready, CMS1, async (sftp) => {
      const call = <T>(f: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T | undefined> =>
        new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));
      await call((cb) => sftp.fastPut(local, 'fast.crt', (e) => cb(e)));
      const size = (await call<{ size: number }>((cb) => sftp.stat('fast.crt', cb)))!.size;
      await call((cb) => sftp.rename('fast.crt', 'renamed.crt', (e) => cb(e)));
      await call((cb) => sftp.fastGet('renamed.crt', `${local}.back`, (e) => cb(e)));
      await call((cb) => sftp.unlink('renamed.crt', (e) => cb(e)));
      const gone = await call((cb) => sftp.stat('renamed.crt', cb)).then(() => false, () => true);
      return { size, gone };
    });
    // THEN
    expect(result).toEqual({ size: Buffer.byteLength(webadmin.pem), gone: true });
    expect(readFileSync(`${local}.back`, 'utf8')).toBe(webadmin.pem);
    expect(await cms1.run('pki list')).not.toContain('renamed.crt');
  });

  it('keeps private keys in the key store only, never elsewhere in the state folder', () => {
    // WHEN
    const files = filesUnder(stateDir).filter((f) => !f.startsWith(join(stateDir, 'keys') + '/'));
    // THEN
    const withKeys = files.filter((f) => /PRIVATE KEY-----/.test(readFileSync(f, 'latin1')));
    expect(withKeys).toEqual([]);
    expect(filesUnder(join(stateDir, 'keys', 'cms')).length).toBeGreaterThan(0);
    expect(statSync(join(stateDir, 'keys', 'cms', `${twin.cms.files.stat(CMS1, 'wa1.key')!.sha256}.key`)).mode & 0o777).toBe(0o600);
  });

  it('pki match tells a matching pair from a non-matching one', async () => {
    // GIVEN
    await upload(twin.ready, CMS1, { 'cb.key': callbridge.keyPem, 'cb.crt': callbridge.pem });
    // WHEN / THEN
    expect(await cms1.run('pki match wa1.key wa1.crt')).toEqual(['Key and certificate match']);
    expect(await cms1.run('pki match cb.key wa1.crt')).toEqual(['Key and certificate do not match']);
    expect(await cms1.run('pki match nothere.key wa1.crt')).toEqual(['ERROR: nothere.key not found']);
  });

  it('pki verify checks the chain against the bundle, pki inspect prints the validity', async () => {
    // GIVEN
    await upload(twin.ready, CMS1, { 'other-bundle.crt': bundle(other.intermediate.pem, other.root.pem), 'noroot-bundle.crt': ca.intermediate.pem });
    // WHEN
    const ok = await cms1.text('pki verify wa1.crt wa1-bundle.crt');
    const wrongCa = await cms1.text('pki verify wa1.crt other-bundle.crt');
    const noRoot = await cms1.text('pki verify wa1.crt noroot-bundle.crt');
    const inspect = await cms1.text('pki inspect wa1.crt');
    // THEN
    expect(ok).toBe('Certificate verified OK');
    expect(wrongCa).toMatch(/^ERROR: verification failed: .*unable to get issuer/);
    expect(noRoot).toMatch(/^ERROR: verification failed/);
    expect(inspect).toContain(`Subject             : CN=${CMS1}, O=Test`);
    expect(inspect).toMatch(/Status\s+: valid$/m);
    expect(inspect).not.toMatch(/\bexpired\b|not yet valid/i);
  });

  it('refuses a key that does not match and a file that was never uploaded', async () => {
    // WHEN
    const mismatch = await cms1.run('webadmin certs cb.key wa1.crt wa1-bundle.crt');
    const missing = await cms1.run('webadmin certs wa1.key never-uploaded.crt wa1-bundle.crt');
    const missingBundle = await cms1.run('callbridge certs cb.key cb.crt never-uploaded-bundle.crt');
    // THEN
    expect(mismatch).toEqual(['ERROR: the key cb.key does not match the certificate wa1.crt']);
    expect(missing).toEqual(['ERROR: never-uploaded.crt not found: upload it over SFTP first']);
    expect(missingBundle[0]).toMatch(/^ERROR: never-uploaded-bundle\.crt not found/);
    expect(await cms1.text('webadmin')).toMatch(/^Key file\s*: selfsigned-webadmin\.key$/m);
  });

  it('webadmin presents the new certificate and its chain only after disable, certs, enable', async () => {
    // GIVEN
    const before = await presented(twin.ready, CMS1, 'webadmin-https');
    // WHEN certs while enabled: nothing changes on the port yet
    expect(await cms1.run('webadmin certs wa1.key wa1.crt wa1-bundle.crt')).toEqual([]);
    const afterCerts = await presented(twin.ready, CMS1, 'webadmin-https');
    expect(await cms1.run('webadmin disable')).toEqual([]);
    const disabled = await presented(twin.ready, CMS1, 'webadmin-https');
    const statusDisabled = await cms1.text('webadmin');
    expect(await cms1.run('webadmin enable')).toEqual([]);
    const enabled = await presented(twin.ready, CMS1, 'webadmin-https');
    const status = await cms1.text('webadmin');
    // THEN
    expect(afterCerts).toEqual(before);
    expect(disabled).toBeUndefined();
    expect(statusDisabled).toMatch(/^Enabled\s*: false$/m);
    expect(enabled).toEqual([webadmin.sha256, ca.intermediate.sha256, ca.root.sha256]);
    expect(status).toMatch(/^\s*enabled\s*:\s*true\b/im);
    expect(status).toMatch(/(?:^|[\s:=])wa1\.key(?:\s|$)/m);
    expect(status).toMatch(/(?:^|[\s:=])wa1\.crt(?:\s|$)/m);
    expect(status).toMatch(/^CA Bundle file\s*: wa1-bundle\.crt$/m);
  });

  it('callbridge presents the new certificate only after callbridge restart, and is closed meanwhile', async () => {
    // GIVEN
    const before = await presented(twin.ready, CMS1, 'sip-tls');
    await upload(twin.ready, CMS1, { 'cb-bundle.crt': bundle(ca.intermediate.pem, ca.root.pem) });
    // WHEN
    expect(await cms1.run('callbridge certs cb.key cb.crt cb-bundle.crt')).toEqual([]);
    const afterCerts = await presented(twin.ready, CMS1, 'sip-tls');
    const restart = cms1.run('callbridge restart');
    await new Promise((r) => setTimeout(r, 40));
    const during = await presented(twin.ready, CMS1, 'sip-tls');
    expect(await restart).toEqual([]);
    const after = await presented(twin.ready, CMS1, 'sip-tls');
    const status = await cms1.text('callbridge');
    // THEN
    expect(afterCerts).toEqual(before);
    expect(during).toBeUndefined();
    expect(after?.slice(0, 2)).toEqual([callbridge.sha256, ca.intermediate.sha256]);
    expect(status).not.toMatch(/^Enabled/m);
    expect(status).toMatch(/^Certificate file\s*: cb\.crt$/m);
  });

  it('makes a key and CSR with pki csr; the key stays on the server and the signed certificate goes into service', async () => {
    // WHEN
    const made = await cms2.run('pki csr webadmin-2027 CN:cms2.example.com OU:Video O:Example C:NL subjectAltName:cms2.example.com,meet.example.com');
    const csr = (await download(twin.ready, CMS2, 'webadmin-2027.csr')).toString();
    const signed = await signCsr(ca, csr);
    await upload(twin.ready, CMS2, { 'webadmin-2027.crt': signed, 'webadmin-2027-bundle.crt': bundle(ca.intermediate.pem, ca.root.pem) });
    const match = await cms2.run('pki match webadmin-2027.key webadmin-2027.crt');
    for (const c of ['webadmin disable', 'webadmin certs webadmin-2027.key webadmin-2027.crt webadmin-2027-bundle.crt', 'webadmin enable']) expect(await cms2.run(c)).toEqual([]);
    const chain = await presented(twin.ready, CMS2, 'webadmin-https');
    const inspect = await cms2.text('pki inspect webadmin-2027.csr');
    // THEN
    expect(made).toEqual(['Created key file webadmin-2027.key and CSR webadmin-2027.csr', 'CSR file webadmin-2027.csr ready for download via SFTP']);
    expect(csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(match).toEqual(['Key and certificate match']);
    expect(chain?.[0]).toBe((await import('./cms-fixtures')).sha256OfPem(signed));
    expect(inspect).toContain('CN=cms2.example.com');
    expect(inspect).toContain('meet.example.com');
  });

  it('refuses a malformed pki csr', async () => {
    expect((await cms2.run('pki csr bad.name CN:x'))[0]).toMatch(/^ERROR: usage: pki csr/);
    expect((await cms2.run('pki csr good OU:x'))[0]).toMatch(/^ERROR: CN:<value> is required/);
    expect((await cms2.run('pki csr good CN:x C:Netherlands'))[0]).toMatch(/^ERROR: C must be a two-letter/);
  });

  it('pki csr over the basename of the key in service breaks that service at once', async () => {
    // GIVEN webadmin on cms2 serves webadmin-2027
    expect(await presented(twin.ready, CMS2, 'webadmin-https')).toBeDefined();
    // WHEN
    await cms2.run('pki csr webadmin-2027 CN:cms2.example.com');
    const chain = await presented(twin.ready, CMS2, 'webadmin-https');
    const status = await cms2.text('webadmin');
    const again = await cms2.run('webadmin enable');
    // THEN
    expect(chain).toBeUndefined();
    expect(status).toMatch(/^Status\s*: failed: its key webadmin-2027\.key was replaced by pki csr/m);
    expect(again).toEqual(['ERROR: the key webadmin-2027.key does not match the certificate webadmin-2027.crt']);
    expect(await presented(twin.ready, CMS2, 'webadmin-https')).toBeUndefined();
  });

  it('has no webbridge3 on 2.9 and no enable for callbridge', async () => {
    expect((await cms1.run('webbridge3'))[0]).toMatch(/^ERROR: Unknown command/);
    expect((await cms1.run('callbridge enable'))[0]).toMatch(/^ERROR: Unknown command/);
    expect((await cms2.run('webbridge enable'))[0]).toMatch(/^ERROR: webbridge has no listening interface/);
  });

  it('gives a private key uploaded over SFTP to pki the same way as one it made', async () => {
    // GIVEN a key and certificate of the other CA, and pki sign with a CA made on the server
    await cms2.run('pki selfsigned labca CN:lab.example.com');
    await cms2.run('pki csr svc CN:cms2.example.com');
    // WHEN
    const signed = await cms2.run('pki sign svc labca');
    const verified = await cms2.run('pki verify svc.crt labca.crt');
    const viaSftp = await withSftp(twin.ready, CMS2, async (sftp) => {
      await sftpPut(sftp, 'copied.key', await sftpGet(sftp, 'svc.key'));
      return sftpList(sftp);
    });
    // THEN
    expect(signed).toEqual(['Signed svc.csr with labca: certificate svc.crt']);
    expect(verified).toEqual(['Certificate verified OK']);
    expect(viaSftp).toContain('copied.key');
    expect(await cms2.run('pki match copied.key svc.crt')).toEqual(['Key and certificate match']);
    expect(twin.cms.files.stat(CMS2, 'copied.key')?.privateKey).toBe(true);
  });
});
