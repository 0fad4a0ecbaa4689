/**
 * Issue 9, done when (Meeting Server): a Meeting Server certificate issued by a declared issuer,
 * through the real `terraform apply` on the digital twin. examples/cms.yaml with its server-made
 * certificates (webadmin on each server, clustered xmpp) declared with a `command` issuer (an
 * openssl script, run without a shell in the inventory's folder) and that issuer's CA: phase 1
 * makes the keys on the servers, fetches the CSRs and signs them through the issuer (no manual
 * step, no lab signing); the stack is synthesized again and phase 2 installs them; the servers
 * then present, over our own TLS connections, leaves the issuer's CA signed.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CmsClusterPlan, CmsSignStep, VerifyStep, stepResourceName } from '../../lib/platforms';
import { LabCa, createLabCa, issuingCa, writeLabCa } from '../../lib/pki/lab-ca';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';
import { presentedLeaf } from './helpers';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'cms.yaml');
const root = mkdtempSync(join(tmpdir(), 'ucr-e2e-cms-issued-'));
const signLog = join(root, 'sign.log');
let ca: LabCa;
let bench: RehearsalBench;
let phase1: CmsClusterPlan;

const sha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

beforeAll(async () => {
  ca = await createLabCa({ commonName: 'Corp Meeting CA', intermediate: true, keyType: 'EC' });
  const inv = join(root, 'inventory');
  writeLabCa(ca, join(inv, 'ca'));
  writeFileSync(join(inv, 'ca', 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(
    join(inv, 'sign.sh'),
    `#!/bin/sh
set -e
echo "$(pwd)" >> "$SIGN_LOG"
openssl x509 -req -CA ca/issuing.pem -CAkey ca/issuing.key -CAcreateserial -CAserial ca/serial -days 30 -copy_extensions copyall -extfile ca/leaf.ext 2>/dev/null
cat ca/issuing.pem
`,
  );
  chmodSync(join(inv, 'sign.sh'), 0o755);
  writeFileSync(signLog, '');
  // The example as it is, its server-made certificates signed by the issuer, their CA the issuer's.
  const example = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
  example.issuers = [{ name: 'corp-cmd', command: { run: ['./sign.sh'] } }];
  example.certificateAuthorities = [...example.certificateAuthorities, { name: 'corp-cmd-ca', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }];
  example.cmsCertificates = example.cmsCertificates.map((c: Record<string, unknown>) => (c.source === 'server-csr' ? { ...c, issuer: 'corp-cmd', ca: 'corp-cmd-ca' } : c));
  const inventory = join(inv, 'cms.yaml');
  writeFileSync(inventory, JSON.stringify(example, null, 2));
  bench = await prepareRehearsal({ inventory, workDir: join(root, 'work'), certificates: 'on-node', restartMillis: 100, addressBase: '127.0.91.1', env: { SIGN_LOG: signLog } });
}, 180_000);

afterAll(async () => {
  await bench?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** For every verify step: what the server presents on that port now (our own TLS connection), against the plan. */
async function servedVersusPlan(plan: CmsClusterPlan): Promise<{ id: string; served: string; expected: string }[]> {
  const out = [];
  for (const step of plan.steps.filter((s): s is VerifyStep => s.kind === 'verify' && !!s.port)) {
    const node = bench.twin.ready.nodes[step.node];
    out.push({ id: step.id, served: await presentedLeaf(node.address, node.ports[step.port!.name], step.node), expected: step.expectChain![0] });
  }
  return out;
}

const signLines = () => readFileSync(signLog, 'utf8').split('\n').filter(Boolean);

describe('Meeting Server certificates issued by a command issuer through terraform apply on the twin', () => {
  it('phase 1: makes the keys on the servers, fetches the CSRs and has the issuer sign them (no manual step)', async () => {
    phase1 = bench.cmsPlan('meet');
    expect(phase1.certificates.filter((c) => c.awaitingSignature).map((c) => `${c.service} ${c.servers[0]} ${c.issuer}`)).toEqual([
      'webadmin cms1.example.com corp-cmd',
      'webadmin cms2.example.com corp-cmd',
      'webadmin cms3.example.com corp-cmd',
      'xmpp cms1.example.com corp-cmd',
    ]);
    expect(phase1.steps.filter((s) => s.kind === 'manual')).toEqual([]);
    const signs = phase1.steps.filter((s): s is CmsSignStep => s.kind === 'sign');
    expect(signs.map((s) => s.id)).toEqual(['webadmin/sign/cms1', 'webadmin/sign/cms2', 'webadmin/sign/cms3', 'xmpp/sign/cms1']);
    expect(phase1.issuers!.map((i) => i.name)).toEqual(['corp-cmd']);

    const result = await bench.apply('meet');
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(new Set(result.created)).toEqual(new Set(phase1.steps.map((s) => stepResourceName(s.id))));
    // No lab signing: every CSR was signed by the issuer (the rehearsal's lab step finds nothing to sign)
    expect(await bench.signServerCsrs('meet')).toEqual([]);
    // The program ran once per certificate, in the inventory's folder
    expect(signLines()).toEqual(Array(4).fill(join(root, 'inventory')));
    // Each certificate is at its declared path: the issuer's leaf for the CSR's key, then its chain
    const issuing = new X509Certificate(issuingCa(ca).certPem);
    for (const s of signs) {
      const file = join(bench.stackDir('meet'), s.chainFile);
      expect(existsSync(file), s.chainFile).toBe(true);
      const leaf = new X509Certificate(readFileSync(file, 'latin1'));
      expect(leaf.verify(issuing.publicKey), s.id).toBe(true);
      expect(leaf.subjectAltName).toContain(`DNS:${s.commonName}`);
    }
  }, 180_000);

  it('phase 2: installs them; every service presents its planned leaf, the issued ones signed by the issuer', async () => {
    await bench.synth();
    const plan = bench.cmsPlan('meet');
    expect(plan.certificates.some((c) => c.awaitingSignature)).toBe(false);
    const result = await bench.apply('meet');
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    // The sign steps keep their ids and triggers: nothing is signed again
    const signIds = plan.steps.filter((s) => s.kind === 'sign').map((s) => stepResourceName(s.id));
    expect(signIds.length).toBe(4);
    expect(result.created.filter((r) => signIds.includes(r))).toEqual([]);
    expect(signLines().length).toBe(4);
    const served = await servedVersusPlan(plan);
    for (const a of served) expect(a.served, a.id).toBe(a.expected);
    // The issued leaves (webadmin, xmpp) are those the issuer wrote
    const issuedLeaves = plan.certificates.filter((c) => c.issuer).map((c) => sha256(readFileSync(join(bench.stackDir('meet'), c.certificate.file), 'latin1')));
    const webadminXmpp = served.filter((a) => /^(webadmin|xmpp)\//.test(a.id));
    expect(webadminXmpp.length).toBeGreaterThanOrEqual(4);
    for (const a of webadminXmpp) expect(issuedLeaves, a.id).toContain(a.served);
  }, 180_000);
});
