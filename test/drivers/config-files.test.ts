import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MAX_CREDENTIALS_FILE_BYTES, loadCredentials } from '../../lib/drivers/credentials';
import { MAX_RESOLVE_MAP_BYTES, endpointFor, loadResolveMap, resolveMapPath } from '../../lib/drivers/resolve';

const REF = { usernameEnv: 'T_USER', passwordEnv: 'T_PASS' };

describe('credentials', () => {
  it('come from the named environment variables and never show the password', () => {
    const c = loadCredentials(REF, '/nowhere', { T_USER: 'admin', T_PASS: 's3cret!' });
    expect(c.username).toBe('admin');
    expect(c.password).toBe('s3cret!');
    expect(c.source).toBe('environment T_USER/T_PASS');
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(inspect(c)).not.toContain('s3cret');
    expect(c.basicAuthorization()).toBe(`Basic ${Buffer.from('admin:s3cret!').toString('base64')}`);
  });

  it('fall back to the declared file, relative to the plan folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cred-'));
    writeFileSync(join(dir, 'creds.json'), JSON.stringify({ username: 'u', password: 'p' }));
    chmodSync(join(dir, 'creds.json'), 0o600);
    const c = loadCredentials({ ...REF, file: 'creds.json' }, dir, {});
    expect([c.username, c.password, c.source]).toEqual(['u', 'p', 'file creds.json']);
  });

  it('name the variables to export when nothing is there, without any value', () => {
    expect(() => loadCredentials(REF, '/nowhere', { T_USER: 'admin' })).toThrow(/T_PASS not set .*export T_USER and T_PASS/);
    const dir = mkdtempSync(join(tmpdir(), 'cred-'));
    writeFileSync(join(dir, 'bad.json'), '{"username": 1}');
    expect(() => loadCredentials({ ...REF, file: 'bad.json' }, dir, {})).toThrow(/must hold JSON/);
  });
});

describe('credentials: what every caller is told', () => {
  it('a missing credential names the variables and the credentials file key, and no step (status and csr --on-node say it too)', () => {
    const err = (() => {
      try {
        loadCredentials(REF, '/nowhere', { T_USER: 'user-value-7' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toBe(
      'No platform admin credentials: T_PASS not set and no credentials file is declared: export T_USER and T_PASS, or declare a JSON file {"username": …, "password": …} as the cluster\'s credentials.file',
    );
    expect(err).not.toMatch(/step/);
    expect(err).not.toContain('user-value-7');
  });

  it('a credentials file that is /dev/zero fails at once, naming the file and the cap', () => {
    const started = Date.now();
    expect(() => loadCredentials({ ...REF, file: '/dev/zero' }, '/nowhere', {})).toThrow(
      `The credentials file '/dev/zero' is larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes (64 KiB)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('resolve map', () => {
  const write = (doc: unknown): string => {
    const dir = mkdtempSync(join(tmpdir(), 'resolve-'));
    writeFileSync(join(dir, 'ready.json'), JSON.stringify(doc));
    return join(dir, 'ready.json');
  };
  const node = { fqdn: 'cs-ccm-pub.example.com', address: 'cs-ccm-pub.example.com', ports: { 'sip-tls': 5071 } };

  it('sends a node to the twin address and port, keeping the FQDN', () => {
    const file = write({
      formatVersion: 1,
      knownHosts: 'known_hosts',
      httpsCa: '/abs/https-ca.pem',
      nodes: { 'CS-CCM-PUB.example.com': { address: '127.0.5.2', ports: { ssh: 2222, https: 8443 } } },
    });
    const map = loadResolveMap(file);
    expect(map.knownHosts).toBe(join(file, '..', 'known_hosts'));
    expect(map.httpsCa).toBe('/abs/https-ca.pem');
    expect(endpointFor(node, 'ssh', 22, map)).toEqual({ fqdn: 'cs-ccm-pub.example.com', host: '127.0.5.2', port: 2222 });
    // A port the map does not list: the node's own override on the twin's address.
    expect(endpointFor(node, 'sip-tls', 5061, map)).toEqual({ fqdn: 'cs-ccm-pub.example.com', host: '127.0.5.2', port: 5071 });
  });

  it('refuses a node missing from the map: a rehearsal must never reach a real node', () => {
    const map = loadResolveMap(write({ formatVersion: 1, nodes: {} }));
    expect(() => endpointFor(node, 'ssh', 22, map)).toThrow(/not in the resolve map.*would reach the real node/);
  });

  it('without a map uses the plan address, override, then default', () => {
    expect(endpointFor(node, 'https', undefined)).toEqual({ fqdn: node.fqdn, host: node.fqdn, port: 8443 });
    expect(endpointFor({ ...node, address: '10.0.0.5' }, 'sip-tls', 5061)).toEqual({ fqdn: node.fqdn, host: '10.0.0.5', port: 5071 });
  });

  it('comes from --resolve, else UCROLLOUT_RESOLVE, and rejects other formats', () => {
    expect(resolveMapPath('a.json', { UCROLLOUT_RESOLVE: 'b.json' })).toBe('a.json');
    expect(resolveMapPath(undefined, { UCROLLOUT_RESOLVE: 'b.json' })).toBe('b.json');
    expect(resolveMapPath(undefined, {})).toBeUndefined();
    expect(() => loadResolveMap(write({ formatVersion: 2, nodes: {} }))).toThrow(/formatVersion 2/);
    expect(() => loadResolveMap(write({ formatVersion: 1, nodes: { a: { address: 'x', ports: { ssh: 0 } } } }))).toThrow(/not a TCP port/);
  });

  it('a resolve map that is /dev/zero fails at once, naming the file and the cap', () => {
    const started = Date.now();
    expect(() => loadResolveMap('/dev/zero')).toThrow(`The resolve map '/dev/zero' is larger than ${MAX_RESOLVE_MAP_BYTES} bytes (4 MiB)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
