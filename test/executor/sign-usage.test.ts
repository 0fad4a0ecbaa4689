/**
 * Issue 9: what an issuer returns is checked against the purpose's key-usage rows (DOMAIN.md §2)
 * of every platform the certificate goes to, before anything is installed: a missing EKU or
 * digitalSignature refuses the leaf (the service's TLS would fail), other bits are logged.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { checkIssuedUsage } from '../../lib/executor/sign-request';
import { CertificateView, parseCertificate } from '../../lib/pki/certificate';
import { readCertificates } from '../../lib/pki/input';

const dir = mkdtempSync(join(tmpdir(), 'ucr-sign-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed RSA leaf with exactly these usages (openssl -addext), parsed as the sign step parses it. */
function leaf(name: string, keyUsage: string, eku: string): CertificateView {
  const file = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', file, '-days', '30', '-subj', '/CN=pub.example.com',
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `keyUsage=critical,${keyUsage}`, '-addext', `extendedKeyUsage=${eku}`], { stdio: 'ignore' });
  return parseCertificate(readCertificates(readFileSync(file), file)[0], file);
}

const req = (platforms: ('cucm' | 'imp')[]) => ({ purpose: 'tomcat', platforms, issuer: 'corp-cmd', subject: 'pub.example.com tomcat' });

describe('the usage of an issued leaf', () => {
  it('is accepted when it has what every platform of the certificate requests', () => {
    const log: string[] = [];
    checkIssuedUsage(leaf('full', 'digitalSignature,keyEncipherment,dataEncipherment', 'serverAuth,clientAuth'), req(['cucm', 'imp']), (l) => log.push(l));
    expect(log).toEqual([]);
  });

  it('is refused, before anything is installed, when an EKU the purpose needs is missing', () => {
    const noClientAuth = leaf('server-only', 'digitalSignature,keyEncipherment,dataEncipherment', 'serverAuth');
    expect(() => checkIssuedUsage(noClientAuth, req(['cucm']), () => undefined)).toThrow(StepFailure);
    expect(() => checkIssuedUsage(noClientAuth, req(['cucm']), () => undefined)).toThrow(/EKU_MISSING: .*lacks clientAuth/);
    expect(() => checkIssuedUsage(noClientAuth, req(['cucm']), () => undefined)).toThrow(/nothing was installed/);
  });

  it('logs, without refusing, a key usage bit only one platform asks for (keyEncipherment for IM&P tomcat)', () => {
    const cucmShaped = leaf('cucm-shaped', 'digitalSignature,dataEncipherment', 'serverAuth,clientAuth');
    const onlyCucm: string[] = [];
    checkIssuedUsage(cucmShaped, req(['cucm']), (l) => onlyCucm.push(l));
    expect(onlyCucm).toEqual([]);
    const spanning: string[] = [];
    checkIssuedUsage(cucmShaped, req(['cucm', 'imp']), (l) => spanning.push(l));
    expect(spanning).toEqual([expect.stringMatching(/^warning KEY_USAGE_MISMATCH: .*lacks keyEncipherment/)]);
  });

  it('is refused without digitalSignature', () => {
    expect(() => checkIssuedUsage(leaf('no-ds', 'keyEncipherment', 'serverAuth,clientAuth'), req(['cucm']), () => undefined)).toThrow(/KU_DIGITAL_SIGNATURE_MISSING/);
  });
});
