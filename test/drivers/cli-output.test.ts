import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cliFailure,
  parseActiveVersion,
  parseDeleteResult,
  parseOwnImport,
  parseRestart,
  parseServiceList,
  parseShownCertificate,
  parseSqlSingleValue,
  parseTrustImport,
  securityModeFromSql,
} from '../../lib/drivers/cli-output';

const ROOT_PEM = readFileSync(join(__dirname, '../../examples/ca/root.pem'), 'utf8').trim();
const ROOT_SHA = '5be8c31cd0b3e95c5ba792f0add95f10ed62eac33be29b5cac8379b1a46d414d';

describe('show cert own|trust', () => {
  it('takes the fingerprint and names from the printed PEM', () => {
    const text = `${ROOT_PEM}\n\nSHA256 Fingerprint: 5B:E8:C3:1C:D0:B3:E9:5C:5B:A7:92:F0:AD:D9:5F:10:ED:62:EA:C3:3B:E2:9B:5C:AC:83:79:B1:A4:6D:41:4D\nSubject: CN=Example Lab Root CA\nIssuer: CN=Example Lab Root CA\n`;
    expect(parseShownCertificate(text)).toMatchObject({ sha256: ROOT_SHA, subjectCn: 'Example Lab Root CA', issuerCn: 'Example Lab Root CA', selfSigned: true });
  });

  it('falls back to the printed lines when no PEM is shown', () => {
    const text = 'SHA256 Fingerprint: AB:CD:' + 'EF:'.repeat(29) + '01\nSubject: L=RTP, CN=cs-ccm-pub.example.com, O=Example\nIssuer: CN=Corp Issuing CA, O=Example\n';
    expect(parseShownCertificate(text)).toMatchObject({ sha256: 'abcd' + 'ef'.repeat(29) + '01', subjectCn: 'cs-ccm-pub.example.com', issuerCn: 'Corp Issuing CA', selfSigned: false });
  });

  it('says nothing is there for an error', () => {
    expect(parseShownCertificate('ERROR: file not found: tomcat-trust/x.pem')).toBeUndefined();
    expect(cliFailure('\nERROR: file not found\n')).toBe('ERROR: file not found');
  });
});

describe('set cert import', () => {
  it('trust: success and refusal', () => {
    expect(parseTrustImport('Import of trust certificate is successful\nRestart the services related to tomcat-trust for the change to take effect.')).toEqual({
      ok: true,
      message: 'Import of trust certificate is successful',
    });
    expect(parseTrustImport('ERROR: Invalid certificate')).toEqual({ ok: false, message: 'ERROR: Invalid certificate' });
  });

  it('own multi-server: one line per node, then the verdict', () => {
    const text = [
      'cs-ccm-pub.example.com: Success',
      'CS-CCM-SUB.example.com: Success',
      'cs-imp.example.com: Failed - node unreachable',
      'Successfully imported certificate for tomcat.',
      'Please restart services related to tomcat for the new certificate to become active.',
    ].join('\n');
    expect(parseOwnImport(text)).toEqual({
      ok: true,
      message: 'Successfully imported certificate for tomcat.',
      distribution: [
        { node: 'cs-ccm-pub.example.com', ok: true, reason: undefined },
        { node: 'cs-ccm-sub.example.com', ok: true, reason: undefined },
        { node: 'cs-imp.example.com', ok: false, reason: 'node unreachable' },
      ],
    });
  });

  it('own refused while the CA is not trusted', () => {
    expect(parseOwnImport('ERROR: CA Certificate is Not Available in the Trust-Store')).toEqual({
      ok: false,
      message: 'ERROR: CA Certificate is Not Available in the Trust-Store',
      distribution: [],
    });
  });
});

describe('utils service list / restart', () => {
  it('lists services and the publisher flag', () => {
    const text = 'Requesting service status, please wait...\nSystem SSH [STARTED]\nCisco Tomcat[STARTED]\nCisco CallManager[STOPPED]  \nCisco CTIManager[Not Activated]\n\nPrimary Node =true\n';
    const listing = parseServiceList(text);
    expect([...listing.services]).toEqual([
      ['System SSH', 'STARTED'],
      ['Cisco Tomcat', 'STARTED'],
      ['Cisco CallManager', 'STOPPED'],
      ['Cisco CTIManager', 'Not Activated'],
    ]);
    expect(listing.primary).toBe(true);
    expect(parseServiceList('Cisco Tomcat[STARTED]').primary).toBe(false);
  });

  it('follows a restart to [STARTED]', () => {
    const text = 'Service Manager is running\nCisco Tomcat[STOPPING]\nCisco Tomcat[STOPPING]\nCisco Tomcat[STARTING]\nCisco Tomcat[STARTED]\n';
    expect(parseRestart(text, 'Cisco Tomcat')).toEqual({ ok: true, lastStatus: 'STARTED', message: 'Cisco Tomcat[STARTED]' });
  });

  it('reports a failed restart with the node line', () => {
    const text = 'Service Manager is running\nCisco Tomcat[STOPPING]\nCisco Tomcat[STARTING]\nCisco Tomcat[STOPPED]\nERROR: Cisco Tomcat failed to start\n';
    expect(parseRestart(text, 'Cisco Tomcat')).toEqual({ ok: false, lastStatus: 'STOPPED', message: 'ERROR: Cisco Tomcat failed to start' });
    expect(parseRestart('Service Manager is running\n', 'Cisco Tomcat').ok).toBe(false);
  });
});

describe('other commands', () => {
  it('reads the cluster security mode', () => {
    const text = 'paramvalue\n==========\n1\n';
    expect(securityModeFromSql(parseSqlSingleValue(text))).toBe('mixed');
    expect(securityModeFromSql(parseSqlSingleValue('paramvalue\n==========\n0 \n'))).toBe('non-secure');
    expect(securityModeFromSql(parseSqlSingleValue('Executed command unsuccessfully'))).toBeUndefined();
  });

  it('reads the version and delete results', () => {
    expect(parseActiveVersion('Active Master Version: 15.0.1.10000-1\n')).toBe('15.0.1.10000-1');
    expect(parseDeleteResult('Successfully deleted cs-ccm-pub.example.com.pem')).toEqual({ ok: true, message: 'Successfully deleted cs-ccm-pub.example.com.pem' });
    expect(parseDeleteResult('ERROR: file not found').ok).toBe(false);
  });
});
