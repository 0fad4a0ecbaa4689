/**
 * Issue 10 on the digital twin: `ucrollout status` before any change (self-signed, drift),
 * its Prometheus lines against what the nodes hold, an unreachable and a slow node, bad input
 * (exit 3), and that a status changes nothing; `ucrollout discover` of the twin of
 * examples/large.yaml gives an inventory with the same nodes, roles, services and security
 * mode, which plans.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStatus } from '../../lib/day2/collect';
import { discoverCluster } from '../../lib/day2/discover';
import { exitCodeOf } from '../../lib/day2/status';
import { loadResolveMap } from '../../lib/drivers/resolve';
import { loadInventory } from '../../lib/inventory';
import { prepareRolloutPlan } from '../../lib/platforms';
import { writeNodeFaults } from '../../lib/simulator';
import { parseCert } from '../../lib/simulator/core/certificate';
import { InventoryTwin, ROOT, runCli, startInventoryTwin } from './helpers';

const LAB = join(ROOT, 'examples', 'lab.yaml');
const LARGE = join(ROOT, 'examples', 'large.yaml');
const PUB = 'cs-ccm-pub.example.com';
const SUB = 'cs-ccm-sub.example.com';
const IMP = 'cs-imp.example.com';
const ENV = { UCROLLOUT_USERNAME: 'day2admin', UCROLLOUT_PASSWORD: 'day2-secret-1' };

describe('ucrollout status on the twin of examples/lab.yaml, before any change', () => {
  let lab: InventoryTwin;
  const cli = (...args: string[]) => runCli(['status', '--inventory', LAB, ...args], { ...ENV, UCROLLOUT_RESOLVE: lab.readyFile });

  beforeAll(async () => {
    lab = await startInventoryTwin(LAB, '127.0.72.1', ENV, 'lab');
  });
  afterAll(async () => {
    await lab?.twin.stop();
    if (lab) rmSync(dirname(lab.stateDir), { recursive: true, force: true });
  });

  it('shows the self-signed certificates each node holds and presents, and drift for what is declared', async () => {
    // GIVEN a twin whose nodes hold their self-signed certificates
    // WHEN status reads it
    const { report } = await collectStatus(lab.declarations, { baseDir: lab.baseDir, env: ENV, resolveMap: loadResolveMap(lab.readyFile), now: new Date() });
    // THEN every identity is self-signed and presented; tomcat and CallManager drift where declared, the rest is unmanaged
    const nodes = report.clusters[0].nodes;
    expect(nodes.map((n) => [n.fqdn, n.reachable])).toEqual([
      [PUB, true],
      [SUB, true],
      [IMP, true],
    ]);
    for (const n of nodes) {
      const state = lab.twin.world.node(n.fqdn);
      for (const id of n.identities) {
        expect(id.selfSigned, `${n.fqdn} ${id.purpose}`).toBe(true);
        expect(id.sha256).toBe(state.identities[id.purpose].sha256);
        expect(id.state).toBe(['tomcat', 'CallManager'].includes(id.purpose) && !(n.fqdn === IMP && id.purpose === 'CallManager') ? 'drift' : 'unmanaged');
      }
      const tomcat = n.identities.find((i) => i.purpose === 'tomcat')!;
      expect(tomcat.presented).toBe(tomcat.sha256);
      expect(tomcat.sans).toEqual([n.fqdn]);
      expect(n.identities.find((i) => i.purpose === 'ipsec')!.presented).toBeNull();
      expect(n.trust.length).toBeGreaterThan(0);
    }
    expect(nodes[0].identities.map((i) => i.purpose)).toContain('CAPF');
    expect(report.findings.map((f) => `${f.code} ${f.purpose}`)).toEqual(['drift tomcat', 'drift CallManager']);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('exits 1 on the command line, with the JSON report and the table', async () => {
    const json = await cli('--json');
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.formatVersion).toBe(1);
    expect(report.clusters[0].nodes[1].identities.find((i: { purpose: string }) => i.purpose === 'tomcat').state).toBe('drift');
    const table = await cli();
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/tomcat\s+drift\s+\d{4}-\d\d-\d\d \(\d+ d\)\s+self-signed/);
    expect(table.stdout).toMatch(/^WARNING: 2 finding\(s\)/m);
  });

  it('prints Prometheus lines that carry what the nodes hold', async () => {
    const r = await cli('--format', 'prometheus');
    expect(r.code).toBe(1);
    const value = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));
    const lines = r.stdout.split('\n');
    for (const fqdn of [PUB, SUB, IMP]) {
      const node = lab.twin.world.node(fqdn);
      for (const [purpose, record] of Object.entries(node.identities)) {
        const labels = `{cluster="lab",node="${fqdn}",purpose="${purpose}"}`;
        const expiry = lines.find((l) => l.startsWith(`ucrollout_certificate_expiration_timestamp_seconds${labels} `));
        expect(expiry, `${fqdn} ${purpose}`).toBeDefined();
        expect(value(expiry!)).toBe(Math.floor(Date.parse(parseCert(record.chain[0]).notAfter) / 1000));
        expect(lines).toContain(`ucrollout_certificate_ready${labels} 0`);
      }
      for (const [store, records] of Object.entries(node.trust)) {
        const certs = records.map((t) => ({ fileName: t.fileName, cert: parseCert(t.pem) }));
        for (const { fileName, cert } of certs) {
          const line = lines.find((l) => l.startsWith(`ucrollout_trust_expiration_timestamp_seconds{cluster="lab",node="${fqdn}",store="${store}",subject="${cert.subject}"} `));
          expect(line, `${fqdn} ${store} ${fileName}`).toBeDefined();
          // One series per store and subject: where a store holds two certificates of one subject
          // (made a second apart, say), the series carries the one that expires first.
          const first = Math.min(...certs.filter((c) => c.cert.subject === cert.subject).map((c) => Math.floor(Date.parse(c.cert.notAfter) / 1000)));
          expect(value(line!)).toBe(first);
        }
      }
      expect(lines).toContain(`ucrollout_node_reachable{cluster="lab",node="${fqdn}"} 1`);
    }
    expect(lines.filter((l) => l.startsWith('# TYPE')).length).toBe(4);
  });

  it('changes nothing on the nodes', async () => {
    const before = JSON.stringify(lab.twin.world.state.nodes);
    await cli('--json');
    expect(JSON.stringify(lab.twin.world.state.nodes)).toBe(before);
  });

  it('exits 2 naming an unreachable node, and still reads the others', async () => {
    writeNodeFaults(lab.stateDir, SUB, { unreachable: true });
    try {
      const r = await cli();
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`${SUB}  UNREACHABLE`);
      expect(r.stdout).toMatch(new RegExp(`critical node-unreachable \\(lab: ${SUB.replace(/\./g, '\\.')}\\)`));
      expect(r.stdout).toMatch(/cs-ccm-pub\.example\.com\n\s+purpose/);
      const prom = await cli('--format', 'prometheus');
      expect(prom.stdout).toContain(`ucrollout_node_reachable{cluster="lab",node="${SUB}"} 0`);
    } finally {
      writeNodeFaults(lab.stateDir, SUB, undefined);
    }
  });

  it('bounds each node: a slow node is named unreachable after --timeout', async () => {
    writeNodeFaults(lab.stateDir, IMP, { slowMillis: 400 });
    try {
      const started = Date.now();
      const r = await cli('--json', '--timeout', '2', '--parallel', '2');
      expect(r.code).toBe(2);
      const imp = JSON.parse(r.stdout).clusters[0].nodes[2];
      expect(imp).toMatchObject({ fqdn: IMP, reachable: false });
      expect(JSON.parse(r.stdout).findings[0].message).toMatch(/no complete answer within 2 s/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      writeNodeFaults(lab.stateDir, IMP, undefined);
    }
  });

  it('exits 3 (unknown) on bad arguments, a bad inventory, or missing credentials', async () => {
    expect((await cli('--warn-days', 'soon')).code).toBe(3);
    expect((await cli('--format', 'xml')).code).toBe(3);
    expect((await runCli(['status', '--inventory', join(ROOT, 'no-such.yaml')])).code).toBe(3);
    const noCredentials = await runCli(['status', '--inventory', LAB], { UCROLLOUT_RESOLVE: lab.readyFile });
    expect(noCredentials.code).toBe(3);
    expect(noCredentials.stderr).toMatch(/export UCROLLOUT_USERNAME and UCROLLOUT_PASSWORD/);
    const help = await runCli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/3 {2}unknown: bad arguments or inventory/);
  });
});

describe('ucrollout discover on the twin of examples/large.yaml', () => {
  let large: InventoryTwin;
  const env = { LARGE_CUCM_USER: 'large-admin', LARGE_CUCM_PASSWORD: 'large-secret-2' };

  beforeAll(async () => {
    large = await startInventoryTwin(LARGE, '127.0.73.1', env, 'large');
  });
  afterAll(async () => {
    await large?.twin.stop();
    if (large) rmSync(dirname(large.stateDir), { recursive: true, force: true });
  });

  it('writes an inventory with the nodes, roles, services and security mode of the original, which plans', async () => {
    // GIVEN the twin of the 1+5, 2 IM&P cluster in mixed mode
    const out = join(dirname(large.stateDir), 'discovered', 'large.yaml');
    // WHEN it is discovered from its publisher through the command line
    const r = await runCli(
      ['discover', '--publisher', 'cucm-pub.corp.example.com', '--out', out, '--name', 'large', '--username-env', 'LARGE_CUCM_USER', '--password-env', 'LARGE_CUCM_PASSWORD'],
      { ...env, UCROLLOUT_RESOLVE: large.readyFile },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^large: 8 node\(s\), security mode mixed/);
    // THEN the inventory declares the same cluster
    const found = loadInventory(out).declarations.clusters[0];
    const original = large.declarations.clusters[0];
    const shape = (c: typeof original) =>
      Object.fromEntries(c.nodes.map((n) => [n.fqdn, { role: n.role, services: [...n.services].sort(), address: n.address, version: n.version }]));
    expect(shape(found)).toEqual(shape(original));
    expect(found.nodes.map((n) => n.role)).toEqual(original.nodes.map((n) => n.role));
    expect(found.securityMode).toBe('mixed');
    expect(found.callManagerIncludeInactiveNodes).toBe(false);
    expect(found.credentials).toEqual(original.credentials);
    // AND it says what it found, per purpose
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/# {3}tomcat: self-signed on cucm-pub, cucm-sub1, .*expires \d{4}-\d\d-\d\d/);
    expect(text).toMatch(/cucm-sub5\.corp\.example\.com run\(s\) no Cisco CallManager/);
    // AND plan, lint and status accept it
    const { declarations, baseDir } = loadInventory(out);
    const { plan } = prepareRolloutPlan(declarations, 'large', { baseDir, planDir: join(dirname(out), 'plan') });
    expect(plan.cluster.nodes.map((n) => n.fqdn)).toEqual(original.nodes.map((n) => n.fqdn));
    expect(plan.steps.length).toBeGreaterThan(0);
    expect((await runCli(['lint', '--inventory', out])).code).toBe(0);
    const status = await runCli(['status', '--inventory', out], { ...env, UCROLLOUT_RESOLVE: large.readyFile });
    expect(status.code, status.stdout).toBe(0);
  });

  it('reads the publisher’s show network cluster in the real shape', async () => {
    const found = await discoverCluster({
      publisher: 'cucm-pub.corp.example.com',
      out: join(dirname(large.stateDir), 'again', 'large.yaml'),
      credentials: { usernameEnv: 'LARGE_CUCM_USER', passwordEnv: 'LARGE_CUCM_PASSWORD' },
      env,
      resolveMap: loadResolveMap(large.readyFile),
    });
    expect(found.nodes.map((n) => [n.fqdn, n.role, n.address])).toEqual(large.declarations.clusters[0].nodes.map((n) => [n.fqdn, n.role, n.address]));
    expect(found.name).toBe('cucm-pub');
    expect(found.certificates.every((c) => c.cert.selfSigned && !c.file)).toBe(true);
  });
});
