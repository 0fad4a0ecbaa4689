/**
 * The csr, ca and lint commands as a user runs them (bin/ucrollout), and the openssl CLI as
 * an outside witness: it verifies our CSR, signs it, and lint accepts what it signed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePkcs7 } from '../../lib/pki';
import { IMP, MS_CN, PUB, SUB, tempDir } from './support';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ucrollout');
const tmp = tempDir();
const at = (f: string) => join(tmp.dir, f);

function ucrollout(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, UCROLLOUT_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const INVENTORY = `clusters:
  - name: lab
    publisher: ${PUB}
    subscribers: [${SUB}]
    imPresence: { databasePublisher: ${IMP} }
`;

beforeAll(() => {
  writeFileSync(at('inventory.yaml'), INVENTORY);
});
afterAll(() => tmp.remove());

describe('ucrollout csr, ca, lint with openssl as witness', () => {
  it('GIVEN the lab inventory WHEN ucrollout csr runs THEN it writes the CSR and a 0600 key, and openssl req -verify accepts the CSR', () => {
    // WHEN
    const r = ucrollout('csr', '--inventory', at('inventory.yaml'), '--cluster', 'lab', '--purpose', 'tomcat', '--out', at('csr'), '--o', 'Example', '--c', 'US');
    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`CN ${MS_CN}`);
    expect(statSync(at('csr/lab-tomcat-ms.key')).mode & 0o777).toBe(0o600);
    const text = execFileSync('openssl', ['req', '-in', at('csr/lab-tomcat-ms.csr'), '-verify', '-noout', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toContain(`DNS:${MS_CN}, DNS:${PUB}, DNS:${SUB}, DNS:${IMP}`);
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });

  it('GIVEN our CSR WHEN openssl signs it with a lab CA from ucrollout ca init THEN ucrollout lint passes with chain, root, key and CSR', () => {
    // GIVEN
    expect(ucrollout('ca', 'init', '--out', at('ca'), '--intermediate').status).toBe(0);
    expect(statSync(at('ca/issuing.key')).mode & 0o777).toBe(0o600);
    // WHEN openssl signs (copying the CSR's extensions, as a CA template would set them)
    openssl('x509', '-req', '-in', at('csr/lab-tomcat-ms.csr'), '-CA', at('ca/issuing.pem'), '-CAkey', at('ca/issuing.key'), '-copy_extensions', 'copy', '-days', '90', '-sha256', '-set_serial', '0x1234', '-out', at('openssl-leaf.pem'));
    const r = ucrollout('lint', '--cert', at('openssl-leaf.pem'), '--chain', at('ca/issuing.pem'), '--root', at('ca/root.pem'), '--purpose', 'tomcat', '--nodes', `${PUB},${SUB},${IMP}`, '--common-name', MS_CN, '--key', at('csr/lab-tomcat-ms.key'), '--csr', at('csr/lab-tomcat-ms.csr'));
    // THEN
    expect(r.stdout).toBe(`${at('openssl-leaf.pem')}: no findings\n`);
    expect(r.status).toBe(0);
  });

  it('GIVEN our CSR WHEN ucrollout ca sign signs it THEN openssl verifies the chain and lint --json reports nothing', () => {
    expect(ucrollout('ca', 'sign', '--ca', at('ca'), '--csr', at('csr/lab-tomcat-ms.csr'), '--purpose', 'tomcat', '--out', at('leaf.pem')).status).toBe(0);
    expect(openssl('verify', '-CAfile', at('ca/root.pem'), '-untrusted', at('ca/issuing.pem'), at('leaf.pem'))).toContain(': OK');
    const r = ucrollout('lint', '--cert', at('leaf.pem'), '--chain', at('ca/issuing.pem'), '--root', at('ca/root.pem'), '--purpose', 'tomcat', '--nodes', `${PUB},${SUB},${IMP}`, '--json');
    expect(JSON.parse(r.stdout)).toEqual({ findings: [], errors: 0, warnings: 0 });
    expect(r.status).toBe(0);
  });

  it('GIVEN a chain written as PKCS#7 WHEN openssl reads it THEN it lists both CA certificates (PKCS7 label, not CMS)', () => {
    const der = (f: string) => Buffer.from(readFileSync(f, 'latin1').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    writeFileSync(at('chain.p7b'), writePkcs7([der(at('ca/issuing.pem')), der(at('ca/root.pem'))]));
    const out = openssl('pkcs7', '-in', at('chain.p7b'), '-print_certs', '-noout');
    expect(out.match(/subject=/g)).toHaveLength(2);
    const r = ucrollout('lint', '--cert', at('leaf.pem'), '--chain', at('chain.p7b'), '--purpose', 'tomcat', '--nodes', PUB);
    expect(r.status).toBe(0);
  });

  it('GIVEN a missing node WHEN linted THEN exit 1 and the finding names the node', () => {
    const r = ucrollout('lint', '--cert', at('leaf.pem'), '--chain', at('ca/issuing.pem'), '--root', at('ca/root.pem'), '--purpose', 'tomcat', '--nodes', `${PUB},cs-ccm-sub2.example.com`);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^error {3}SAN_MISSING_NODE +.*misses node cs-ccm-sub2.example.com/m);
    expect(r.stdout).toMatch(/warning SAN_UNEXPECTED/);
  });
});

describe('ucrollout errors are one line, never a stack trace', () => {
  const garbage: [string, () => string][] = [
    ['an empty file', () => (writeFileSync(at('empty.pem'), ''), at('empty.pem'))],
    ['plain text', () => (writeFileSync(at('text.pem'), 'not a certificate'), at('text.pem'))],
    ['a private key', () => at('csr/lab-tomcat-ms.key')],
    ['truncated base64', () => (writeFileSync(at('cut.pem'), readFileSync(at('leaf.pem'), 'latin1').slice(0, 400) + '\n-----END CERTIFICATE-----\n'), at('cut.pem'))],
  ];
  for (const [what, file] of garbage) {
    it(`GIVEN ${what} as --cert WHEN linted THEN exit 1 with CERT_UNREADABLE and no stack trace`, () => {
      const r = ucrollout('lint', '--cert', file(), '--purpose', 'tomcat');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^error {3}CERT_UNREADABLE /);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  const usage: [string, string[], RegExp][] = [
    ['a missing file', ['lint', '--cert', '/nonexistent/leaf.pem', '--purpose', 'tomcat'], /^ucrollout lint: cannot read --cert '\/nonexistent\/leaf.pem' \(ENOENT\)/],
    ['an unknown option', ['lint', '--cert', 'x', '--purpse', 'tomcat'], /^ucrollout lint: Unknown option '--purpse'/],
    ['no input', ['lint'], /give --inventory FILE or --cert FILE/],
    ['an unknown purpose', ['csr', '--inventory', at('inventory.yaml'), '--cluster', 'lab', '--purpose', 'web', '--out', at('x')], /unknown purpose 'web': use one of tomcat/],
    ['an unknown cluster', ['csr', '--inventory', at('inventory.yaml'), '--cluster', 'dc9', '--purpose', 'tomcat', '--out', at('x')], /cluster 'dc9' is not in .*: use one of lab/],
    ['a CA folder that does not exist', ['ca', 'sign', '--ca', '/nonexistent', '--csr', '/etc/hostname', '--purpose', 'tomcat', '--out', '/tmp/x.pem'], /cannot read root.pem \(ENOENT\): create the CA with 'ucrollout ca init/],
    ['a key given as the CSR', ['ca', 'sign', '--ca', at('ca'), '--csr', at('csr/lab-tomcat-ms.key'), '--purpose', 'tomcat', '--out', at('x.pem')], /lab-tomcat-ms.key: holds a PRIVATE KEY block, not a CSR/],
    ['a missing action', ['ca'], /missing action: use 'ucrollout ca init' or 'ucrollout ca sign'/],
  ];
  for (const [what, args, message] of usage) {
    it(`GIVEN ${what} WHEN run THEN one line on stderr and a non-zero exit`, () => {
      const r = ucrollout(...args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('GIVEN --help WHEN run for each command THEN usage is printed and the exit is 0', () => {
    for (const command of ['csr', 'ca', 'lint']) {
      const r = ucrollout(command, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: ucrollout ${command} `));
    }
  });
});
