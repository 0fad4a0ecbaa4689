/**
 * The lint of the declared issuers: what an issuer needs at its sign step (its caBundle, the lab
 * CA, its DNS-01 hook or program, the variables of its secrets) is found at lint and plan time,
 * resolved as the sign step resolves it (the inventory's folder, PATH), not at apply time
 * inside the maintenance window. Variables' values never reach a message.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { ISSUER_LINT_CODES, IssuerLintCode, lintIssuers } from '../../lib/issuers';
import { LintFinding } from '../../lib/pki/lint/finding';
import { signCsr, writeLabCa } from '../../lib/pki/lab-ca';
import { namesCsr, sharedLabCa, tempDir } from './helpers';

const ROOT = join(__dirname, '..', '..');
const tmp = tempDir('lint');
afterAll(() => tmp.remove());

const ENV = { PATH: '/usr/bin:/bin', ADCS_USER: 'CORP\\svc-uc', ADCS_PASSWORD: 's3cr3t-adcs-pw', VAULT_TOKEN: 'hvs.s3cr3t-token', ACME_EAB_HMAC: 'hmac-s3cr3t', STEP_CA_PASSWORD: 'step-s3cr3t' };

const CLUSTERS = `
clusters:
  - name: dc1
    publisher: cucm-pub.corp.example.com
    subscribers: [cucm-sub1.corp.example.com]
    imPresence: { databasePublisher: imp-pub.corp.example.com, subscribers: [] }
  - name: dc2
    publisher: cucm2-pub.corp.example.com
certificateAuthorities:
  - { name: corp, root: ca/root.pem, intermediates: [ca/issuing.pem] }
`;

/** Every kind declared and used, each with what it needs in place. */
const ISSUERS: Record<string, string> = {
  acme: `{ name: corp-acme, acme: { directory: "https://acme.corp.example/dir", caBundle: tls/ca.pem, dns01Hook: ./hooks/dns-hook.sh, externalAccountBinding: { kid: k1, hmacEnv: ACME_EAB_HMAC } } }`,
  adcs: `{ name: corp-adcs, adcs: { url: "https://ca.corp.example/certsrv", template: CUCMWebServer, caBundle: tls/ca.pem, credentials: { usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD } } }`,
  vault: `{ name: corp-vault, vault: { address: "https://vault.corp.example:8200", mount: pki, role: cucm, tokenEnv: VAULT_TOKEN, caBundle: tls/ca.pem } }`,
  command: `{ name: corp-cmd, command: { run: [./hooks/sign.sh, --profile, uc], secretEnv: [STEP_CA_PASSWORD] } }`,
  lab: `{ name: lab, lab: { ca: lab-ca } }`,
};
const CERTIFICATES = `
certificates:
  - { cluster: dc1, purpose: tomcat, distribution: multi-server, issuer: corp-acme, ca: corp }
  - { cluster: dc1, purpose: CallManager, distribution: multi-server, issuer: corp-adcs, ca: corp }
  - { cluster: dc1, purpose: cup-xmpp, distribution: multi-server, issuer: corp-vault, ca: corp }
  - { cluster: dc1, purpose: ipsec, distribution: single-server, node: cucm-pub.corp.example.com, issuer: corp-cmd, ca: corp }
  - { cluster: dc2, purpose: tomcat, distribution: multi-server, issuer: lab, ca: corp }
`;

let n = 0;
/** An inventory in its own folder (a copy of the good one), changed by `edit`; returns its file. */
function inventory(edit: (text: string) => string = (t) => t, files: (dir: string) => void = () => undefined): string {
  const dir = join(tmp.dir, `inv-${++n}`);
  cpSync(join(tmp.dir, 'good'), dir, { recursive: true });
  files(dir);
  const text = `issuers:\n${Object.values(ISSUERS).map((i) => `  - ${i}`).join('\n')}\n${CLUSTERS}${CERTIFICATES}`;
  writeFileSync(join(dir, 'inventory.yaml'), edit(text));
  return join(dir, 'inventory.yaml');
}

function lint(file: string, opts: { env?: Record<string, string | undefined>; now?: Date; cluster?: string } = {}): LintFinding[] {
  const { declarations, baseDir } = loadInventory(file);
  return lintIssuers(declarations, { baseDir, env: opts.env ?? ENV, ...(opts.now ? { now: opts.now } : {}), ...(opts.cluster ? { cluster: opts.cluster } : {}) });
}

const codes = (f: readonly LintFinding[]) => f.map((x) => x.code);

beforeAll(async () => {
  const good = join(tmp.dir, 'good');
  const ca = await sharedLabCa();
  writeLabCa(ca, join(good, 'lab-ca'));
  writeLabCa(ca, join(good, 'ca'));
  mkdirSync(join(good, 'tls'), { recursive: true });
  writeFileSync(join(good, 'tls', 'ca.pem'), readFileSync(join(good, 'ca', 'root.pem')));
  const { request } = await namesCsr(['ca.corp.example']);
  writeFileSync(join(good, 'tls', 'server.pem'), await signCsr(ca, request.csrPem, { purpose: 'tomcat-ECDSA' }));
  mkdirSync(join(good, 'hooks'), { recursive: true });
  for (const script of ['dns-hook.sh', 'sign.sh']) {
    writeFileSync(join(good, 'hooks', script), '#!/bin/sh\nexit 0\n');
    chmodSync(join(good, 'hooks', script), 0o755);
  }
}, 60_000);

describe('lint of the declared issuers', () => {
  it('finds nothing when every used issuer has its files, programs and variables', () => {
    expect(lint(inventory())).toEqual([]);
  });

  it('finds a caBundle that is missing: exactly that error, naming the issuer, the field and the path', () => {
    const f = lint(inventory((t) => t.replace('caBundle: tls/ca.pem, credentials', 'caBundle: tls/missing.pem, credentials')));
    expect(codes(f)).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE']);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toMatch(/^issuer corp-adcs: adcs\.caBundle 'tls\/missing\.pem' does not exist .*: give the PEM file of the CA/);
  });

  it('finds a caBundle without a CA certificate (a server certificate, or no PEM at all)', () => {
    const server = lint(inventory((t) => t.replace('tokenEnv: VAULT_TOKEN, caBundle: tls/ca.pem', 'tokenEnv: VAULT_TOKEN, caBundle: tls/server.pem')));
    expect(codes(server)).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE']);
    expect(server[0].message).toMatch(/vault\.caBundle 'tls\/server\.pem' holds no CA certificate/);
    const text = lint(inventory((t) => t.replace('tokenEnv: VAULT_TOKEN, caBundle: tls/ca.pem', 'tokenEnv: VAULT_TOKEN, caBundle: hooks/sign.sh')));
    expect(codes(text)).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE']);
    expect(text[0].message).toMatch(/holds no PEM certificate/);
  });

  it('reads the caBundle within the bounded reader: a device or a huge file is refused, not read', () => {
    const f = lint(inventory((t) => t.replace('tokenEnv: VAULT_TOKEN, caBundle: tls/ca.pem', 'tokenEnv: VAULT_TOKEN, caBundle: /dev/zero')));
    expect(codes(f)).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE']);
    expect(f[0].message).toMatch(/cannot be read \(EFBIG\)/);
  });

  it('warns of an expired (or not yet valid) CA certificate in a caBundle, once per issuer that uses it', () => {
    const later = lint(inventory(), { now: new Date('2200-01-01T00:00:00Z') });
    expect(codes(later)).toEqual(['ISSUER_CA_BUNDLE_EXPIRED', 'ISSUER_CA_BUNDLE_EXPIRED', 'ISSUER_CA_BUNDLE_EXPIRED']);
    expect(later.every((x) => x.severity === 'warning')).toBe(true);
    expect(later[0].message).toMatch(/^issuer corp-acme: acme\.caBundle tls\/ca\.pem \(.*\) expired on \d{4}-\d\d-\d\d/);
    const earlier = lint(inventory(), { now: new Date('2000-01-01T00:00:00Z') });
    expect(codes(earlier)).toEqual(['ISSUER_CA_BUNDLE_EXPIRED', 'ISSUER_CA_BUNDLE_EXPIRED', 'ISSUER_CA_BUNDLE_EXPIRED']);
    expect(earlier[0].message).toMatch(/is not valid before/);
  });

  it("finds a command issuer's program that is missing, resolved from the inventory's folder as the sign step does", () => {
    const f = lint(inventory((t) => t.replace('./hooks/sign.sh', './issuers/sign-with-step.sh')));
    expect(codes(f)).toEqual(['ISSUER_PROGRAM_MISSING']);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toMatch(/^issuer corp-cmd: command\.run\[0\] '\.\/issuers\/sign-with-step\.sh' \(the program that signs\) does not exist \(paths start at the inventory's folder\)/);
  });

  it('finds a program that is not executable, and a DNS-01 hook that is a folder', () => {
    const f = lint(inventory(undefined, (dir) => chmodSync(join(dir, 'hooks', 'sign.sh'), 0o644)));
    expect(codes(f)).toEqual(['ISSUER_PROGRAM_NOT_EXECUTABLE']);
    expect(f[0].message).toMatch(/command\.run\[0\] '\.\/hooks\/sign\.sh' .* is not executable: chmod \+x it/);
    const hook = lint(inventory((t) => t.replace('dns01Hook: ./hooks/dns-hook.sh', 'dns01Hook: ./hooks')));
    expect(codes(hook)).toEqual(['ISSUER_PROGRAM_NOT_EXECUTABLE']);
    expect(hook[0].message).toMatch(/^issuer corp-acme: acme\.dns01Hook\[0\] '\.\/hooks' \(the DNS-01 hook\) is not a file/);
  });

  it("looks a bare program name up on the PATH the sign step gets (the environment's)", () => {
    const file = inventory((t) => t.replace('run: [./hooks/sign.sh, --profile, uc]', 'run: [sign.sh, --profile, uc]'));
    const missing = lint(file);
    expect(codes(missing)).toEqual(['ISSUER_PROGRAM_MISSING']);
    expect(missing[0].message).toMatch(/command\.run\[0\] 'sign\.sh' \(the program that signs\) is not found on PATH: install it, or give its path/);
    expect(lint(file, { env: { ...ENV, PATH: `/usr/bin:${join(file, '..', 'hooks')}` } })).toEqual([]);
  });

  it('warns of each variable an issuer reads a secret from that is not set (or empty), never showing a value', () => {
    const f = lint(inventory(), { env: { ...ENV, VAULT_TOKEN: undefined, STEP_CA_PASSWORD: '' } });
    expect(codes(f)).toEqual(['ISSUER_ENV_UNSET', 'ISSUER_ENV_UNSET']);
    expect(f.every((x) => x.severity === 'warning')).toBe(true);
    expect(f.map((x) => x.message)).toEqual([
      expect.stringMatching(/^issuer corp-vault: the environment variable VAULT_TOKEN \(vault\.tokenEnv\) is not set here: .* where terraform apply runs/),
      expect.stringMatching(/^issuer corp-cmd: the environment variable STEP_CA_PASSWORD \(command\.secretEnv\[0\]\) is not set here/),
    ]);
    const none = lint(inventory(), { env: { PATH: ENV.PATH } });
    expect(none.map((x) => x.message.match(/variable (\w+)/)?.[1])).toEqual(['ACME_EAB_HMAC', 'ADCS_USER', 'ADCS_PASSWORD', 'VAULT_TOKEN', 'STEP_CA_PASSWORD']);
    const all = JSON.stringify(lint(inventory(), { env: { ...ENV, VAULT_TOKEN: undefined } }));
    for (const value of Object.values(ENV).slice(1)) expect(all).not.toContain(value);
  });

  it('warns of an issuer no certificate names, and does not check what it would need', () => {
    const f = lint(inventory((t) => t.replace('issuer: lab, ca: corp', 'issuer: corp-vault, ca: corp').replace('ca: lab-ca', 'ca: no-such-ca')));
    expect(codes(f)).toEqual(['ISSUER_UNUSED']);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toBe("issuer lab (lab) is declared but no certificate names it: name it in a certificate's issuer, or remove it from issuers");
  });

  it("finds a lab issuer's CA folder that is missing", () => {
    const f = lint(inventory((t) => t.replace('ca: lab-ca', 'ca: no-such-ca')));
    expect(codes(f)).toEqual(['ISSUER_LAB_CA_UNREADABLE']);
    expect(f[0].message).toMatch(/^issuer lab: lab\.ca 'no-such-ca': .*cannot read root\.pem \(ENOENT\)/);
  });

  it("checks, for one cluster's plan, only the issuers its certificates use and warns of no unused one", () => {
    const file = inventory((t) => t.replace('ca: lab-ca', 'ca: no-such-ca').replace('caBundle: tls/ca.pem, credentials', 'caBundle: tls/missing.pem, credentials'));
    expect(codes(lint(file, { cluster: 'dc1' }))).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE']);
    expect(codes(lint(file, { cluster: 'dc2' }))).toEqual(['ISSUER_LAB_CA_UNREADABLE']);
  });

  it('gives every issuer code a severity and a meaning', () => {
    const fired: IssuerLintCode[] = ['ISSUER_CA_BUNDLE_UNREADABLE', 'ISSUER_CA_BUNDLE_EXPIRED', 'ISSUER_LAB_CA_UNREADABLE', 'ISSUER_PROGRAM_MISSING', 'ISSUER_PROGRAM_NOT_EXECUTABLE', 'ISSUER_ENV_UNSET', 'ISSUER_UNUSED'];
    expect(Object.keys(ISSUER_LINT_CODES).sort()).toEqual([...fired].sort());
    for (const [code, [severity, meaning]] of Object.entries(ISSUER_LINT_CODES)) {
      expect(code).toMatch(/^ISSUER_[A-Z_]+$/);
      expect(['error', 'warning']).toContain(severity);
      expect(meaning.length).toBeGreaterThan(20);
    }
  });
});

describe('examples/issued.yaml', () => {
  it("has every file and program its issuers name: with its variables set, only the rehearsal-only lab issuer's unused warning", () => {
    const { declarations, baseDir } = loadInventory(join(ROOT, 'examples', 'issued.yaml'));
    const f = lintIssuers(declarations, { baseDir, env: { ...ENV, PATH: process.env.PATH } });
    expect(codes(f)).toEqual(['ISSUER_UNUSED']);
  });
});

describe('ucrollout lint --inventory', () => {
  const cli = (file: string, env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'ucrollout'), 'lint', '--inventory', file, '--json'], { encoding: 'utf8', env: { ...process.env, ...env } });
  const unset = { ADCS_USER: undefined, ADCS_PASSWORD: undefined, VAULT_TOKEN: undefined, ACME_EAB_HMAC: undefined, STEP_CA_PASSWORD: undefined };

  it('lints the issuers of examples/issued.yaml: no error, the unset variables and the unused issuer as warnings', () => {
    const r = cli(join(ROOT, 'examples', 'issued.yaml'), unset);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.errors).toBe(0);
    expect(codes(report.findings)).toEqual(['ISSUER_ENV_UNSET', 'ISSUER_ENV_UNSET', 'ISSUER_ENV_UNSET', 'ISSUER_ENV_UNSET', 'ISSUER_ENV_UNSET', 'ISSUER_UNUSED']);
  }, 60_000);

  it('fails on an issuer whose caBundle and program are missing, with those codes', () => {
    const file = inventory((t) => t.replace('caBundle: tls/ca.pem, dns01Hook', 'caBundle: tls/none.pem, dns01Hook').replace('./hooks/sign.sh', './hooks/none.sh'));
    const r = cli(file, { ...ENV, PATH: process.env.PATH });
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(codes(report.findings)).toEqual(['ISSUER_CA_BUNDLE_UNREADABLE', 'ISSUER_PROGRAM_MISSING']);
    expect(report.errors).toBe(2);
  }, 60_000);

  it('lists the issuer codes with --codes', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ucrollout'), 'lint', '--codes'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const code of Object.keys(ISSUER_LINT_CODES)) expect(r.stdout).toMatch(new RegExp(`^(error|warning) +${code} `, 'm'));
  }, 60_000);
});
