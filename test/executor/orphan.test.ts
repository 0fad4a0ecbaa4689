/**
 * A step whose apply was killed stops too: when its parent (Terraform) dies, `step run` is
 * reparented, notices within a second and exits, so it cannot overlap the next apply's run.
 * The step here hangs in an SSH connect to a loopback server that accepts and never speaks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterPlan, PLAN_FORMAT_VERSION, renderPlanJson } from '../../lib/platforms';
import { packageRoot } from '../../lib/terraform';

const sockets: Socket[] = [];
let server: Server;
afterAll(() => {
  for (const s of sockets) s.destroy();
  server?.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return what();
}

describe('a step run of a killed apply', () => {
  it('exits soon after its parent is killed', async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'orphan-'));
    const plan: ClusterPlan = {
      formatVersion: PLAN_FORMAT_VERSION,
      platform: 'cucm',
      cluster: {
        name: 'lab',
        securityMode: 'non-secure',
        sso: false,
        credentials: { usernameEnv: 'ORPHAN_USER', passwordEnv: 'ORPHAN_PASSWORD' },
        interclusterPeers: [],
        nodes: [{ fqdn: 'pub.example.com', role: 'publisher', platform: 'cucm', address: '127.0.0.1', api: 'cli', services: [], sshHostKeys: [], ports: { ssh: port } }],
      },
      purposes: [],
      certificates: [],
      warnings: [],
      steps: [
        { id: 'preflight/pub', kind: 'preflight', cluster: 'lab', node: 'pub.example.com', purpose: 'cluster', dependsOn: [], description: 'd', command: 'utils service list', reason: 'r', trigger: 't', requireServices: [] },
      ],
    };
    writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
    // A parent shell that starts the step and prints its pid, then is killed as Terraform would be.
    const bin = join(packageRoot(), 'bin', 'ucrollout');
    const parent = spawn('sh', ['-c', `node "$0" step run --plan "$1" preflight/pub 2>"$2" & echo $!; wait`, bin, join(dir, 'plan.json'), join(dir, 'stderr')], {
      env: { ...process.env, ORPHAN_USER: 'u', ORPHAN_PASSWORD: 'p' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    // The step is connecting (the server accepted, SSH never answers).
    expect(await waitFor(() => sockets.length > 0, 30_000)).toBe(true);
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitFor(() => !alive(childPid), 10_000)).toBe(true);
    expect(readFileSync(join(dir, 'stderr'), 'utf8')).toMatch(/the apply that started this step is gone/);
  }, 60_000);
});
