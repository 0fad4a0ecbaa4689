/**
 * The plan's lint gate refuses a plan whose issuers miss what their sign steps need (a caBundle,
 * a program), as it refuses certificates with lint errors, before any stack is written; lint
 * false (the plan's override, RolloutStack's `lint: false`) leaves them to the sign step. Its
 * the plan stays the declarations' alone: a variable not set on this machine is `lint`'s warning, not the plan's.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { writeLabCa } from '../../lib/pki/lab-ca';
import { synthDeclarations } from '../../lib/terraform/write-stacks';
import { sharedLabCa, tempDir } from './helpers';

const ROOT = join(__dirname, '..', '..');
const tmp = tempDir('lint-gate');
afterAll(() => tmp.remove());

const INVENTORY = `
issuers:
  - { name: corp-vault, vault: { address: "https://vault.corp.example:8200", mount: pki, role: cucm, tokenEnv: UCR_GATE_TEST_UNSET_TOKEN, caBundle: tls/vault-ca.pem } }
  - { name: corp-cmd, command: { run: [./bin/sign.sh, --profile, uc] } }
clusters:
  - name: dc1
    publisher: cucm-pub.corp.example.com
    subscribers: [cucm-sub1.corp.example.com]
certificateAuthorities:
  - { name: corp, root: ca/root.pem, intermediates: [ca/issuing.pem] }
certificates:
  - { cluster: dc1, purpose: tomcat, distribution: multi-server, issuer: corp-vault, ca: corp }
  - { cluster: dc1, purpose: ipsec, distribution: single-server, node: cucm-pub.corp.example.com, issuer: corp-cmd, ca: corp }
`;

let n = 0;
function inventory(edit: (t: string) => string = (t) => t): string {
  const file = join(tmp.dir, `inventory-${++n}.yaml`);
  writeFileSync(file, edit(INVENTORY));
  return file;
}

function synth(file: string, lint?: boolean): { outdir: string; plans: ReturnType<typeof synthDeclarations> } {
  const { declarations, baseDir } = loadInventory(file);
  const outdir = join(tmp.dir, `out-${n}`);
  return { outdir, plans: synthDeclarations(declarations, { outdir, baseDir, runner: 'ucrollout', ...(lint !== undefined ? { lint } : {}) }) };
}

beforeAll(async () => {
  writeLabCa(await sharedLabCa(), join(tmp.dir, 'ca'));
  mkdirSync(join(tmp.dir, 'tls'), { recursive: true });
  writeFileSync(join(tmp.dir, 'tls', 'vault-ca.pem'), readFileSync(join(tmp.dir, 'ca', 'root.pem')));
  mkdirSync(join(tmp.dir, 'bin'), { recursive: true });
  writeFileSync(join(tmp.dir, 'bin', 'sign.sh'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(tmp.dir, 'bin', 'sign.sh'), 0o755);
}, 60_000);

describe("the plan's lint gate on issuers", () => {
  it('plans when the issuers have their files and programs; an unset variable is not the plan\'s (it is this machine\'s)', () => {
    const { outdir, plans } = synth(inventory());
    expect(plans[0].warnings.map((w) => w.code)).toEqual([]);
    const review = readFileSync(join(outdir, 'stacks', 'dc1', 'PLAN.md'), 'utf8');
    expect(review).not.toContain('ISSUER_ENV_UNSET');
  });

  it('refuses a missing caBundle and a missing program, naming the codes, and writes no stack', () => {
    const file = inventory((t) => t.replace('tls/vault-ca.pem', 'tls/missing.pem').replace('./bin/sign.sh', './bin/missing.sh'));
    let message = '';
    try {
      synth(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/lint ISSUER_CA_BUNDLE_UNREADABLE: issuer corp-vault: vault\.caBundle 'tls\/missing\.pem' does not exist/);
    expect(message).toMatch(/lint ISSUER_PROGRAM_MISSING: issuer corp-cmd: command\.run\[0\] '\.\/bin\/missing\.sh'/);
    expect(existsSync(join(tmp.dir, `out-${n}`))).toBe(false);
  });

  it("refuses the issuers' errors together with the certificates' lint errors", () => {
    const file = inventory((t) => t.replace('tls/vault-ca.pem', 'tls/missing.pem').replace('root: ca/root.pem', 'root: ca/no-root.pem'));
    expect(() => synth(file)).toThrow(/lint ROOT_UNREADABLE[\s\S]*lint ISSUER_CA_BUNDLE_UNREADABLE/);
  });

  it('leaves the issuers to their sign steps with lint false (the override of the lint gate)', () => {
    const file = inventory((t) => t.replace('tls/vault-ca.pem', 'tls/missing.pem'));
    const { plans } = synth(file, false);
    expect(plans[0].steps.some((s) => s.kind === 'sign')).toBe(true);
    expect(plans[0].warnings.map((w) => w.code)).not.toContain('ISSUER_ENV_UNSET');
  });

  it('ucrollout plan refuses it (exit 1), as it does other lint errors', () => {
    const file = inventory((t) => t.replace('./bin/sign.sh', './bin/missing.sh'));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ucrollout'), 'plan', '--inventory', file, '--out', join(tmp.dir, 'cli-out')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/lint ISSUER_PROGRAM_MISSING: issuer corp-cmd: command\.run\[0\] '\.\/bin\/missing\.sh' \(the program that signs\) does not exist/);
    expect(existsSync(join(tmp.dir, 'cli-out'))).toBe(false);
  }, 60_000);
});
