/**
 * Issue 10 for Meeting Servers, on the digital twin of examples/cms.yaml: `ucrollout status`
 * before any change (each server's services, what they are configured with and what their
 * ports present; drift for what is declared), an unreachable server (exit 2), and
 * `ucrollout discover --cms` giving the servers and services the example declares.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCms } from '../../lib/day2/cms-discover';
import { collectStatus } from '../../lib/day2/collect';
import { exitCodeOf } from '../../lib/day2/status';
import { loadResolveMap } from '../../lib/drivers/resolve';
import { loadInventory } from '../../lib/inventory';
import { writeNodeFaults } from '../../lib/simulator';
import { InventoryTwin, ROOT, runCli, startInventoryTwin } from './helpers';

const CMS = join(ROOT, 'examples', 'cms.yaml');
const CMS2 = 'cms2.example.com';
const ENV = { CMS_ADMIN_USER: 'cmsday2', CMS_ADMIN_PASSWORD: 'cms-day2-secret-1' };

describe('ucrollout status and discover on the twin of examples/cms.yaml, before any change', () => {
  let cms: InventoryTwin;
  const cli = (...args: string[]) => runCli(['status', '--inventory', CMS, ...args], { ...ENV, UCROLLOUT_RESOLVE: cms.readyFile });

  beforeAll(async () => {
    cms = await startInventoryTwin(CMS, '127.0.96.1', ENV, 'cms');
  });
  afterAll(async () => {
    await cms?.twin.stop();
    if (cms) rmSync(dirname(cms.stateDir), { recursive: true, force: true });
  });

  it('shows what each server is configured with and presents, and drift for the declared certificates', async () => {
    // GIVEN servers whose services run on their self-signed first-boot certificates
    // WHEN status reads them
    const { report } = await collectStatus(cms.declarations, { baseDir: cms.baseDir, env: ENV, resolveMap: loadResolveMap(cms.readyFile), now: new Date() });
    // THEN each declared service is there, self-signed, presented on its port, and drifts (every service has a declaration)
    expect(report.clusters.map((c) => c.name)).toEqual(['meet']);
    const servers = cms.declarations.cmsClusters![0].servers;
    const nodes = report.clusters[0].nodes;
    expect(nodes.map((n) => [n.fqdn, n.reachable])).toEqual(servers.map((s) => [s.fqdn, true]));
    for (const n of nodes) {
      const decl = servers.find((s) => s.fqdn === n.fqdn)!;
      expect(n.identities.map((i) => i.purpose)).toEqual(decl.services);
      expect(n.trust).toEqual([]);
      const twin = cms.twin.world.state.cmsServers![n.fqdn];
      for (const id of n.identities) {
        const record = twin.services[id.purpose as keyof typeof twin.services]!;
        expect(id.selfSigned, `${n.fqdn} ${id.purpose}`).toBe(true);
        expect(id.sha256).toBe(record.presents!.leafSha256);
        expect(id.presented).toBe(id.sha256);
        expect(id.sans).toEqual([n.fqdn]);
        expect(id.notAfter).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(id.state).toBe('drift');
      }
    }
    expect(report.findings.every((f) => f.code === 'drift')).toBe(true);
    expect(report.findings.map((f) => f.purpose).sort()).toEqual(['callbridge', 'webadmin', 'webadmin', 'webadmin', 'webbridge', 'webbridge', 'xmpp'].sort());
    expect(exitCodeOf(report)).toBe(1);
  });

  it('exits 1 on the command line, with the JSON report, the table and the Prometheus lines', async () => {
    const json = await cli('--json');
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.clusters[0].nodes[0].identities.find((i: { purpose: string }) => i.purpose === 'webadmin').state).toBe('drift');
    const table = await cli();
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/callbridge\s+drift\s+\d{4}-\d\d-\d\d \(\d+ d\)\s+self-signed/);
    const prom = await cli('--format', 'prometheus');
    expect(prom.code).toBe(1);
    expect(prom.stdout).toMatch(/^ucrollout_certificate_expiration_timestamp_seconds\{cluster="meet",node="cms3\.example\.com",purpose="xmpp"\} \d+$/m);
    expect(prom.stdout).toContain(`ucrollout_certificate_ready{cluster="meet",node="cms1.example.com",purpose="webbridge"} 0`);
    expect(prom.stdout).toContain(`ucrollout_node_reachable{cluster="meet",node="${CMS2}"} 1`);
  });

  it('exits 2 naming an unreachable server, and still reads the others', async () => {
    writeNodeFaults(cms.stateDir, CMS2, { unreachable: true });
    try {
      const r = await cli('--timeout', '20');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toContain(`${CMS2}  UNREACHABLE`);
      expect(r.stdout).toMatch(new RegExp(`critical node-unreachable \\(meet: ${CMS2.replace(/\./g, '\\.')}\\)`));
      expect(r.stdout).toMatch(/cms1\.example\.com\n\s+purpose/);
      const prom = await cli('--format', 'prometheus');
      expect(prom.stdout).toContain(`ucrollout_node_reachable{cluster="meet",node="${CMS2}"} 0`);
    } finally {
      writeNodeFaults(cms.stateDir, CMS2, undefined);
    }
  });

  it('discover --cms gives the servers and services of examples/cms.yaml, in an inventory that lints, plans and reads', async () => {
    const out = join(dirname(cms.stateDir), 'discovered', 'cms.yaml');
    const servers = cms.declarations.cmsClusters![0].servers;
    // WHEN the servers are discovered through the command line
    const r = await runCli(
      ['discover', '--cms', servers.map((s) => s.fqdn).join(','), '--name', 'meet', '--out', out, '--username-env', 'CMS_ADMIN_USER', '--password-env', 'CMS_ADMIN_PASSWORD'],
      { ...ENV, UCROLLOUT_RESOLVE: cms.readyFile },
    );
    expect(r.code, r.stderr).toBe(0);
    // THEN the inventory declares the same servers with the same services
    const found = loadInventory(out).declarations;
    expect(found.clusters).toEqual([]);
    const cluster = found.cmsClusters![0];
    expect(cluster.name).toBe('meet');
    expect(cluster.version).toBe('2.9');
    expect(cluster.servers.map((s) => [s.fqdn, [...s.services].sort()])).toEqual(servers.map((s) => [s.fqdn, [...s.services].sort()]));
    expect(cluster.servers.map((s) => s.ports['webadmin-https'])).toEqual(servers.map((s) => s.ports['webadmin-https']));
    expect(cluster.servers.map((s) => s.databaseRole)).toEqual(servers.map((s) => s.databaseRole));
    expect(cluster.xmppDomains).toEqual(cms.declarations.cmsClusters![0].xmppDomains);
    const text = readFileSync(out, 'utf8');
    if (process.env.SHOW_DISCOVERED) console.log(text);
    expect(text).toMatch(/databaseRole/);
    expect(text).toMatch(/clusterFqdn/);
    // AND lint, plan and status accept it
    const lint = await runCli(['lint', '--inventory', out], ENV);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const plan = await runCli(['plan', '--inventory', out, '--out', join(dirname(out), 'plan')], ENV);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const status = await runCli(['status', '--inventory', out, '--json'], { ...ENV, UCROLLOUT_RESOLVE: cms.readyFile });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).clusters[0].nodes.flatMap((n: { identities: { state: string }[] }) => n.identities.map((i) => i.state))).toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x === 'unmanaged'));
  });

  it('with --publisher, appends the Meeting Servers to the CUCM inventory it wrote', async () => {
    // GIVEN an inventory a CUCM discovery wrote (here: examples/lab.yaml's text; loading it reads no certificate file)
    const out = join(dirname(cms.stateDir), 'discovered', 'both.yaml');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, readFileSync(join(ROOT, 'examples', 'lab.yaml'), 'utf8'));
    // WHEN the Meeting Servers are discovered into it
    await discoverCms({ servers: ['cms1.example.com', 'CMS3.example.com'], out, clusterName: 'meet', append: true, env: ENV, credentials: { usernameEnv: 'CMS_ADMIN_USER', passwordEnv: 'CMS_ADMIN_PASSWORD' }, resolveMap: loadResolveMap(cms.readyFile) });
    // THEN the file declares both
    const both = loadInventory(out).declarations;
    expect(both.clusters.map((c) => c.name)).toEqual(['lab']);
    expect(both.cmsClusters!.map((c) => [c.name, c.servers.map((s) => s.fqdn)])).toEqual([['meet', ['cms1.example.com', 'cms3.example.com']]]);
  });
});
