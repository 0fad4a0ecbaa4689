/**
 * `ucrollout csr --on-node` on the twin of examples/lab.yaml: the node generates the CSR the plan's
 * generate-csr step would ask for and keeps the key; only the CSR is written. A certificate the lab
 * CA signs from it is what the node installs, one signed from a CSR it replaced is refused
 * (DOMAIN.md §5); an existing CSR file is not overwritten without --force; an unreachable node,
 * missing credentials and options for a local key are clear one-line errors.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsrFile, parseCsr } from '../../lib/executor/issued-files';
import { LabCa, createLabCa, issuingCa, signCsr } from '../../lib/pki/lab-ca';
import { writeNodeFaults } from '../../lib/simulator';
import { KEY_MISMATCH, importIdentity } from '../../lib/simulator/cucm/identity';
import { importTrust } from '../../lib/simulator/cucm/trust';
import { InventoryTwin, ROOT, runCli, startInventoryTwin } from '../day2/helpers';

const LAB = join(ROOT, 'examples', 'lab.yaml');
const PUB = 'cs-ccm-pub.example.com';
const SUB = 'cs-ccm-sub.example.com';
const IMP = 'cs-imp.example.com';
/** The CN lab.yaml declares for its multi-server tomcat certificate (commonName). */
const MS_CN = 'cs-ccm-pub.example.com-ms';
const ENV = { UCROLLOUT_USERNAME: 'csradmin', UCROLLOUT_PASSWORD: 'csr-secret-1' };
/** Bound on one command: a CSR on the twin takes well under a second. */
const CLI_MS = 60_000;

describe('ucrollout csr --on-node on the twin of examples/lab.yaml', () => {
  let lab: InventoryTwin;
  let ca: LabCa;
  let work: string;
  const outDir = (name: string) => join(work, name);
  const csr = (args: string[], env: Record<string, string> = ENV) =>
    runCli(['csr', '--inventory', LAB, '--cluster', 'lab', ...args], { ...env, UCROLLOUT_RESOLVE: lab.readyFile }, CLI_MS);
  const readCsr = (path: string): CsrFile => parseCsr(readFileSync(path, 'latin1'), path);
  const chain = () => [issuingCa(ca).certPem, ca.root.certPem];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ucr-csr-on-node-'));
    lab = await startInventoryTwin(LAB, '127.0.101.1', ENV, 'csr-on-node');
    ca = await createLabCa({ commonName: 'CSR On Node Test', intermediate: true });
    // GIVEN the lab CA's chain in tomcat-trust (uploaded on the publisher: every node has it)
    for (const pem of chain()) expect(importTrust(lab.twin.world, PUB, 'tomcat', [pem]).ok).toBe(true);
  });
  afterAll(async () => {
    await lab?.twin.stop();
    if (lab) rmSync(dirname(lab.stateDir), { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has the publisher generate the multi-server tomcat CSR and writes only the CSR', async () => {
    // WHEN the CSR is made on the node
    const out = outDir('ms');
    const r = await csr(['--purpose', 'tomcat', '--on-node', '--out', out]);
    // THEN one file, a CSR with the declared CN and every covered node in its SANs
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['lab-tomcat-ms.csr']);
    const file = readCsr(join(out, 'lab-tomcat-ms.csr'));
    expect(file.commonName).toBe(MS_CN);
    expect(file.dnsNames).toEqual([MS_CN, PUB, SUB, IMP]);
    // AND the publisher holds its key, as its current multi-server tomcat CSR
    const held = lab.twin.world.node(PUB).csrs.tomcat;
    expect(held.distribution).toBe('multi-server');
    expect(held.spki).toBe(file.spki);
    // AND the output says what was done and what comes next
    expect(r.stdout).toContain(`${PUB} generated the multi-server tomcat CSR over the REST API; it keeps the key`);
    expect(r.stdout).toMatch(/next: have the CA sign .*lab-tomcat-ms\.csr/);
    expect(r.stdout).toContain('declare the signed file as certificate:');
    expect(r.stdout).toMatch(/a newer CSR .* makes this one stale/);
  });

  it('refuses to overwrite the CSR file without --force, and asks the node for nothing', async () => {
    // GIVEN the CSR of the first test, current on the publisher
    const out = outDir('ms');
    const before = lab.twin.world.node(PUB).csrs.tomcat.spki;
    // WHEN run again without --force
    const r = await csr(['--purpose', 'tomcat', '--on-node', '--out', out]);
    // THEN exit 2, one line naming the file, the staleness and --force; the node's CSR is unchanged
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lab-tomcat-ms\.csr exists: .*makes that one stale.*pass --force/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(lab.twin.world.node(PUB).csrs.tomcat.spki).toBe(before);
    expect(readCsr(join(out, 'lab-tomcat-ms.csr')).spki).toBe(before);
  });

  it('installs a certificate signed from the newest CSR and refuses one signed from the CSR it replaced', async () => {
    // GIVEN the first CSR, then a newer one with --force
    const out = outDir('ms');
    const older = readFileSync(join(out, 'lab-tomcat-ms.csr'), 'latin1');
    const r = await csr(['--purpose', 'tomcat', '--on-node', '--out', out, '--force']);
    expect(r.code, r.stderr).toBe(0);
    const newer = readFileSync(join(out, 'lab-tomcat-ms.csr'), 'latin1');
    expect(readCsr(join(out, 'lab-tomcat-ms.csr')).spki).not.toBe(parseCsr(older, 'older').spki);
    // WHEN the lab CA signs each and the identity upload gets them on the publisher
    const stale = importIdentity(lab.twin.world, PUB, 'tomcat', [await signCsr(ca, older, { purpose: 'tomcat' }), ...chain()]);
    const current = importIdentity(lab.twin.world, PUB, 'tomcat', [await signCsr(ca, newer, { purpose: 'tomcat' }), ...chain()]);
    // THEN the stale one is refused (public key mismatch), the current one installed on every SAN node
    expect(stale.ok).toBe(false);
    expect(stale.error).toMatch(new RegExp(`^${KEY_MISMATCH}: the certificate was not signed from the current CSR of tomcat`));
    expect(current.error).toBeUndefined();
    expect(current.distribution.map((d) => [d.node, d.ok])).toEqual([
      [PUB, true],
      [SUB, true],
      [IMP, true],
    ]);
  });

  it('has a subscriber generate a single-server CSR over its admin CLI', async () => {
    // WHEN a single-server tomcat CSR is made on the subscriber
    const out = outDir('single');
    const r = await csr(['--purpose', 'tomcat', '--distribution', 'single-server', '--node', SUB, '--on-node', '--out', out]);
    // THEN CN and SAN are the subscriber's FQDN, the subscriber holds the key, and no key was written
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^lab-tomcat-.+\.csr$/);
    const file = readCsr(join(out, files[0]));
    expect(file.commonName).toBe(SUB);
    expect(file.dnsNames).toEqual([SUB]);
    expect(lab.twin.world.node(SUB).csrs.tomcat).toMatchObject({ spki: file.spki, distribution: 'this-server' });
    expect(r.stdout).toContain(`${SUB} generated the single-server tomcat CSR over the admin CLI`);
  });

  it('names an unreachable node in one line, exits 1 and writes nothing', async () => {
    // GIVEN the publisher unreachable
    writeNodeFaults(lab.stateDir, PUB, { unreachable: true });
    try {
      // WHEN a CSR is asked of it
      const out = outDir('unreachable');
      const r = await csr(['--purpose', 'tomcat', '--on-node', '--out', out]);
      // THEN exit 1, after the progress line one error line naming the node, no stack trace, no file
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(new RegExp(`^ucrollout csr: ${PUB.replace(/\./g, '\\.')}: .*; no CSR was written$`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(() => readdirSync(out)).toThrow();
    } finally {
      writeNodeFaults(lab.stateDir, PUB, undefined);
    }
  });

  it('names the credential variables when they are not set, before connecting', async () => {
    const r = await csr(['--purpose', 'tomcat', '--on-node', '--out', outDir('nocreds')], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UCROLLOUT_USERNAME and UCROLLOUT_PASSWORD not set/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses options that only a key made here has', async () => {
    const r = await csr(['--purpose', 'tomcat', '--on-node', '--key-size', '4096', '--out', outDir('keysize')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--key-size is for a key made here: with --on-node the node makes the key/);
  });

  it('without --on-node, makes the key here and points CUCM / IM&P at --on-node', async () => {
    const out = outDir('local');
    const r = await csr(['--purpose', 'tomcat', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['lab-tomcat-ms.csr', 'lab-tomcat-ms.key']);
    expect(r.stdout).toContain('ucrollout csr --on-node');
  });
});
