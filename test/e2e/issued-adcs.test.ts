/**
 * Issue 9, done when: the same through `terraform apply` for `adcs` against its twin (certsrv web
 * enrollment), including a request that waits for a CA manager and is approved later, and a
 * denied one. Also: a CSR the node replaced while its request waited is never installed (the
 * certificate signed from it would be refused, DOMAIN.md §5); the account's password reaches no file.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../../lib/executor/run-step';
import { decodeSubjectAltNames } from '../../lib/pki/certificate-der';
import { readCsr } from '../../lib/pki/input';
import { stepResourceName } from '../../lib/platforms';
import { LabCa, createLabCa, issuingCa } from '../../lib/pki/lab-ca';
import { RehearsalBench, rehearsalEnv } from '../../lib/rehearsal/rehearse';
import { AdcsTwin } from '../../lib/simulator/issuers';
import { generateNodeCsr } from '../../lib/simulator/cucm/identity';
import { IMP, PUB, SUB, chainLeaf, filesHolding, issuedBench, issuedInventory, presented, privateKeysOutsideNodes } from './issued-helpers';

const USER = 'CORP\\svc-ucrollout';
const PASSWORD = 'Adcs-E2E-Passw0rd-Not-In-Any-File';
const MS_CN = 'cs-ccm-pub-ms.example.com';

describe('certificates issued by AD CS (its twin) through terraform apply on the twin', () => {
  const root = mkdtempSync(join(tmpdir(), 'ucr-e2e-adcs-'));
  const work = join(root, 'work');
  const inv = join(root, 'inventory');
  let ca: LabCa;
  let adcs: AdcsTwin;
  let bench: RehearsalBench;
  let output = '';
  const env = { ADCS_USER: USER, ADCS_PASSWORD: PASSWORD };
  const pendingIds = () => [...adcs.requests.values()].filter((r) => r.status === 'pending').map((r) => r.id);

  beforeAll(async () => {
    ca = await createLabCa({ commonName: 'Corp AD CS', intermediate: true, keyType: 'EC' });
    adcs = await AdcsTwin.start({ ca, username: USER, password: PASSWORD, templates: ['CUCMWebServer'], disposition: 'pending' });
    mkdirSync(join(inv, 'ca'), { recursive: true });
    writeFileSync(join(inv, 'ca', 'root.pem'), ca.root.certPem);
    writeFileSync(join(inv, 'ca', 'issuing.pem'), issuingCa(ca).certPem);
    writeFileSync(join(inv, 'ca', 'adcs-tls.pem'), adcs.tlsCaPem);
    const inventory = issuedInventory(
      inv,
      { name: 'corp-adcs', adcs: { url: adcs.url, template: 'CUCMWebServer', caBundle: 'ca/adcs-tls.pem', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' } } },
      { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] },
    );
    bench = await issuedBench(inventory, work, '127.0.92.2', env);
  }, 180_000);

  afterAll(async () => {
    await bench?.stop();
    await adcs?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stops at the sign steps while the CA holds the requests, naming the request ids to approve', async () => {
    // WHEN applied while the template needs a CA manager's approval
    const result = await bench.apply('lab');
    output += result.output;
    // THEN the apply stops at both sign steps, each naming its pending request; nothing is installed
    expect(result.exitCode).not.toBe(0);
    const ids = pendingIds();
    expect(ids.length).toBe(2);
    const failed = new Map(result.failed.map((f) => [f.resource, f.message]));
    expect([...failed.keys()].sort()).toEqual([stepResourceName('CallManager/sign/cs-ccm-pub'), stepResourceName('tomcat/sign/cs-ccm-pub')].sort());
    for (const message of failed.values()) expect(message).toMatch(new RegExp(`request (${ids.join('|')}) .*is pending at the CA`));
    expect(bench.twin.world.node(PUB).identities.tomcat.selfSigned).toBe(true);
  }, 300_000);

  let approvedLeaf = '';

  it('installs nothing from a CSR the node replaced meanwhile, and takes the request a CA manager approved', async () => {
    // GIVEN the tomcat CSR replaced on the publisher behind the plan (its key is gone), and the
    // CallManager request approved by a CA manager (tomcat's request is the one whose CSR names the IM&P node)
    const requests = [...adcs.requests.values()];
    const tomcatId = requests.find((r) => csrNames(r.csrPem).includes(IMP))!.id;
    const cmId = requests.find((r) => r.id !== tomcatId)!.id;
    const replaced = await generateNodeCsr(bench.twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: MS_CN, altNames: [MS_CN, PUB, SUB, IMP] });
    expect(replaced.ok).toBe(true);
    await adcs.approve(cmId);
    const submissions = adcs.submissions;
    // WHEN applied again
    const result = await bench.apply('lab');
    output += result.output;
    // THEN tomcat's sign step refuses the stale CSR before asking the CA; CallManager's fetches the
    // approved request (no new one is filed) and saves its chain; the window waits for every sign
    // step, so nothing is installed yet
    expect(result.exitCode).not.toBe(0);
    const failed = new Map(result.failed.map((f) => [f.resource, f.message]));
    expect([...failed.keys()]).toEqual([stepResourceName('tomcat/sign/cs-ccm-pub')]);
    expect(failed.get(stepResourceName('tomcat/sign/cs-ccm-pub'))).toMatch(/no longer holds the key of issued\/tomcat-g0\.csr: a newer tomcat CSR replaced it/);
    expect(adcs.submissions).toBe(submissions);
    approvedLeaf = chainLeaf(bench.stackDir('lab'), 'issued/CallManager-g0.pem').x509.fingerprint256;
    for (const n of [PUB, SUB, IMP]) expect(bench.twin.world.node(n).identities.tomcat.selfSigned).toBe(true);
    expect(bench.twin.world.node(PUB).identities.CallManager.selfSigned).toBe(true);
  }, 300_000);

  it('reports a request the CA denies, and installs nothing', async () => {
    // GIVEN a fresh tomcat CSR, made by the step the message names, and a CA manager who denies it
    const stepEnv = { ...process.env, ...env, ...rehearsalEnv(bench.readyFile, bench.credentials) };
    const regenerated = await runStep({ planPath: join(bench.stackDir('lab'), 'plan.json'), stepId: 'tomcat/csr/cs-ccm-pub', env: stepEnv });
    expect(regenerated.changed).toBe(true);
    adcs.disposition = 'deny';
    // WHEN applied
    const result = await bench.apply('lab');
    output += result.output;
    // THEN the tomcat request (a new one: the pending one was for the replaced CSR) is denied, with the CA's message
    expect(result.exitCode).not.toBe(0);
    const failed = new Map(result.failed.map((f) => [f.resource, f.message]));
    expect([...failed.keys()]).toEqual([stepResourceName('tomcat/sign/cs-ccm-pub')]);
    expect(failed.get(stepResourceName('tomcat/sign/cs-ccm-pub'))).toMatch(/denied/);
    for (const n of [PUB, SUB, IMP]) expect(bench.twin.world.node(n).identities.tomcat.selfSigned).toBe(true);
  }, 300_000);

  it('with the CA issuing, installs both (CallManager the approved one) and every node presents its leaf', async () => {
    adcs.disposition = 'issue';
    // WHEN applied
    const result = await bench.apply('lab');
    output += result.output;
    // THEN everything is done and each port presents the leaf the sign step saved, issued by the AD CS CA
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    const plan = bench.plan('lab');
    const now = await presented(bench, plan);
    expect(now.length).toBe(7);
    const issuing = new X509Certificate(issuingCa(ca).certPem);
    for (const p of now) expect(p.sha256, p.id).toBe(p.issued);
    for (const f of ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem']) expect(chainLeaf(bench.stackDir('lab'), f).x509.verify(issuing.publicKey)).toBe(true);
    // AND the CallManager certificate installed is the one approved after it waited
    expect(chainLeaf(bench.stackDir('lab'), 'issued/CallManager-g0.pem').x509.fingerprint256).toBe(approvedLeaf);
    // AND a second apply asks the CA for nothing
    const submissions = adcs.submissions;
    const again = await bench.apply('lab');
    output += again.output;
    expect(again.exitCode).toBe(0);
    expect(again.created).toEqual([]);
    expect(adcs.submissions).toBe(submissions);
  }, 300_000);

  it('keeps the leaf keys on the nodes and the password out of every file and log', () => {
    const leaves = ['issued/tomcat-g0.pem', 'issued/CallManager-g0.pem'].map((f) => chainLeaf(bench.stackDir('lab'), f).spki);
    expect(privateKeysOutsideNodes(work).filter((k) => leaves.includes(k.spki))).toEqual([]);
    expect(filesHolding(root, [PASSWORD])).toEqual([]);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});

/** The DNS subjectAltNames of a CSR. */
function csrNames(csrPem: string): string[] {
  const san = readCsr(Buffer.from(csrPem), 'csr').getExtension('2.5.29.17');
  return san ? decodeSubjectAltNames(Buffer.from(san.value)).dns : [];
}
