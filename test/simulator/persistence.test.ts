import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, TwinState, startTwin, writeNodeFaults } from '../../lib/simulator';
import { CliSession, IssuedCert, PUB, TEST_ENV, TestCa, bundle, labDeclarations, presentedChain, readCa, tempDir, withoutPem } from './fixtures';

describe('twin state persists in the state folder across a stop and a start', () => {
  let dir: string;
  let stateDir: string;
  let ca: TestCa;
  let leaf: IssuedCert;
  let twin: RunningTwin | undefined;
  let firstKnownHosts: string;
  let firstHttpsCa: string;

  const start = (): Promise<RunningTwin> =>
    startTwin({
      declarations: labDeclarations(),
      stateDir,
      addressBase: '127.0.25.2',
      portMode: 'dynamic',
      restartMillis: 100,
      keyDirs: [ca.keyDir],
      env: TEST_ENV,
    });

  beforeAll(async () => {
    dir = tempDir('persist');
    stateDir = join(dir, 'state');
    ca = await TestCa.create('Persist', join(dir, 'keys'));
    leaf = await ca.issue(PUB, [PUB], 'RSA');
    // GIVEN a first run that uploads the chain and a single-server leaf, without restarting Tomcat
    twin = await start();
    const pub = await CliSession.open(twin.ready, PUB);
    await pub.paste('set cert import trust tomcat', ca.root.pem);
    await pub.paste('set cert import trust tomcat', ca.intermediate.pem);
    expect(withoutPem(await pub.paste('set cert import own tomcat', bundle(leaf.pem, ca.intermediate.pem)))).toContain('Successfully imported certificate for tomcat.');
    // and a restart interrupted by the stop
    writeNodeFaults(stateDir, PUB, { restartHangs: ['Cisco CTIManager'] });
    pub.send('utils service restart Cisco CTIManager\n');
    await pub.waitFor('Cisco CTIManager[STARTING]');
    firstKnownHosts = readFileSync(twin.ready.knownHosts, 'utf8');
    firstHttpsCa = readFileSync(twin.ready.httpsCa, 'utf8');
    pub.close();
    await twin.stop();
    writeNodeFaults(stateDir, PUB, undefined);
    twin = undefined;
  });

  afterAll(async () => {
    await twin?.stop();
  });

  it('leaves a readable state.json after stop: trust, identity pending, service status', () => {
    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as TwinState;
    const node = state.nodes[PUB];
    expect(node.trust['tomcat-trust'].map((t) => t.fileName)).toEqual(expect.arrayContaining(['Persist_Root_CA.pem', 'Persist_Issuing_CA.pem']));
    expect(node.identities.tomcat.sha256).toBe(leaf.sha256);
    expect(node.services['Cisco Tomcat'].presents.tomcat.sha256).not.toBe(leaf.sha256);
    expect(node.services['Cisco Tomcat'].startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(node.services['Cisco CTIManager'].status).toBe('STARTING');
  });

  it('never writes a private key into state.json', () => {
    expect(readFileSync(join(stateDir, 'state.json'), 'utf8')).not.toContain('PRIVATE KEY');
  });

  it('reloads everything at the next start, keeps host keys, and the pending identity still waits for the restart', async () => {
    // WHEN
    twin = await start();
    const pub = await CliSession.open(twin.ready, PUB);
    // THEN
    expect(readFileSync(twin.ready.knownHosts, 'utf8')).toBe(firstKnownHosts);
    expect(readFileSync(twin.ready.httpsCa, 'utf8')).toBe(firstHttpsCa);
    expect((await pub.run('show cert list trust')).join('\n')).toContain('tomcat-trust/Persist_Root_CA.pem');
    expect((await pub.run('show cert own tomcat')).find((l) => l.startsWith('Subject: '))).toContain(`CN=${PUB}`);
    expect((await presentedChain(twin.ready, PUB, 'https', readCa(twin.ready)))[0]).not.toBe(leaf.sha256);
    // the restart interrupted by the stop is left STOPPED
    expect(await pub.run('utils service list')).toContain('Cisco CTIManager[STOPPED]');
    // WHEN Tomcat restarts
    await pub.run('utils service restart Cisco Tomcat');
    // THEN
    expect(await presentedChain(twin.ready, PUB, 'https', ca.root.pem)).toEqual([leaf.sha256, ca.intermediate.sha256]);
    pub.close();
  });
});
