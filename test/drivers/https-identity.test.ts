/** HTTPS trust advice: a certificate for another name is not fixed by adding a CA; an unknown CA is. */
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../../lib/drivers/credentials';
import { httpsRequest } from '../../lib/drivers/https-request';
import { issueSelfSigned } from '../../lib/pki/self-signed';

let server: ReturnType<typeof createServer>;
let port = 0;
let cert = '';
let gotAuthorization = false;

beforeAll(async () => {
  const made = await issueSelfSigned({ commonName: 'other.example.com', dnsNames: ['other.example.com'], keyType: 'EC' });
  cert = made.certPem;
  server = createServer({ cert: made.certPem, key: made.keyPem }, (req, res) => {
    if (req.headers.authorization) gotAuthorization = true;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const target = (ca: string[]) => ({ endpoint: { fqdn: 'pub.example.com', host: '127.0.0.1', port }, credentials: new Credentials('admin', 'secret-pw', 'test'), ca, timeoutMs: 5000 });

describe('HTTPS identity errors', () => {
  it('a certificate for another name says the address or the SANs are wrong, not to add a CA; no credential is sent', async () => {
    const err = await httpsRequest(target([cert]), { method: 'GET', path: '/' }).catch((e: Error) => e);
    expect(String(err)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(String(err)).toMatch(/is not for pub\.example\.com/);
    expect(String(err)).toMatch(/does not help/);
    expect(gotAuthorization).toBe(false);
  });

  it('an untrusted CA says to add it to httpsCaFile', async () => {
    const err = await httpsRequest(target([]), { method: 'GET', path: '/' }).catch((e: Error) => e);
    expect(String(err)).toMatch(/httpsCaFile/);
    expect(gotAuthorization).toBe(false);
  });
});
