/**
 * The twin on the timing model scaled down (issue 12): with `timeScale`, a restart takes the
 * model's seconds of that service on that node × 1000 × scale ms (the cluster's and the node's
 * `timing` over the platform defaults), instead of the one `restartMillis`; `sim start` and
 * `rehearse` refuse a scale that is not a number > 0 and ≤ 1, or one given with --restart-ms.
 * Bounds hold under load: at least the scaled time, well below the constant the twin would use
 * without the scale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Declarations } from '../../lib/model';
import { RunningTwin, startTwin, twinTiming } from '../../lib/simulator';
import { CMS1, cmsDeclarations } from './cms-fixtures';
import { CliSession, PUB, SUB, TEST_ENV, labDeclarations, runUcrollout, tempDir } from './fixtures';

const SCALE = 0.001;
/** Without the scale every restart would take this: far above every scaled time below. */
const CONSTANT_MS = 8000;
/** Under load a restart over SSH may take longer than its scaled time, never this many times it. */
const SLACK = 4;

function timedLab(): Declarations {
  const lab = labDeclarations();
  const [cluster] = lab.clusters;
  return {
    ...lab,
    clusters: [
      {
        ...cluster,
        timing: { restartSeconds: { 'Cisco CallManager': 300 } },
        nodes: cluster.nodes.map((n) => (n.fqdn === SUB ? { ...n, timing: { restartSeconds: { 'Cisco Tomcat': 900 } } } : n)),
      },
    ],
  };
}

async function timedRestart(session: CliSession, service: string): Promise<{ ms: number; lines: string[] }> {
  const start = performance.now();
  const lines = await session.run(`utils service restart ${service}`);
  return { ms: performance.now() - start, lines };
}

describe('the twin on the scaled timing model', () => {
  let twin: RunningTwin;
  let pub: CliSession;
  let sub: CliSession;

  beforeAll(async () => {
    twin = await startTwin({
      declarations: timedLab(),
      stateDir: tempDir('time-scale'),
      addressBase: '127.0.74.2',
      portMode: 'dynamic',
      restartMillis: CONSTANT_MS,
      timeScale: SCALE,
      env: TEST_ENV,
    });
    pub = await CliSession.open(twin.ready, PUB);
    sub = await CliSession.open(twin.ready, SUB);
  });

  afterAll(async () => {
    pub?.close();
    sub?.close();
    await twin?.stop();
  });

  it("restarts Cisco Tomcat in its 7 min × scale (420 ms at 0.001)", async () => {
    // WHEN
    const { ms, lines } = await timedRestart(pub, 'Cisco Tomcat');
    // THEN
    expect(lines).toContain('Cisco Tomcat[STARTED]');
    expect(ms).toBeGreaterThanOrEqual(420 - 2);
    expect(ms).toBeLessThan(420 * SLACK);
  });

  it("takes the cluster's and the node's timing declarations (CallManager 300 s on the cluster, Tomcat 900 s on the subscriber)", async () => {
    // WHEN both run at once, on two nodes
    const [callManager, subTomcat] = await Promise.all([timedRestart(pub, 'Cisco CallManager'), timedRestart(sub, 'Cisco Tomcat')]);
    // THEN
    expect(callManager.lines).toContain('Cisco CallManager[STARTED]');
    expect(callManager.ms).toBeGreaterThanOrEqual(300 - 2);
    expect(callManager.ms).toBeLessThan(300 * SLACK);
    expect(subTomcat.lines).toContain('Cisco Tomcat[STARTED]');
    expect(subTomcat.ms).toBeGreaterThanOrEqual(900 - 2);
    expect(subTomcat.ms).toBeLessThan(900 * SLACK);
  });

  it('gives every restart the model, Meeting Server services too', () => {
    // GIVEN the model the twin runs on
    const timing = twinTiming({ ...timedLab(), cmsClusters: cmsDeclarations().cmsClusters }, 0.01);
    // THEN
    expect(timing.restartMillis(PUB, 'Cisco Tomcat')).toBeCloseTo(4200);
    expect(timing.restartMillis(PUB, 'Cisco TFTP')).toBeCloseTo(900);
    expect(timing.restartMillis(PUB, 'Cisco DRF Local')).toBeCloseTo(600);
    expect(timing.restartMillis(SUB, 'Cisco Tomcat')).toBeCloseTo(9000);
    expect(timing.restartMillis(SUB, 'Cisco CallManager')).toBeCloseTo(3000);
    expect(timing.restartMillis(CMS1, 'callbridge')).toBeCloseTo(600);
    expect(twin.world.restartMillisOf(PUB, 'Cisco Tomcat')).toBeCloseTo(420);
  });
});

describe('ucrollout sim start --time-scale / rehearse --time-scale', () => {
  let dir: string;
  let inventory: string;

  beforeAll(() => {
    dir = tempDir('time-scale-cli');
    inventory = join(dir, 'inventory.yaml');
    writeFileSync(inventory, `clusters:\n  - name: lab\n    publisher: { fqdn: ${PUB} }\n    subscribers: []\n`);
  });

  it.each(['0', 'abc', '-0.5', '2'])('sim start refuses --time-scale %s', async (scale) => {
    // WHEN
    const r = await runUcrollout(process.env, 'sim', 'start', '--inventory', inventory, '--state', join(dir, `state-${scale}`), '--time-scale', scale, '--port-mode', 'dynamic');
    // THEN
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--time-scale must be a number > 0 and ≤ 1`);
    expect(r.stderr).toContain(`got '${scale}'`);
  });

  it('sim start refuses --time-scale with --restart-ms', async () => {
    const r = await runUcrollout(process.env, 'sim', 'start', '--inventory', inventory, '--state', join(dir, 'state-both'), '--time-scale', '0.01', '--restart-ms', '100');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--time-scale and --restart-ms exclude each other');
  });

  it('rehearse refuses a wrong --time-scale before it starts anything', async () => {
    const zero = await runUcrollout(process.env, 'rehearse', '--inventory', inventory, '--work', join(dir, 'work'), '--time-scale', '0');
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toContain(`--time-scale must be a number > 0 and ≤ 1`);
    const both = await runUcrollout(process.env, 'rehearse', '--inventory', inventory, '--work', join(dir, 'work'), '--time-scale', '0.01', '--restart-ms', '100');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--time-scale and --restart-ms exclude each other');
  });
});
