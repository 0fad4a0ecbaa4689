/**
 * The command issuer tells its program what is asked for, in its environment: the purpose, the
 * CSR's common name and DNS names, the issuer and the request id (UCROLLOUT_*), so one script can
 * choose the CA's profile by purpose. Nothing secret is in them; a value the caller's environment
 * held is never passed on in their place.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandIssuerDecl, REQUEST_ENV, createIssuer } from '../../lib/issuers';
import { writeLabCa } from '../../lib/pki/lab-ca';
import { clusterCsr, sharedLabCa, tempDir, testContext, TestContext } from './helpers';

const tmp = tempDir('command-env');
afterAll(() => tmp.remove());

// Records what it was told, then signs with openssl against the lab CA (the chain on stdout).
const SIGN_SCRIPT = `#!/bin/sh
set -e
env | grep '^UCROLLOUT_' | sort > "$ENV_LOG"
openssl x509 -req -CA ca/issuing.pem -CAkey ca/issuing.key -CAcreateserial -CAserial ca/serial \\
  -days 30 -copy_extensions copyall -extfile ca/leaf.ext 2>/dev/null
cat ca/issuing.pem
`;

let ctx: TestContext;
const envLog = join(tmp.dir, 'env.log');
const decl: CommandIssuerDecl = { kind: 'command', name: 'corp-cmd', run: ['./sign.sh'], secretEnv: ['STEP_CA_PASSWORD'] };

beforeAll(async () => {
  ctx = testContext(tmp.dir, {
    env: { PATH: process.env.PATH, ENV_LOG: envLog, STEP_CA_PASSWORD: 'not-for-the-request-vars', UCROLLOUT_PURPOSE: 'stale-from-the-caller', UCROLLOUT_CN: 'stale-cn' },
  });
  writeLabCa(await sharedLabCa(), join(ctx.baseDir, 'ca'));
  writeFileSync(join(ctx.baseDir, 'ca', 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(join(ctx.baseDir, 'sign.sh'), SIGN_SCRIPT);
  chmodSync(join(ctx.baseDir, 'sign.sh'), 0o755);
});

function told(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(envLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the command issuer tells its program what is asked for', () => {
  it('sets UCROLLOUT_PURPOSE, UCROLLOUT_CN, UCROLLOUT_SANS (comma-separated), UCROLLOUT_ISSUER and UCROLLOUT_REQUEST_ID', async () => {
    const { request } = await clusterCsr('ipsec/sign/lab#0');
    const result = await createIssuer(decl).sign(request, ctx);
    expect(result.status).toBe('issued');
    expect(told()).toEqual({
      UCROLLOUT_PURPOSE: 'tomcat-ECDSA',
      UCROLLOUT_CN: 'ucm-pub-ms.corp.test',
      UCROLLOUT_SANS: 'ucm-pub-ms.corp.test,ucm-pub.corp.test,ucm-sub1.corp.test,imp-pub.corp.test',
      UCROLLOUT_ISSUER: 'corp-cmd',
      UCROLLOUT_REQUEST_ID: 'ipsec/sign/lab#0',
    });
    expect(Object.values(REQUEST_ENV).sort()).toEqual(Object.keys(told()).sort());
    expect(JSON.stringify(told())).not.toContain('not-for-the-request-vars');
  });

  it('leaves UCROLLOUT_PURPOSE unset when the request names no purpose, whatever the caller had set', async () => {
    const { request } = await clusterCsr();
    const { purpose: _none, ...withoutPurpose } = request;
    await createIssuer(decl).sign(withoutPurpose, ctx);
    expect(told().UCROLLOUT_PURPOSE).toBeUndefined();
    expect(told().UCROLLOUT_CN).toBe('ucm-pub-ms.corp.test');
  });
});
