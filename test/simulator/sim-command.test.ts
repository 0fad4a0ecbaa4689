import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadyFile } from '../../lib/simulator';
import { CliSession, IMP, PUB, SUB, WAIT_MS, runUcrollout, tempDir } from './fixtures';

const ENV = { ...process.env, UCROLLOUT_USERNAME: 'twinadmin', UCROLLOUT_PASSWORD: 'twin-secret-1' };

const ucrollout = (...args: string[]): ReturnType<typeof runUcrollout> => runUcrollout(ENV, ...args);

const INVENTORY = `clusters:
  - name: lab
    publisher: { fqdn: ${PUB}, version: "15.0" }
    subscribers:
      - { fqdn: ${SUB}, version: "14.0" }
    imPresence:
      databasePublisher: ${IMP}
`;

describe('ucrollout sim start | status | fault | stop', () => {
  let dir: string;
  let stateDir: string;

  beforeAll(() => {
    dir = tempDir('simcmd');
    stateDir = join(dir, 'state');
    writeFileSync(join(dir, 'inventory.yaml'), INVENTORY);
  });

  afterAll(async () => {
    await ucrollout('sim', 'stop', '--state', stateDir);
  });

  it('starts detached, writes the ready files and the pid, and serves', async () => {
    // WHEN
    const started = await ucrollout(
      'sim', 'start', '--inventory', join(dir, 'inventory.yaml'), '--state', stateDir,
      '--ready-file', join(dir, 'ready.json'), '--port-mode', 'dynamic', '--restart-ms', '100', '--address-base', '127.0.27.2',
    );
    // THEN
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`${PUB} at 127.0.27.2: ssh `);
    const ready = JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as ReadyFile;
    expect(ready).toEqual(JSON.parse(readFileSync(join(stateDir, 'ready.json'), 'utf8')));
    expect(readFileSync(join(stateDir, 'twin.pid'), 'utf8').trim()).toBe(String(ready.pid));
    const cli = await CliSession.open(ready, PUB);
    expect(await cli.run('show version active')).toEqual(['Active Master Version: 15.0.1.10000-1']);
    cli.close();
  }, 2 * WAIT_MS + 60_000);

  it('refuses a second start on the same state folder', async () => {
    const again = await ucrollout('sim', 'start', '--inventory', join(dir, 'inventory.yaml'), '--state', stateDir, '--port-mode', 'dynamic');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('a twin already runs');
  });

  it('sets and clears faults from the command line', async () => {
    // WHEN
    const set = await ucrollout('sim', 'fault', '--state', stateDir, '--node', SUB, '--restart-fails', 'Cisco Tomcat', '--slow-ms', '10');
    // THEN
    expect(set.code).toBe(0);
    expect(JSON.parse(readFileSync(join(stateDir, 'faults.json'), 'utf8')).nodes[SUB]).toEqual({ restartFails: ['Cisco Tomcat'], slowMillis: 10 });
    const ready = JSON.parse(readFileSync(join(stateDir, 'ready.json'), 'utf8')) as ReadyFile;
    const cli = await CliSession.open(ready, SUB);
    expect((await cli.run('utils service restart Cisco Tomcat')).slice(-1)).toEqual(['ERROR: Cisco Tomcat failed to start']);
    // WHEN cleared
    expect((await ucrollout('sim', 'fault', '--state', stateDir, '--node', SUB, '--clear')).code).toBe(0);
    expect((await cli.run('utils service restart Cisco Tomcat')).slice(-1)).toEqual(['Cisco Tomcat[STARTED]']);
    cli.close();
    expect((await ucrollout('sim', 'fault', '--state', stateDir, '--node', 'nobody.example.com', '--unreachable')).stderr).toContain('is not in the twin');
    // A misspelt service is refused instead of a fault that never fires
    const typo = await ucrollout('sim', 'fault', '--state', stateDir, '--node', SUB, '--restart-fails', 'Cisco Tomcatt');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("'Cisco Tomcatt' does not run on");
  });

  it('prints per node what it serves', async () => {
    const out = await ucrollout('sim', 'status', '--state', stateDir);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^twin running \(pid \d+\)/);
    expect(out.stdout).toContain(`  tomcat on https: presents ${PUB} (self-signed`);
    expect(out.stdout).toContain(`  cup-xmpp on xmpp-client: presents ${IMP} (self-signed`);
  });

  it('stops the twin and removes the pid file; state stays', async () => {
    const stopped = await ucrollout('sim', 'stop', '--state', stateDir);
    expect(stopped.stdout).toMatch(/twin stopped \(pid \d+\)/);
    expect(existsSync(join(stateDir, 'twin.pid'))).toBe(false);
    expect(existsSync(join(stateDir, 'state.json'))).toBe(true);
    expect((await ucrollout('sim', 'status', '--state', stateDir)).stdout).toMatch(/^twin not running/);
  });
});
