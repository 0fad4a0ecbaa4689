import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { CMS1, CMS_ENV, MmpSession, cmsCluster, cmsDeclarations, presented, upload } from './cms-fixtures';
import { TestCa, bundle, tempDir } from './fixtures';

describe('twin Meeting Server 3.x: webbridge3 takes the key and the full chain', () => {
  let twin: RunningTwin;
  let cms1: MmpSession;
  let ca: TestCa;

  beforeAll(async () => {
    ca = await TestCa.create('Three', tempDir('cms3x-keys'));
    const cluster = cmsCluster({
      version: '3.8',
      xmppDomains: [],
      databaseCertificates: undefined,
      servers: [{ fqdn: CMS1, services: ['webadmin', 'callbridge', 'webbridge3'], databaseRole: 'primary', ports: { 'webadmin-https': 445 } }],
    });
    twin = await startTwin({ declarations: cmsDeclarations(cluster), stateDir: tempDir('cms3x'), addressBase: '127.0.33.60', portMode: 'dynamic', restartMillis: 50, env: CMS_ENV });
    cms1 = await MmpSession.open(twin.ready, CMS1);
  });

  afterAll(async () => {
    cms1?.close();
    await twin?.stop();
  });

  it('has webbridge3 and no webbridge or xmpp', async () => {
    expect(Object.keys(twin.ready.nodes[CMS1].ports)).toEqual(['ssh', 'webadmin-https', 'sip-tls', 'webbridge3-https']);
    expect((await cms1.run('xmpp'))[0]).toMatch(/^ERROR: Unknown command/);
    expect((await cms1.run('webbridge'))[0]).toMatch(/^ERROR: Unknown command/);
  });

  it('presents the full chain after disable, https certs, enable', async () => {
    // GIVEN
    const leaf = await ca.issue(CMS1, [CMS1, 'join.example.com']);
    await upload(twin.ready, CMS1, { 'wb3.key': leaf.keyPem, 'wb3-fullchain.crt': bundle(leaf.pem, ca.intermediate.pem, ca.root.pem) });
    // WHEN
    for (const c of ['webbridge3 disable', 'webbridge3 https certs wb3.key wb3-fullchain.crt', 'webbridge3 enable']) expect(await cms1.run(c)).toEqual([]);
    const status = await cms1.text('webbridge3');
    const chain = await presented(twin.ready, CMS1, 'webbridge3-https');
    // THEN
    expect(status).toMatch(/^\s*enabled\s*:\s*true\b/im);
    expect(status).toMatch(/^HTTPS Key file\s*: wb3\.key$/m);
    expect(status).toMatch(/^HTTPS Full chain certificate file\s*: wb3-fullchain\.crt$/m);
    expect(chain).toEqual([leaf.sha256, ca.intermediate.sha256, ca.root.sha256]);
    expect((await cms1.run('webbridge3 certs wb3.key wb3-fullchain.crt'))[0]).toMatch(/^ERROR: Unknown command/);
  });
});
