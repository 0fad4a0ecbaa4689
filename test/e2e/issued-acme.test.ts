/**
 * Issue 9, done when: through a real `terraform apply`, a CUCM + IM&P cluster on the twin (no key
 * folder), tomcat and CallManager multi-server issued by `acme` against a real ACME server (pebble,
 * DNS-01 validated through pebble-challtestsrv, the records published by the hook): every node
 * then presents a leaf issued by pebble's CA over TLS; a second apply changes nothing (no second
 * order); raising renewalGeneration issues and installs a new certificate from a fresh CSR. No leaf
 * key ever exists outside the nodes, and the EAB HMAC key reaches no file.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stepResourceName } from '../../lib/platforms';
import { RehearsalBench } from '../../lib/rehearsal/rehearse';
import { Pebble, describePebble, startPebble, writeDnsHook } from '../issuers/pebble';
import { chainLeaf, csrSpki, filesHolding, issuedBench, issuedInventory, presented, privateKeysOutsideNodes } from './issued-helpers';

describePebble('certificates issued by ACME (pebble) through terraform apply on the twin', () => {
  const root = mkdtempSync(join(tmpdir(), 'ucr-e2e-acme-'));
  const work = join(root, 'work');
  const inv = join(root, 'inventory');
  const hookLog = join(root, 'hook.log');
  let pebble: Pebble;
  let bench: RehearsalBench;
  let intermediate: X509Certificate;
  let output = '';
  const presents = () => readFileSync(hookLog, 'utf8').split('\n').filter((l) => l.includes('"present"')).length;

  beforeAll(async () => {
    mkdirSync(join(inv, 'ca'), { recursive: true });
    pebble = await startPebble(root);
    const [rootPem, intermediatePem] = [await pebble.root(), await pebble.intermediate()];
    intermediate = new X509Certificate(intermediatePem);
    writeFileSync(join(inv, 'ca', 'pebble-root.pem'), rootPem);
    writeFileSync(join(inv, 'ca', 'pebble-intermediate.pem'), intermediatePem);
    writeFileSync(join(inv, 'ca', 'acme-tls.pem'), pebble.tlsCaPem);
    writeDnsHook(join(inv, 'dns-hook.js'));
    writeFileSync(hookLog, '');
    const inventory = issuedInventory(
      inv,
      {
        name: 'corp-acme',
        acme: { directory: pebble.directory, email: 'pki@corp.test', caBundle: 'ca/acme-tls.pem', dns01Hook: './dns-hook.js', externalAccountBinding: { kid: pebble.eab.kid, hmacEnv: 'ACME_EAB_HMAC' } },
      },
      { root: 'ca/pebble-root.pem', intermediates: ['ca/pebble-intermediate.pem'] },
    );
    bench = await issuedBench(inventory, work, '127.0.91.2', { CHALLTESTSRV_URL: pebble.challtestsrv, HOOK_LOG: hookLog, ACME_EAB_HMAC: pebble.eab.hmacKey });
  }, 180_000);

  afterAll(async () => {
    await bench?.stop();
    await pebble?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('generates the CSRs on the publisher, pebble signs them through DNS-01, and every node presents its leaf', async () => {
    // GIVEN a plan that asks corp-acme for both certificates, from CSRs made on the publisher
    const plan = bench.plan('lab');
    expect(plan.steps.filter((s) => s.kind === 'generate-csr').map((s) => [s.id, s.node])).toEqual([
      ['CallManager/csr/cs-ccm-pub', 'cs-ccm-pub.example.com'],
      ['tomcat/csr/cs-ccm-pub', 'cs-ccm-pub.example.com'],
    ]);
    // WHEN terraform applies it
    const result = await bench.apply('lab');
    output += result.output;
    // THEN every step ran
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(plan.steps.map((s) => stepResourceName(s.id))));
    // AND each service port presents the leaf the sign step saved, issued by pebble's intermediate
    const now = await presented(bench, plan);
    expect(now.length).toBe(7);
    for (const p of now) {
      expect(p.sha256, p.id).toBe(p.issued);
      expect(p.issuer, p.id).toBe(intermediate.subject.split('\n').reverse().join(', '));
    }
    for (const chainFile of ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem']) {
      const leaf = chainLeaf(bench.stackDir('lab'), chainFile).x509;
      expect(leaf.verify(intermediate.publicKey)).toBe(true);
    }
    // AND the names were validated through the hook: tomcat's 4 (CN + 3 nodes), CallManager's 3 (CN + 2 CUCM nodes)
    expect(presents()).toBe(4 + 3);
  }, 300_000);

  it('keeps every leaf key on the nodes and the EAB key out of every file', () => {
    const leaves = ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem'].map((f) => chainLeaf(bench.stackDir('lab'), f).spki);
    const keys = privateKeysOutsideNodes(work);
    // The only keys outside the twin: the lab CA of the bench, and the ACME account key beside the stack state (0600).
    expect(keys.filter((k) => leaves.includes(k.spki))).toEqual([]);
    expect(keys.map((k) => k.file).filter((f) => !f.startsWith('ca/')).sort()).toEqual(['cdktf.out/stacks/lab/plan.state/issuers/corp-acme/acme-account.key']);
    expect(filesHolding(root, [pebble.eab.hmacKey]).filter((f) => !f.startsWith('pebble-config'))).toEqual([]);
    expect(output).not.toContain(pebble.eab.hmacKey);
  });

  it('changes nothing and orders nothing on a second apply', async () => {
    const before = presents();
    const result = await bench.apply('lab');
    output += result.output;
    expect(result.exitCode).toBe(0);
    expect(result.created).toEqual([]);
    expect(result.reconciled).toBe(true);
    expect(presents()).toBe(before);
  }, 120_000);

  it('issues and installs a new tomcat certificate from a fresh CSR when renewalGeneration is raised', async () => {
    // GIVEN tomcat's renewal generation raised to 1
    const old = bench.plan('lab');
    const oldKey = csrSpki(bench.stackDir('lab'), 'issued/tomcat-g0.csr');
    const oldLeaf = chainLeaf(bench.stackDir('lab'), 'issued/tomcat-g0.pem').sha256;
    bench.redeclare((d) => ({ ...d, certificates: d.certificates.map((c) => (c.purpose === 'tomcat' ? { ...c, renewalGeneration: 1 } : c)) }));
    await bench.synth();
    const next = bench.plan('lab');
    const changed = next.steps.filter((s) => old.steps.find((o) => o.id === s.id)?.trigger !== s.trigger).map((s) => s.id);
    // WHEN applied
    const result = await bench.apply('lab');
    output += result.output;
    // THEN exactly tomcat's steps ran (and the preflights), never CallManager's
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(changed.map(stepResourceName)));
    expect(changed).toContain('tomcat/csr/cs-ccm-pub');
    expect(changed).toContain('tomcat/sign/cs-ccm-pub');
    expect(changed.filter((id) => !id.startsWith('tomcat/') && !id.startsWith('preflight/'))).toEqual([]);
    // AND the new CSR has a new key, the new leaf is presented on every node
    const newKey = csrSpki(bench.stackDir('lab'), 'issued/tomcat-g1.csr');
    expect(newKey).not.toBe(oldKey);
    const now = await presented(bench, next);
    for (const p of now.filter((x) => x.purpose === 'tomcat')) {
      expect(p.sha256, p.id).toBe(p.issued);
      expect(p.sha256, p.id).not.toBe(oldLeaf);
    }
    expect(chainLeaf(bench.stackDir('lab'), 'issued/tomcat-g1.pem').spki).toBe(newKey);
  }, 300_000);
});
