import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadyFile } from '../../lib/simulator';
import { PUB, WAIT_MS, runUcrollout, tempDir } from './fixtures';

const ENV = { ...process.env, UCROLLOUT_USERNAME: 'twinadmin', UCROLLOUT_PASSWORD: 'twin-secret-1', CMS_ADMIN_USER: 'mmpadmin', CMS_ADMIN_PASSWORD: 'mmp-secret-1' };

const ucrollout = (...args: string[]): ReturnType<typeof runUcrollout> => runUcrollout(ENV, ...args);

const INVENTORY = `clusters:
  - name: lab
    publisher: { fqdn: ${PUB}, version: "15.0" }
cmsClusters:
  - name: meet
    version: "2.9"
    clusterFqdn: cms.example.com
    joinUrl: join.example.com
    xmppDomains: [example.com]
    credentials: { usernameEnv: CMS_ADMIN_USER, passwordEnv: CMS_ADMIN_PASSWORD }
    servers:
      - { fqdn: cms1.example.com, services: [webadmin, callbridge, webbridge, xmpp], databaseRole: primary, ports: { webadmin-https: 445 } }
      - { fqdn: cms2.example.com, services: [webadmin, callbridge], databaseRole: replica }
`;

describe('ucrollout sim with an inventory holding cmsClusters', () => {
  let dir: string;
  let stateDir: string;

  beforeAll(() => {
    dir = tempDir('cms-simcmd');
    stateDir = join(dir, 'state');
    writeFileSync(join(dir, 'inventory.yaml'), INVENTORY);
  });

  afterAll(async () => {
    await ucrollout('sim', 'stop', '--state', stateDir);
  });

  it('starts the CUCM nodes and the Meeting Servers, each on its own address', async () => {
    // WHEN
    const started = await ucrollout(
      'sim', 'start', '--inventory', join(dir, 'inventory.yaml'), '--state', stateDir, '--port-mode', 'dynamic', '--restart-ms', '100', '--address-base', '127.0.33.40',
    );
    // THEN
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`${PUB} at 127.0.33.40: ssh `);
    expect(started.stdout).toMatch(/^cms1\.example\.com at 127\.0\.33\.41: ssh \d+, webadmin-https \d+, sip-tls \d+, webbridge-https \d+, xmpp-tls \d+$/m);
    expect(started.stdout).toMatch(/^cms2\.example\.com at 127\.0\.33\.42: ssh \d+, webadmin-https \d+, sip-tls \d+$/m);
    const ready = JSON.parse(readFileSync(join(stateDir, 'ready.json'), 'utf8')) as ReadyFile;
    expect(Object.keys(ready.nodes)).toEqual([PUB, 'cms1.example.com', 'cms2.example.com']);
  }, 2 * WAIT_MS + 60_000);

  it('sim status describes the Meeting Servers, sim fault takes their names', async () => {
    // WHEN
    const status = await ucrollout('sim', 'status', '--state', stateDir);
    const fault = await ucrollout('sim', 'fault', '--state', stateDir, '--node', 'cms1.example.com', '--restart-fails', 'callbridge');
    const unknown = await ucrollout('sim', 'fault', '--state', stateDir, '--node', 'cms9.example.com', '--unreachable');
    // THEN
    expect(status.stdout).toContain('cms1.example.com (Meeting Server, cluster meet) at 127.0.33.41');
    expect(status.stdout).toMatch(/^ {2}webadmin: presents cms1\.example\.com \(self-signed, sha256 [0-9a-f]{16}…\); configured selfsigned-webadmin\.key selfsigned-webadmin\.crt$/m);
    expect(status.stdout).toContain('  database: primary');
    expect(status.stdout).toContain('  database: replica of cms1.example.com');
    expect(fault.code).toBe(0);
    expect(fault.stdout).toContain('cms1.example.com: {"restartFails":["callbridge"]}');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('cms1.example.com, cms2.example.com');
  }, 60_000);
});
