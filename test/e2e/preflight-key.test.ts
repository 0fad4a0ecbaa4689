/**
 * The preflight checks, before the maintenance window, that a certificate declared as a file is
 * for a key the node that receives it holds (DOMAIN.md §2, §5: no private-key import; a newer CSR
 * replaces the older one's key): the node's current CSR of the purpose, or its identity (a
 * re-apply). Otherwise it fails naming the purpose, the file and the fix, and nothing changes on
 * any node. On a CLI publisher (tomcat) and a REST IM&P database publisher (cup-xmpp), on the
 * strict twin; and on the twin given a key folder, whose answer agrees with what it accepts.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../../lib/executor/run-step';
import { CONFIRM_ALL_ENV } from '../../lib/executor/kinds/manual';
import { Declarations } from '../../lib/model';
import { csrContent, generateCsr, writeSecretFile } from '../../lib/pki';
import { LabCa, createLabCa, issuingCa, signCsr } from '../../lib/pki/lab-ca';
import { ClusterPlan, prepareClusterPlan } from '../../lib/platforms';
import { RunningTwin, startTwin } from '../../lib/simulator';
import { KEY_MISMATCH, generateNodeCsr, importIdentity } from '../../lib/simulator/cucm/identity';
import { importTrust } from '../../lib/simulator/cucm/trust';
import { ENV, IMP, PUB, SUB, labDeclarations, tempDir } from '../drivers/helpers';

const TOMCAT = 'certs/tomcat.pem';
const CUP_XMPP = 'certs/cup-xmpp.pem';

interface Bench {
  readonly dir: string;
  readonly ca: LabCa;
  readonly declarations: Declarations;
  readonly twin: RunningTwin;
  /** Plans the declarations as they are now (the certificate files are read here). */
  plan(): ClusterPlan;
  run(id: string, opts?: { finish?: boolean }): ReturnType<typeof runStep>;
  /** What the step runs logged (stderr in the CLI), since the last call. */
  logged(): string;
  /** What every node holds: trust stores, identities, CSRs (services aside). */
  holdings(): string;
  stop(): Promise<void>;
}

async function startBench(addressBase: string, keyFolder: boolean): Promise<Bench> {
  const dir = tempDir('preflight-key');
  mkdirSync(join(dir, 'ca'), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const ca = await createLabCa({ commonName: 'Preflight Key Test', intermediate: true, keyType: 'EC' });
  writeFileSync(join(dir, 'ca', 'root.pem'), ca.root.certPem);
  writeFileSync(join(dir, 'ca', 'issuing.pem'), issuingCa(ca).certPem);
  const declarations = labDeclarations();
  const twin = await startTwin({
    declarations,
    stateDir: join(dir, 'twin'),
    addressBase,
    portMode: 'dynamic',
    restartMillis: 50,
    ...(keyFolder ? { keyDirs: [join(dir, 'keys')] } : {}),
    baseDir: dir,
    env: ENV,
  });
  const planDir = join(dir, 'out');
  const planPath = join(planDir, 'plan.json');
  let lines: string[] = [];
  return {
    dir,
    ca,
    declarations,
    twin,
    plan() {
      rmSync(planDir, { recursive: true, force: true });
      mkdirSync(planDir, { recursive: true });
      const { plan } = prepareClusterPlan(declarations, 'lab', { baseDir: dir, planDir });
      writeFileSync(planPath, JSON.stringify(plan, null, 2));
      return plan;
    },
    run: (id, opts = {}) =>
      runStep({
        planPath,
        stepId: id,
        resolvePath: join(dir, 'twin', 'ready.json'),
        env: { ...ENV, [CONFIRM_ALL_ENV]: '1' },
        sleep: async () => undefined,
        timeouts: { restartMs: 20_000, connectMs: 10_000 },
        dependencies: opts.finish ? 'finish' : 'ignore',
        log: (line) => lines.push(line),
      }),
    logged: () => {
      const text = lines.join('\n');
      lines = [];
      return text;
    },
    holdings: () => JSON.stringify(Object.values(twin.world.state.nodes).map((n) => ({ fqdn: n.fqdn, trust: n.trust, identities: n.identities, csrs: n.csrs }))),
    stop: async () => {
      await twin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A certificate made elsewhere (`ucrollout csr` without --on-node): its key is written to `keyDir` when given. */
async function signedElsewhere(bench: Bench, purpose: string, file: string, keyDir?: string): Promise<void> {
  const csr = await generateCsr({ cluster: bench.declarations.clusters[0], purpose, distribution: 'multi-server' });
  if (keyDir) writeSecretFile(join(keyDir, `${csr.name}.key`), csr.keyPem);
  writeFileSync(join(bench.dir, file), await signCsr(bench.ca, csr.csrPem, { purpose }));
}

/** A certificate signed from the multi-server CSR the node generated now (as `ucrollout csr --on-node` has it do). */
async function signedOnNode(bench: Bench, node: string, purpose: string, file: string): Promise<void> {
  const want = csrContent({ cluster: bench.declarations.clusters[0], purpose, distribution: 'multi-server' });
  const made = await generateNodeCsr(bench.twin.world, node, purpose, { distribution: 'multi-server', commonName: want.commonName, altNames: want.sans });
  if (!made.ok) throw new Error(made.error);
  writeFileSync(join(bench.dir, file), await signCsr(bench.ca, made.value, { purpose }));
}

describe('preflight: a declared certificate must be for a key the node holds (strict twin)', () => {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench('127.0.76.2', false);
  });
  afterAll(async () => {
    await bench?.stop();
  });

  it('fails before the window on the CLI publisher and the REST IM&P node for files made elsewhere, naming the fix; nothing changes on any node', async () => {
    // GIVEN tomcat and cup-xmpp signed from CSRs made off the nodes (the node holds no such key)
    await signedElsewhere(bench, 'tomcat', TOMCAT);
    await signedElsewhere(bench, 'cup-xmpp', CUP_XMPP);
    bench.plan();
    const before = bench.holdings();

    // WHEN the publisher's preflight runs THEN it names the purpose, the file and the fix
    const pub = bench.run('preflight/cs-ccm-pub');
    await expect(pub).rejects.toThrow(/tomcat certificate '\.\.\/certs\/tomcat\.pem' is not for a key this node holds: it holds no tomcat CSR/);
    await expect(pub).rejects.toThrow(/not signed from the node's current CSR \(a newer CSR replaced it, or it was made elsewhere\)/);
    await expect(pub).rejects.toThrow(/ucrollout csr --on-node --inventory <inventory> --cluster lab --purpose tomcat --distribution multi-server --out <dir>.*declare `issuer:`/);
    // AND the IM&P database publisher, over REST, for cup-xmpp
    await expect(bench.run('preflight/cs-imp')).rejects.toThrow(/cs-imp\.example\.com: the cup-xmpp certificate '\.\.\/certs\/cup-xmpp\.pem' is not for a key this node holds/);
    // AND the subscriber, which receives no upload of its own, passes
    await expect(bench.run('preflight/cs-ccm-sub')).resolves.toMatchObject({ changed: false });

    // WHEN the apply reaches the first trust upload (its dependencies run first)
    await expect(bench.run('trust/tomcat-trust/corp-root', { finish: true })).rejects.toThrow(/is not for a key this node holds/);
    // THEN no node changed: no trust upload happened
    expect(bench.holdings()).toBe(before);
  });

  it('passes when each file was signed from the current CSR of the node it goes to, and the upload then accepts it', async () => {
    // GIVEN certificates signed from the CSRs the publisher and the IM&P database publisher generated
    await signedOnNode(bench, PUB, 'tomcat', TOMCAT);
    await signedOnNode(bench, IMP, 'cup-xmpp', CUP_XMPP);
    bench.plan();

    // WHEN the preflights run THEN they pass, saying why
    await bench.run('preflight/cs-ccm-pub');
    expect(bench.logged()).toMatch(/cs-ccm-pub\.example\.com: tomcat '\.\.\/certs\/tomcat\.pem' is for the node's tomcat CSR/);
    await bench.run('preflight/cs-imp');
    expect(bench.logged()).toMatch(/cs-imp\.example\.com: cup-xmpp '\.\.\/certs\/cup-xmpp\.pem' is for the node's cup-xmpp CSR/);
    // AND the tomcat upload (with everything it depends on) installs it on every SAN node
    await bench.run('tomcat/identity/cs-ccm-pub', { finish: true });
    const installed = bench.twin.world.node(PUB).identities.tomcat.sha256;
    for (const n of [PUB, SUB, IMP]) expect(bench.twin.world.node(n).identities.tomcat.sha256).toBe(installed);
  }, 120_000);

  it('passes on a re-apply (the certificate is the identity) though a newer CSR replaced the one it was signed from; fails for one not yet installed', async () => {
    // GIVEN newer tomcat and cup-xmpp CSRs on the nodes, after the files were signed
    const want = (purpose: string) => csrContent({ cluster: bench.declarations.clusters[0], purpose, distribution: 'multi-server' });
    expect((await generateNodeCsr(bench.twin.world, PUB, 'tomcat', { distribution: 'multi-server', commonName: want('tomcat').commonName, altNames: want('tomcat').sans })).ok).toBe(true);
    expect((await generateNodeCsr(bench.twin.world, IMP, 'cup-xmpp', { distribution: 'multi-server', commonName: want('cup-xmpp').commonName, altNames: want('cup-xmpp').sans })).ok).toBe(true);
    const before = bench.holdings();

    // WHEN the preflights run again THEN tomcat, installed, passes by the identity's key
    await bench.run('preflight/cs-ccm-pub');
    expect(bench.logged()).toMatch(/tomcat '\.\.\/certs\/tomcat\.pem' is for the key of its tomcat identity/);
    // AND cup-xmpp, signed from the replaced CSR, fails: the REST node's current CSR is another key
    await expect(bench.run('preflight/cs-imp')).rejects.toThrow(/the cup-xmpp certificate '\.\.\/certs\/cup-xmpp\.pem' is not for a key this node holds: its current cup-xmpp CSR \('show csr own cup-xmpp'\) is for another key/);
    expect(bench.holdings()).toBe(before);
  });
});

describe('preflight on the twin given a key folder (a test convenience): it passes exactly when the upload would accept', () => {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench('127.0.77.2', true);
  });
  afterAll(async () => {
    await bench?.stop();
  });

  it('passes for files whose key is in the folder, and fails for one whose key is not, which the upload refuses too', async () => {
    // GIVEN tomcat made elsewhere with its key in the folder, cup-xmpp made elsewhere without
    await signedElsewhere(bench, 'tomcat', TOMCAT, join(bench.dir, 'keys'));
    await signedElsewhere(bench, 'cup-xmpp', CUP_XMPP);
    bench.plan();

    // WHEN the preflights run THEN tomcat passes (the twin shows the folder's keys as CSRs it holds), cup-xmpp fails
    await bench.run('preflight/cs-ccm-pub');
    expect(bench.logged()).toMatch(/tomcat '\.\.\/certs\/tomcat\.pem' is for the node's tomcat CSR/);
    await expect(bench.run('preflight/cs-imp')).rejects.toThrow(/the cup-xmpp certificate '\.\.\/certs\/cup-xmpp\.pem' is not for a key this node holds/);

    // AND the twin's upload agrees: it takes the tomcat file, and refuses the cup-xmpp one for its key
    const world = bench.twin.world;
    for (const pem of [bench.ca.root.certPem, issuingCa(bench.ca).certPem]) {
      expect(importTrust(world, PUB, 'tomcat', [pem]).ok).toBe(true);
      expect(importTrust(world, IMP, 'cup-xmpp', [pem]).ok).toBe(true);
    }
    expect(importIdentity(world, PUB, 'tomcat', [readFileSync(join(bench.dir, TOMCAT), 'utf8')]).ok).toBe(true);
    const refused = importIdentity(world, IMP, 'cup-xmpp', [readFileSync(join(bench.dir, CUP_XMPP), 'utf8')]);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(new RegExp(KEY_MISMATCH));
  });
});
