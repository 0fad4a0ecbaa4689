import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandIssuerDecl, createIssuer } from '../../lib/issuers';
import { writeLabCa } from '../../lib/pki/lab-ca';
import { clusterCsr, rejection, sharedLabCa, tempDir, testContext, TestContext } from './helpers';

const tmp = tempDir('command');
afterAll(() => tmp.remove());

// A signer as an organisation would script it: openssl x509 -req against its CA, the chain on stdout.
const SIGN_SCRIPT = `#!/bin/sh
set -e
[ "$1" = "--profile" ] && [ "$2" = "uc" ] || { echo "usage: sign.sh --profile uc" >&2; exit 64; }
pwd > "\${SIGN_LOG:-/dev/null}"
openssl x509 -req -CA ca/issuing.pem -CAkey ca/issuing.key -CAcreateserial -CAserial ca/serial \\
  -days 30 -copy_extensions copyall -extfile ca/leaf.ext 2>/dev/null
cat ca/issuing.pem
`;

let ctx: TestContext;
const decl = (run: string[], extra: Partial<CommandIssuerDecl> = {}): CommandIssuerDecl => ({ kind: 'command', name: 'corp-cmd', run, ...extra });

beforeAll(async () => {
  ctx = testContext(tmp.dir, { env: { PATH: process.env.PATH, SIGN_LOG: join(tmp.dir, 'sign.log') } });
  writeLabCa(await sharedLabCa(), join(ctx.baseDir, 'ca'));
  writeFileSync(join(ctx.baseDir, 'ca', 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\n');
  const script = (name: string, body: string) => {
    writeFileSync(join(ctx.baseDir, name), body);
    chmodSync(join(ctx.baseDir, name), 0o755);
  };
  script('sign.sh', SIGN_SCRIPT);
  script('refuse.sh', '#!/bin/sh\ncat >/dev/null\necho "step: certificate request refused by provisioner uc: name ucm-pub-ms.corp.test not allowed" >&2\nexit 3\n');
  script('silent.sh', '#!/bin/sh\ncat >/dev/null\necho "signed!"\n');
  script('slow.sh', '#!/bin/sh\nsleep 30\n');
  script('loud.sh', '#!/bin/sh\ncat >/dev/null\nhead -c 100000 /dev/zero | tr "\\\\0" x >&2\nexit 1\n');
  mkdirSync(join(ctx.baseDir, 'bin'), { recursive: true });
});

describe('the command issuer', () => {
  it("runs the program without a shell in the inventory's folder, CSR on stdin, chain from stdout", async () => {
    // GIVEN run: [./sign.sh, --profile, uc] (a relative path, from the inventory's folder)
    const issuer = createIssuer(decl(['./sign.sh', '--profile', 'uc']));
    const { request } = await clusterCsr();
    // WHEN it signs
    const result = await issuer.sign(request, ctx);
    // THEN the leaf openssl made, then the issuing CA, with the CSR's names
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    const [leaf, issuing] = result.chainPem.map((p) => new X509Certificate(p));
    expect(result.chainPem).toHaveLength(2);
    expect(leaf.subjectAltName).toBe('DNS:ucm-pub-ms.corp.test, DNS:ucm-pub.corp.test, DNS:ucm-sub1.corp.test, DNS:imp-pub.corp.test');
    expect(leaf.verify(issuing.publicKey)).toBe(true);
    expect(readFileSync(join(tmp.dir, 'sign.log'), 'utf8').trim()).toBe(ctx.baseDir);
    expect(ctx.lines).toEqual(['issuer corp-cmd: running ./sign.sh for ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test']);
  });

  it('passes arguments as they are: a shell metacharacter is only text', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl(['./sign.sh', '--profile', 'uc; touch pwned'])).sign(request, ctx));
    expect(e.message).toBe("issuer corp-cmd: the command './sign.sh' exited with 64: it said: usage: sign.sh --profile uc");
  });

  it('shows the standard error of a refusal', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl(['./refuse.sh'])).sign(request, ctx));
    expect(e.code).toBe('refused');
    expect(e.message).toBe("issuer corp-cmd: the command './refuse.sh' exited with 3: it said: step: certificate request refused by provisioner uc: name ucm-pub-ms.corp.test not allowed");
  });

  it('bounds what it shows of a long standard error', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl(['./loud.sh'])).sign(request, ctx));
    expect(e.message.length).toBeLessThan(2300);
    expect(e.message).toMatch(/x{100}… \(\d+ more characters\) …\(standard error cut\)$/);
  });

  it('refuses an exit 0 without a PEM chain', async () => {
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl(['./silent.sh'])).sign(request, ctx));
    expect(e.code).toBe('bad-response');
    expect(e.message).toBe("issuer corp-cmd: the command './silent.sh' exited 0 but printed no PEM certificate on standard output: it must print the chain (leaf first)");
  });

  it('says when the program cannot be started', async () => {
    const { request } = await clusterCsr();
    const missing = await rejection(createIssuer(decl(['./nope.sh'])).sign(request, ctx));
    expect(missing.code).toBe('config');
    expect(missing.message).toBe(`issuer corp-cmd: cannot start the command './nope.sh': no such program (paths start at ${ctx.baseDir}): check the path`);
    const notOnPath = await rejection(createIssuer(decl(['no-such-signer-xyz'])).sign(request, ctx));
    expect(notOnPath.message).toBe("issuer corp-cmd: cannot start the command 'no-such-signer-xyz': not found on PATH: give its path");
    writeFileSync(join(ctx.baseDir, 'bin', 'noexec.sh'), '#!/bin/sh\n');
    const notExecutable = await rejection(createIssuer(decl(['bin/noexec.sh'])).sign(request, ctx));
    expect(notExecutable.message).toMatch(/it is not executable: chmod \+x it$/);
  });

  it('stops a program that runs past the timeout', async () => {
    const { request } = await clusterCsr();
    const started = Date.now();
    const e = await rejection(createIssuer(decl(['./slow.sh'])).sign(request, { ...ctx, timeouts: { commandMs: 300 } }));
    expect(e.code).toBe('unreachable');
    expect(e.message).toBe("issuer corp-cmd: the command './slow.sh' did not finish within 0.3 s and was stopped: check what it waits for, then try again");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses the chain of a CA that signed another request', async () => {
    // GIVEN a program that answers a certificate it signed earlier, for another CSR
    const first = await clusterCsr();
    const earlier = await createIssuer(decl(['./sign.sh', '--profile', 'uc'])).sign(first.request, ctx);
    if (earlier.status !== 'issued') throw new Error('not issued');
    writeFileSync(join(ctx.baseDir, 'stale.pem'), earlier.chainPem.join(''));
    writeFileSync(join(ctx.baseDir, 'stale.sh'), '#!/bin/sh\ncat >/dev/null\ncat stale.pem\n');
    chmodSync(join(ctx.baseDir, 'stale.sh'), 0o755);
    // WHEN a new CSR is sent to it
    const { request } = await clusterCsr();
    const e = await rejection(createIssuer(decl(['./stale.sh'])).sign(request, ctx));
    // THEN it is refused: the leaf is not for the new CSR's key
    expect(e.code).toBe('mismatch');
    expect(e.message).toMatch(/which is not for the CSR's key: it signed another request/);
  });
});
