import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { CliSession, IMP, TEST_ENV, TestCa, bundle, labDeclarations, tempDir, withoutPem, xmppChain } from './fixtures';

describe('twin XMPP ports (STARTTLS)', () => {
  let twin: RunningTwin;
  let ca: TestCa;

  beforeAll(async () => {
    const dir = tempDir('xmpp');
    ca = await TestCa.create('Xmpp', join(dir, 'keys'));
    twin = await startTwin({
      declarations: labDeclarations({ impFederation: true }),
      stateDir: join(dir, 'state'),
      addressBase: '127.0.26.2',
      portMode: 'dynamic',
      restartMillis: 100,
      keyDirs: [ca.keyDir],
      env: TEST_ENV,
    });
  });

  afterAll(async () => {
    await twin?.stop();
  });

  it('opens the federation port only where the federation service runs', () => {
    expect(Object.keys(twin.ready.nodes[IMP].ports)).toEqual(expect.arrayContaining(['xmpp-client', 'xmpp-server']));
  });

  it('speaks XMPP then STARTTLS, and presents a new cup-xmpp identity after the XCP Router restarts', async () => {
    // GIVEN
    const before = await xmppChain(twin.ready, IMP, 'xmpp-client', '').catch((e: Error) => e.message);
    expect(before).toMatch(/self.signed|unable to verify/i);
    const cli = await CliSession.open(twin.ready, IMP);
    await cli.paste('set cert import trust cup-xmpp', ca.root.pem);
    await cli.paste('set cert import trust cup-xmpp', ca.intermediate.pem);
    const leaf = await ca.issue(`${IMP}-ms`, [IMP], 'RSA');
    expect(withoutPem(await cli.paste('set cert import own cup-xmpp', bundle(leaf.pem, ca.intermediate.pem)))).toContain('Successfully imported certificate for cup-xmpp.');
    // WHEN
    await cli.run('utils service restart Cisco XCP Router');
    // THEN
    expect(await xmppChain(twin.ready, IMP, 'xmpp-client', ca.root.pem)).toEqual([leaf.sha256, ca.intermediate.sha256]);
    cli.close();
  });
});
