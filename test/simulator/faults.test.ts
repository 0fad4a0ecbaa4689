import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin, writeNodeFaults } from '../../lib/simulator';
import {
  CliSession,
  IMP,
  PUB,
  REST,
  SOAP,
  SUB,
  TEST_ENV,
  TestCa,
  bundle,
  https,
  labDeclarations,
  portRefuses,
  soapRestart,
  soapStatus,
  tempDir,
  withoutPem,
  xmlValues,
} from './fixtures';

describe('twin fault injection (stateDir/faults.json, read at each operation)', () => {
  let twin: RunningTwin;
  let ca: TestCa;
  let pub: CliSession;
  let stateDir: string;

  beforeAll(async () => {
    const dir = tempDir('faults');
    stateDir = join(dir, 'state');
    ca = await TestCa.create('Fault', join(dir, 'keys'));
    twin = await startTwin({
      declarations: labDeclarations({ subVersion: '15.0' }),
      stateDir,
      addressBase: '127.0.24.2',
      portMode: 'dynamic',
      restartMillis: 100,
      keyDirs: [ca.keyDir],
      env: TEST_ENV,
    });
    pub = await CliSession.open(twin.ready, PUB);
  });

  afterEach(() => {
    for (const n of [PUB, SUB, IMP]) writeNodeFaults(stateDir, n, undefined);
  });

  afterAll(async () => {
    pub?.close();
    await twin?.stop();
  });

  it('unreachable: refuses SSH and HTTPS until cleared', async () => {
    // GIVEN
    writeNodeFaults(stateDir, SUB, { unreachable: true });
    // THEN
    await expect(CliSession.open(twin.ready, SUB)).rejects.toThrow();
    await expect(https(twin.ready, SUB, 'GET', `${REST}/snapshot/server`)).rejects.toThrow();
    expect(await portRefuses(twin.ready, SUB, 'https')).toBe(true);
    // WHEN cleared
    writeNodeFaults(stateDir, SUB, undefined);
    const sub = await CliSession.open(twin.ready, SUB);
    expect(await sub.run('show version active')).toEqual(['Active Master Version: 15.0.1.10000-1']);
    sub.close();
  });

  it('unreachable: an open session ends at its next command', async () => {
    // GIVEN
    const sub = await CliSession.open(twin.ready, SUB);
    writeNodeFaults(stateDir, SUB, { unreachable: true });
    // THEN
    await expect(sub.run('utils service list')).rejects.toThrow(/session closed/);
    sub.close();
  });

  it('restartFails: the restart ends STOPPED with an ERROR, the port closes, and a retry after clearing works', async () => {
    // GIVEN
    writeNodeFaults(stateDir, PUB, { restartFails: ['Cisco CallManager'] });
    // WHEN
    const lines = await pub.run('utils service restart Cisco CallManager');
    // THEN
    expect(lines.slice(-2)).toEqual(['Cisco CallManager[STOPPED]', 'ERROR: Cisco CallManager failed to start']);
    expect(await pub.run('utils service list')).toContain('Cisco CallManager[STOPPED]');
    expect(await portRefuses(twin.ready, PUB, 'sip-tls')).toBe(true);
    const soap = await https(twin.ready, PUB, 'POST', SOAP, { body: soapStatus(['Cisco CallManager']), headers: { SOAPAction: '"soapGetServiceStatus"' } });
    expect(xmlValues(soap.body, 'ServiceStatus')).toEqual(['Stopped']);
    expect(xmlValues(soap.body, 'ReasonCodeString')).toEqual(['Cisco CallManager failed to start']);
    // WHEN cleared
    writeNodeFaults(stateDir, PUB, undefined);
    const retry = await pub.run('utils service restart Cisco CallManager');
    expect(retry[retry.length - 1]).toBe('Cisco CallManager[STARTED]');
    expect(await portRefuses(twin.ready, PUB, 'sip-tls')).toBe(false);
  });

  it('restartFails over SOAP: the item says Stopped with a reason', async () => {
    writeNodeFaults(stateDir, SUB, { restartFails: ['Cisco TFTP'] });
    const reply = await https(twin.ready, PUB, 'POST', SOAP, { body: soapRestart(SUB, ['Cisco TFTP']), headers: { SOAPAction: '"soapDoControlServices"' } });
    expect(xmlValues(reply.body, 'ServiceStatus')).toEqual(['Stopped']);
    expect(xmlValues(reply.body, 'ReasonCodeString')).toEqual(['Cisco TFTP failed to start']);
  });

  it('restartHangs: a SOAP restart does not return while the fault is set', async () => {
    // GIVEN
    writeNodeFaults(stateDir, PUB, { restartHangs: ['Cisco CTIManager'] });
    let returned = false;
    const call = https(twin.ready, PUB, 'POST', SOAP, { body: soapRestart(PUB, ['Cisco CTIManager']), headers: { SOAPAction: '"soapDoControlServices"' } }).then((r) => {
      returned = true;
      return r;
    });
    // WHEN the service is seen STARTING from another session
    // Bounded by time, not by a count of polls: a loaded machine may need many more rounds.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(await pub.run('utils service list')).includes('Cisco CTIManager[STARTING]')) await new Promise((r) => setTimeout(r, 50));
    // THEN
    expect(await pub.run('utils service list')).toContain('Cisco CTIManager[STARTING]');
    expect(returned).toBe(false);
    writeNodeFaults(stateDir, PUB, undefined);
    expect(xmlValues((await call).body, 'ServiceStatus')).toEqual(['Started']);
  });

  it('refuseUpload: the CLI prints an ERROR line and REST answers 400', async () => {
    // GIVEN
    writeNodeFaults(stateDir, PUB, { refuseUpload: true });
    // WHEN
    const cli = withoutPem(await pub.paste('set cert import trust tomcat', ca.root.pem));
    const rest = await https(twin.ready, PUB, 'POST', `${REST}/trust/certificates`, { body: JSON.stringify({ service: ['tomcat'], certificates: [ca.root.pem] }) });
    // THEN
    expect(cli[cli.length - 1]).toMatch(/^ERROR: /);
    expect(rest.status).toBe(400);
    expect((await pub.run('show cert list trust')).join('\n')).not.toContain('Fault_Root_CA.pem');
  });

  it('refuseUpload on a SAN node: the multi-server upload reports that node Failed', async () => {
    // GIVEN
    await pub.paste('set cert import trust tomcat', bundle(ca.root.pem));
    await pub.paste('set cert import trust tomcat', bundle(ca.intermediate.pem));
    const leaf = await ca.issue(`${PUB}-ms`, [PUB, SUB, IMP], 'RSA');
    writeNodeFaults(stateDir, IMP, { refuseUpload: true });
    // WHEN
    const lines = withoutPem(await pub.paste('set cert import own tomcat', bundle(leaf.pem, ca.intermediate.pem)));
    // THEN
    expect(lines).toContain(`${PUB}: Success`);
    expect(lines).toContain(`${SUB}: Success`);
    expect(lines.find((l) => l.startsWith(`${IMP}: `))).toMatch(/^cs-imp-pub\.example\.com: Failed - /);
    expect(lines).toContain('ERROR: The certificate was not imported on 1 node(s)');
  });

  it('slowMillis: every command waits at least that long', async () => {
    // GIVEN
    writeNodeFaults(stateDir, PUB, { slowMillis: 400 });
    // WHEN
    const started = Date.now();
    await pub.run('show version active');
    const reply = await https(twin.ready, PUB, 'GET', `${REST}/snapshot/server`);
    // THEN (a lower bound only: slow machines make it longer, never shorter)
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });
});
