/**
 * A real ACME server for the tests: Debian's `pebble`, with `pebble-challtestsrv` as the DNS
 * server it validates DNS-01 against, both on 127.0.0.1 at free ports, external account binding
 * required. The DNS-01 hook is a small script posting to challtestsrv's HTTP API.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loopbackTls } from '../../lib/simulator/issuers';

export const PEBBLE_INSTALLED = spawnSync('sh', ['-c', 'command -v pebble && command -v pebble-challtestsrv'], { encoding: 'utf8' }).status === 0;

/**
 * describe() when pebble is installed. Without it: in CI (process.env.CI) a failing test, so a
 * missing install step is seen; elsewhere the block is skipped with a message.
 */
export function describePebble(name: string, body: () => void): void {
  if (PEBBLE_INSTALLED) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('needs pebble', () => {
        throw new Error('pebble and pebble-challtestsrv are not on PATH: .ci/run installs them (apt-get install pebble)');
      });
    });
  } else {
    console.warn(`skipping "${name}": pebble is not installed (apt-get install pebble)`);
    describe.skip(name, body);
  }
}

export interface Pebble {
  /** The ACME directory URL. */
  readonly directory: string;
  /** The CA of pebble's own HTTPS certificate (the issuer's caBundle). */
  readonly tlsCaPem: string;
  /** challtestsrv's management API, `http://127.0.0.1:<port>`. */
  readonly challtestsrv: string;
  readonly eab: { readonly kid: string; readonly hmacKey: string };
  /** Pebble's issuing root and intermediate (management API). */
  root(): Promise<string>;
  intermediate(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, logFile: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s; its log:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
}

function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 3_000);
    p.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

/** Starts challtestsrv (DNS + management) and pebble (EAB required) in `dir`. */
export async function startPebble(dir: string): Promise<Pebble> {
  const [dnsPort, challMgmt, acmePort, pebbleMgmt] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const tls = await loopbackTls();
  writeFileSync(join(dir, 'pebble-cert.pem'), tls.certPem);
  writeFileSync(join(dir, 'pebble-key.pem'), tls.keyPem);
  const eab = { kid: 'kid-1', hmacKey: randomBytes(32).toString('base64url') };
  writeFileSync(
    join(dir, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${pebbleMgmt}`,
        certificate: join(dir, 'pebble-cert.pem'),
        privateKey: join(dir, 'pebble-key.pem'),
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: true,
        externalAccountMACKeys: { [eab.kid]: eab.hmacKey },
      },
    }),
  );
  const processes: ChildProcess[] = [];
  const launch = (name: string, args: string[], env: Record<string, string>): string => {
    const log = join(dir, `${name}.log`);
    const fd = openSync(log, 'w');
    processes.push(spawn(name, args, { cwd: dir, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } }));
    closeSync(fd);
    return log;
  };
  const stop = async () => {
    await Promise.all(processes.map(stopProcess));
  };
  try {
    const challtestsrv = `http://127.0.0.1:${challMgmt}`;
    const challLog = launch('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${challMgmt}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv6', ''], {});
    await waitFor('pebble-challtestsrv', async () => (await fetch(`${challtestsrv}/set-default-ipv4`, { method: 'POST', body: JSON.stringify({ ip: '127.0.0.1' }) })).ok, challLog);
    const pebbleLog = launch('pebble', ['-config', join(dir, 'pebble-config.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
      PEBBLE_AUTHZREUSE: '0',
    });
    const directory = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor('pebble', async () => (await httpsGet(directory, tls.caPem)).status === 200, pebbleLog);
    const management = (path: string) => async () => {
      const r = await httpsGet(`https://127.0.0.1:${pebbleMgmt}${path}`, tls.caPem);
      if (r.status !== 200) throw new Error(`pebble ${path}: ${r.status}`);
      return r.body;
    };
    return { directory, tlsCaPem: tls.caPem, challtestsrv, eab, root: management('/roots/0'), intermediate: management('/intermediates/0'), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The DNS-01 hook, lego exec-provider style: `hook present|cleanup <fqdn> <value>`, posting to
 * challtestsrv's /set-txt and /clear-txt; every call appended to HOOK_LOG. HOOK_MODE=forget
 * answers 0 without publishing; HOOK_MODE=fail prints its environment's EAB HMAC and exits 1.
 */
export function writeDnsHook(path: string): void {
  writeFileSync(
    path,
    `#!${process.execPath}
const [action, fqdn, value] = process.argv.slice(2);
require('fs').appendFileSync(process.env.HOOK_LOG, JSON.stringify({ action, fqdn, value, cwd: process.cwd() }) + '\\n');
if (process.env.HOOK_MODE === 'fail') { console.error('dns api: 401 for token ' + process.env.ACME_EAB_HMAC); process.exit(1); }
if (process.env.HOOK_MODE === 'forget') process.exit(0);
const body = action === 'present' ? { host: fqdn, value } : { host: fqdn };
fetch(process.env.CHALLTESTSRV_URL + (action === 'present' ? '/set-txt' : '/clear-txt'), { method: 'POST', body: JSON.stringify(body) })
  .then((r) => process.exit(r.ok ? 0 : 1), (e) => { console.error(e.message); process.exit(2); });
`,
  );
  chmodSync(path, 0o755);
}
