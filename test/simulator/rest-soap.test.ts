import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { IssuedCert, PUB, REST, SOAP, SUB, TEST_ENV, TestCa, https, labDeclarations, presentedChain, readCa, soapRestart, soapStatus, tempDir, xmlValues } from './fixtures';

const SOAP_HEADERS = (action: string): Record<string, string> => ({ 'Content-Type': 'text/xml', SOAPAction: `"${action}"` });

describe('twin REST and SOAP over HTTPS 8443', () => {
  let twin: RunningTwin;
  let ca: TestCa;
  let callManager: IssuedCert;

  beforeAll(async () => {
    const dir = tempDir('rest');
    ca = await TestCa.create('Rest', join(dir, 'keys'));
    callManager = await ca.issue(PUB, [PUB], 'RSA');
    twin = await startTwin({
      declarations: labDeclarations({ subVersion: '12.5' }),
      stateDir: join(dir, 'state'),
      addressBase: '127.0.23.2',
      portMode: 'dynamic',
      restartMillis: 100,
      keyDirs: [ca.keyDir],
      env: TEST_ENV,
    });
  });

  afterAll(async () => {
    await twin?.stop();
  });

  it('answers 401 without valid Basic credentials', async () => {
    expect((await https(twin.ready, PUB, 'GET', `${REST}/snapshot/server`, { auth: false })).status).toBe(401);
    expect((await https(twin.ready, PUB, 'GET', `${REST}/snapshot/server`, { auth: 'twinadmin:nope' })).status).toBe(401);
  });

  it('has no REST API before release 14', async () => {
    expect((await https(twin.ready, SUB, 'GET', `${REST}/snapshot/server`)).status).toBe(404);
  });

  it('refuses an identity upload with 400 until the chain is trusted', async () => {
    // WHEN
    const reply = await https(twin.ready, PUB, 'POST', `${REST}/identity/certificates`, {
      body: JSON.stringify({ service: 'CallManager', certificates: [callManager.pem, ca.intermediate.pem, ca.root.pem] }),
    });
    // THEN
    expect(reply.status).toBe(400);
    expect(reply.json()).toEqual({ message: 'CA Certificate is Not Available in the Trust-Store' });
  });

  it('uploads trust and lists it', async () => {
    // WHEN
    const reply = await https(twin.ready, PUB, 'POST', `${REST}/trust/certificates`, {
      body: JSON.stringify({ service: ['CallManager'], certificates: [ca.root.pem, ca.intermediate.pem], description: 'Rest CA' }),
    });
    // THEN
    expect(reply.status).toBe(200);
    expect(reply.json().certificates).toEqual([
      { service: 'CallManager-trust', fileName: 'Rest_Root_CA.pem', sha256: ca.root.sha256 },
      { service: 'CallManager-trust', fileName: 'Rest_Issuing_CA.pem', sha256: ca.intermediate.sha256 },
    ]);
    const listed = (await https(twin.ready, PUB, 'GET', `${REST}/trust/certificate?service=CallManager`)).json();
    expect(listed.service).toBe('CallManager-trust');
    expect(listed.certificates.map((c: { fileName: string }) => c.fileName)).toEqual(expect.arrayContaining(['Rest_Root_CA.pem', 'Rest_Issuing_CA.pem']));
  });

  it('accepts the identity once trusted and reports the distribution', async () => {
    // WHEN
    const reply = await https(twin.ready, PUB, 'POST', `${REST}/identity/certificates`, {
      body: JSON.stringify({ service: 'CallManager', certificates: [callManager.pem, ca.intermediate.pem, ca.root.pem] }),
    });
    // THEN
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ distribution: [{ node: PUB, status: 'success' }] });
    const identity = (await https(twin.ready, PUB, 'GET', `${REST}/identity/certificate?service=CallManager`)).json();
    expect(identity.sha256).toBe(callManager.sha256);
    const snapshot = (await https(twin.ready, PUB, 'GET', `${REST}/snapshot/server`)).json();
    expect(snapshot.identities).toContainEqual(expect.objectContaining({ service: 'CallManager', sha256: callManager.sha256 }));
    expect(snapshot.trusts).toContainEqual(expect.objectContaining({ service: 'CallManager-trust', fileName: 'Rest_Root_CA.pem' }));
    expect(snapshot.revoked).toEqual([]);
  });

  it('presents the new identity on a port after its own service restarted over SOAP, not before', async () => {
    // GIVEN
    const before = await presentedChain(twin.ready, PUB, 'sip-tls', readCa(twin.ready)).catch(() => ['not the new one']);
    expect(before[0]).not.toBe(callManager.sha256);
    const startBefore = xmlValues((await soapCall('soapGetServiceStatus', soapStatus(['Cisco CallManager']))).body, 'StartTime')[0];
    // WHEN
    const reply = await soapCall('soapDoControlServices', soapRestart(PUB, ['Cisco CallManager']));
    // THEN the call returned after the restart, with a later start time
    expect(reply.status).toBe(200);
    expect(xmlValues(reply.body, 'ServiceStatus')).toEqual(['Started']);
    const startAfter = xmlValues(reply.body, 'StartTime')[0];
    expect(Date.parse(startAfter)).toBeGreaterThan(Date.parse(startBefore));
    expect(await presentedChain(twin.ready, PUB, 'sip-tls', ca.root.pem)).toEqual([callManager.sha256, ca.intermediate.sha256]);
    // cti-tls is served by CTIManager, which has not restarted yet
    expect((await presentedChain(twin.ready, PUB, 'cti-tls', ca.root.pem).catch(() => ['old']))[0]).not.toBe(callManager.sha256);
  });

  it('acts on the node named in the request', async () => {
    // GIVEN
    const subStart = xmlValues((await soapCall('soapGetServiceStatus', soapStatus(['Cisco TFTP']), SUB)).body, 'StartTime')[0];
    // WHEN sent to the publisher, naming the subscriber
    const reply = await soapCall('soapDoControlServices', soapRestart(SUB, ['Cisco TFTP']));
    // THEN
    expect(xmlValues(reply.body, 'ServiceStatus')).toEqual(['Started']);
    const after = xmlValues((await soapCall('soapGetServiceStatus', soapStatus(['Cisco TFTP']), SUB)).body, 'StartTime')[0];
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(subStart));
  });

  it('refuses to control Cisco Tomcat with a SOAP fault', async () => {
    const reply = await soapCall('soapDoControlServices', soapRestart(PUB, ['Cisco Tomcat']));
    expect(reply.status).toBe(500);
    expect(reply.body).toContain('<soapenv:Fault>');
    expect(reply.body).toContain('utils service restart Cisco Tomcat');
  });

  it('reports every service with its start time', async () => {
    const reply = await soapCall('soapGetServiceStatus', soapStatus([]));
    const names = xmlValues(reply.body, 'ServiceName');
    expect(names).toEqual(expect.arrayContaining(['Cisco Tomcat', 'Cisco CallManager']));
    const tomcat = names.indexOf('Cisco Tomcat');
    expect(xmlValues(reply.body, 'ServiceStatus')[tomcat]).toBe('Started');
    expect(new Date(xmlValues(reply.body, 'StartTime')[tomcat]).toISOString()).toBe(xmlValues(reply.body, 'StartTime')[tomcat]);
  });

  function soapCall(action: string, body: string, fqdn = PUB): ReturnType<typeof https> {
    return https(twin.ready, fqdn, 'POST', SOAP, { body, headers: SOAP_HEADERS(action) });
  }
});
