/**
 * Issue 9, done when: the real certificate path through `terraform apply` for `vault` (against
 * its twin of the PKI sign endpoint) and for `command` (a small openssl script run without a
 * shell in the inventory's folder): every node presents the leaf the issuer signed from the CSR
 * its publisher generated, a second apply asks for nothing, and neither the Vault token nor the
 * command's secret reaches a file.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa, createLabCa, issuingCa, writeLabCa } from '../../lib/pki/lab-ca';
import { RehearsalBench } from '../../lib/rehearsal/rehearse';
import { VaultTwin } from '../../lib/simulator/issuers';
import { chainLeaf, filesHolding, issuedBench, issuedInventory, presented, privateKeysOutsideNodes } from './issued-helpers';

/** Applies once, checks every node presents the issued leaf, applies again (nothing), returns the output. */
async function applyAndCheck(bench: RehearsalBench, issuing: string): Promise<string> {
  const first = await bench.apply('lab');
  expect(first.failed).toEqual([]);
  expect(first.exitCode).toBe(0);
  const now = await presented(bench, bench.plan('lab'));
  expect(now.length).toBe(7);
  for (const p of now) expect(p.sha256, p.id).toBe(p.issued);
  const ca = new X509Certificate(issuing);
  for (const f of ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem']) expect(chainLeaf(bench.stackDir('lab'), f).x509.verify(ca.publicKey)).toBe(true);
  const second = await bench.apply('lab');
  expect(second.exitCode).toBe(0);
  expect(second.created).toEqual([]);
  return first.output + second.output;
}

function leafKeysOffNodes(bench: RehearsalBench, work: string): string[] {
  const leaves = ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem'].map((f) => chainLeaf(bench.stackDir('lab'), f).spki);
  return privateKeysOutsideNodes(work)
    .filter((k) => leaves.includes(k.spki))
    .map((k) => k.file);
}

describe('certificates issued by Vault (its twin) through terraform apply on the twin', () => {
  const root = mkdtempSync(join(tmpdir(), 'ucr-e2e-vault-'));
  const TOKEN = 'hvs.E2E-vault-token-never-in-a-file';
  let ca: LabCa;
  let vault: VaultTwin;
  let bench: RehearsalBench;

  beforeAll(async () => {
    ca = await createLabCa({ commonName: 'Corp Vault PKI', intermediate: true, keyType: 'EC' });
    vault = await VaultTwin.start({ ca, token: TOKEN, mount: 'pki', role: 'cucm', allowedDomains: ['example.com'] });
    const inv = join(root, 'inventory');
    mkdirSync(join(inv, 'ca'), { recursive: true });
    writeFileSync(join(inv, 'ca', 'root.pem'), ca.root.certPem);
    writeFileSync(join(inv, 'ca', 'issuing.pem'), issuingCa(ca).certPem);
    writeFileSync(join(inv, 'ca', 'vault-tls.pem'), vault.tlsCaPem);
    const inventory = issuedInventory(
      inv,
      { name: 'corp-vault', vault: { address: vault.address, mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN', caBundle: 'ca/vault-tls.pem', ttl: '720h' } },
      { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] },
    );
    bench = await issuedBench(inventory, join(root, 'work'), '127.0.93.2', { VAULT_TOKEN: TOKEN });
  }, 180_000);

  afterAll(async () => {
    await bench?.stop();
    await vault?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('signs both CSRs once, installs them, and keeps the token and the leaf keys where they belong', async () => {
    const output = await applyAndCheck(bench, issuingCa(ca).certPem);
    // Vault was asked once per certificate, with the CSR's names
    expect(vault.signed.map((s) => s.path).sort()).toEqual(['/v1/pki/sign/cucm', '/v1/pki/sign/cucm']);
    expect(leafKeysOffNodes(bench, join(root, 'work'))).toEqual([]);
    expect(filesHolding(root, [TOKEN])).toEqual([]);
    expect(output).not.toContain(TOKEN);
  }, 300_000);
});

describe('certificates issued by a command (an openssl script) through terraform apply on the twin', () => {
  const root = mkdtempSync(join(tmpdir(), 'ucr-e2e-command-'));
  const SECRET = 'step-ca-password-never-in-a-file';
  let ca: LabCa;
  let bench: RehearsalBench;
  const signLog = join(root, 'sign.log');

  beforeAll(async () => {
    ca = await createLabCa({ commonName: 'Corp Step CA', intermediate: true, keyType: 'EC' });
    const inv = join(root, 'inventory');
    writeLabCa(ca, join(inv, 'ca'));
    writeFileSync(join(inv, 'ca', 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n');
    // As an organisation scripts its CA: openssl against the issuing CA, the chain (leaf first) on stdout.
    writeFileSync(
      join(inv, 'sign.sh'),
      `#!/bin/sh
set -e
[ "$1" = "--profile" ] && [ "$2" = "uc" ] || { echo "usage: sign.sh --profile uc" >&2; exit 64; }
[ -n "$STEP_PASSWORD" ] || { echo "STEP_PASSWORD is not set" >&2; exit 65; }
echo "$(pwd)" >> "$SIGN_LOG"
openssl x509 -req -CA ca/issuing.pem -CAkey ca/issuing.key -CAcreateserial -CAserial ca/serial -days 30 -copy_extensions copyall -extfile ca/leaf.ext 2>/dev/null
cat ca/issuing.pem
`,
    );
    chmodSync(join(inv, 'sign.sh'), 0o755);
    writeFileSync(signLog, '');
    const inventory = issuedInventory(inv, { name: 'corp-cmd', command: { run: ['./sign.sh', '--profile', 'uc'], secretEnv: ['STEP_PASSWORD'] } }, { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
    bench = await issuedBench(inventory, join(root, 'work'), '127.0.94.2', { STEP_PASSWORD: SECRET, SIGN_LOG: signLog });
  }, 180_000);

  afterAll(async () => {
    await bench?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs the program in the inventory's folder once per certificate, installs what it signed, and keeps its secret out", async () => {
    const output = await applyAndCheck(bench, issuingCa(ca).certPem);
    // run in the inventory's folder (its relative paths work), once per certificate, never again on the second apply
    expect(readFileSync(signLog, 'utf8').trim().split('\n')).toEqual([join(root, 'inventory'), join(root, 'inventory')]);
    expect(leafKeysOffNodes(bench, join(root, 'work'))).toEqual([]);
    expect(filesHolding(join(root, 'work'), [SECRET])).toEqual([]);
    expect(output).not.toContain(SECRET);
  }, 300_000);
});
