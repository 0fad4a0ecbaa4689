/**
 * The steps of each service certificate (DOMAIN.md §4, §6), pinned: files over SFTP first;
 * pki inspect / match / verify before assigning; webadmin, webbridge, xmpp, turn disable /
 * certs / enable; callbridge certs then restart; the TLS check on the service port.
 */
import { describe, expect, it } from 'vitest';
import { CMS1, CMS2, CMS3, EXAMPLE_CERTS, commands, has, inOrder, plan, reaches, step } from './helpers';

const b = (p: ReturnType<typeof plan>, service: string, server = CMS1) => p.certificates.find((c) => c.service === service && c.servers.includes(server))!.basename;

describe('one service certificate, per server', () => {
  it('sends the files, checks them, assigns, verifies, in that order', () => {
    // GIVEN a webadmin certificate of cms1 from the CA
    const p = plan([{ service: 'webadmin', server: CMS1 }]);
    // THEN upload → check → assign → verify on port 445 (the server's override)
    inOrder(p, ['preflight/cms1', 'webadmin/upload/cms1', 'webadmin/check/cms1', 'webadmin/assign/cms1', 'webadmin/verify/cms1/webadmin-https']);
  });

  it('sends key, certificate and CA bundle under the basename, the key by path only', () => {
    const p = plan([{ service: 'webadmin', server: CMS1 }]);
    const name = b(p, 'webadmin');
    const files = step(p, 'webadmin/upload/cms1', 'upload-file').files!;
    expect(files.map((f) => [f.name, f.content])).toEqual([
      [`${name}.key`, 'private-key'],
      [`${name}.crt`, 'certificate'],
      [`${name}-bundle.crt`, 'ca-bundle'],
    ]);
    // The private key: a path, no fingerprint (never read into the plan)
    expect(files[0]).toEqual({ name: `${name}.key`, content: 'private-key', file: 'keys/webadmin-cms1.key' });
    // Public files: a path and the SHA-256 of their bytes
    expect(files[1].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(files[2].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(files.every((f) => f.overwrite === undefined)).toBe(true);
  });

  it('runs pki inspect, pki match and pki verify before the assignment', () => {
    const p = plan([{ service: 'webadmin', server: CMS1 }]);
    const n = b(p, 'webadmin');
    expect(commands(p, 'webadmin/check/cms1')).toEqual([`pki inspect ${n}.crt`, `pki match ${n}.key ${n}.crt`, `pki verify ${n}.crt ${n}-bundle.crt`]);
    const [inspect, match, verify] = step(p, 'webadmin/check/cms1', 'mmp').mmp!;
    const ok = (re: readonly string[] | undefined, text: string) => (re ?? []).every((r) => new RegExp(r, 'mi').test(text));
    const bad = (re: readonly string[] | undefined, text: string) => (re ?? []).some((r) => new RegExp(r, 'mi').test(text));
    expect(bad(inspect.reject, 'Certificate has expired')).toBe(true);
    expect(ok(match.expect, 'Key and certificate match') && !bad(match.reject, 'Key and certificate match')).toBe(true);
    expect(bad(match.reject, 'Key and certificate do not match')).toBe(true);
    expect(ok(verify.expect, 'Certificate verified OK') && !bad(verify.reject, 'Certificate verified OK')).toBe(true);
    expect(bad(verify.reject, 'Certificate verification failed')).toBe(true);
  });

  for (const service of ['webadmin', 'webbridge'] as const) {
    it(`${service}: disable, certs, enable; re-enabled if a command fails`, () => {
      const p = plan([{ service, server: CMS1 }]);
      const n = b(p, service);
      expect(commands(p, `${service}/assign/cms1`)).toEqual([`${service} disable`, `${service} certs ${n}.key ${n}.crt ${n}-bundle.crt`, `${service} enable`]);
      expect(step(p, `${service}/assign/cms1`, 'mmp').mmpOnFailure).toEqual([`${service} enable`]);
    });
  }

  it('xmpp and turn: disable, certs, enable', () => {
    const p = plan([{ service: 'xmpp', scope: 'clustered' }, { service: 'turn', server: CMS1 }], {
      servers: [{ fqdn: CMS1, services: ['xmpp', 'turn'] }],
      databaseCertificates: undefined,
    });
    const x = b(p, 'xmpp');
    const t = b(p, 'turn');
    expect(commands(p, 'xmpp/assign/cms1')).toEqual(['xmpp disable', `xmpp certs ${x}.key ${x}.crt ${x}-bundle.crt`, 'xmpp enable']);
    expect(commands(p, 'turn/assign/cms1')).toEqual(['turn disable', `turn certs ${t}.key ${t}.crt ${t}-bundle.crt`, 'turn enable']);
  });

  it('callbridge: certs, then restart as its own step, then the SIP TLS check', () => {
    const p = plan([{ service: 'callbridge', server: CMS2 }]);
    const n = b(p, 'callbridge', CMS2);
    expect(commands(p, 'callbridge/assign/cms2')).toEqual([`callbridge certs ${n}.key ${n}.crt ${n}-bundle.crt`]);
    expect(commands(p, 'callbridge/restart/cms2')).toEqual(['callbridge restart']);
    inOrder(p, ['callbridge/check/cms2', 'callbridge/assign/cms2', 'callbridge/restart/cms2', 'callbridge/verify/cms2/sip-tls']);
    expect(step(p, 'callbridge/verify/cms2/sip-tls', 'verify').port).toEqual({ name: 'sip-tls', port: 5061, handshake: 'tls', keyType: 'RSA' });
  });

  it('webbridge3 (3.x): https certs with the full chain', () => {
    const p = plan([{ service: 'webbridge3', server: CMS1 }], { version: '3.8', xmppDomains: [], servers: [{ fqdn: CMS1, services: ['webbridge3'] }], databaseCertificates: undefined });
    const n = b(p, 'webbridge3');
    expect(commands(p, 'webbridge3/assign/cms1')).toEqual(['webbridge3 disable', `webbridge3 https certs ${n}.key ${n}-fullchain.crt`, 'webbridge3 enable']);
    expect(step(p, 'webbridge3/upload/cms1', 'upload-file').files!.map((f) => f.content)).toEqual(['private-key', 'certificate', 'ca-bundle', 'full-chain']);
  });
});

describe('service ports are data (DOMAIN.md §6)', () => {
  it('verifies webadmin 443, webbridge 443, callbridge 5061, xmpp 5223 by default, and the overrides', () => {
    // GIVEN the example: webadmin moved to 445 on cms1 and cms2, default 443 on cms3
    const p = plan(EXAMPLE_CERTS);
    const port = (id: string) => step(p, id, 'verify').port!.port;
    expect(port('webadmin/verify/cms1/webadmin-https')).toBe(445);
    expect(port('webadmin/verify/cms3/webadmin-https')).toBe(443);
    expect(port('webbridge/verify/cms1/webbridge-https')).toBe(443);
    expect(port('callbridge/verify/cms3/sip-tls')).toBe(5061);
    expect(port('xmpp/verify/cms2/xmpp-tls')).toBe(5223);
    // AND the plan's node records carry every port a driver needs
    expect(p.cluster.nodes[0].ports).toEqual({ 'sip-tls': 5061, ssh: 22, 'webadmin-https': 445, 'webbridge-https': 443, 'xmpp-tls': 5223 });
  });

  it('expects the leaf then the intermediates on the port', () => {
    const p = plan([{ service: 'callbridge', scope: 'clustered' }]);
    const v = step(p, 'callbridge/verify/cms1/sip-tls', 'verify');
    expect(v.kind).toBe('verify');
    expect(v.expectChain).toEqual([p.certificates[0].certificate.sha256, step(p, 'callbridge/upload/cms1', 'upload-file').chain![0].sha256]);
  });

  it('verifies turn only where the server declares its TLS port', () => {
    const p = plan([{ service: 'turn', scope: 'clustered' }], {
      servers: [{ fqdn: CMS1, services: ['turn'], ports: { 'turn-tls': 3478 } }, { fqdn: CMS2, services: ['turn'] }],
      databaseCertificates: undefined,
    });
    expect(step(p, 'turn/verify/cms1/turn-tls', 'verify').port!.port).toBe(3478);
    expect(p.steps.some((s) => s.id.startsWith('turn/verify/cms2'))).toBe(false);
  });
});

describe('clustered certificates change one server at a time', () => {
  it('restarts callbridge on the next peer only after the previous one presents the new certificate', () => {
    const p = plan([{ service: 'callbridge', scope: 'clustered' }]);
    inOrder(p, ['callbridge/verify/cms1/sip-tls', 'callbridge/restart/cms2', 'callbridge/verify/cms2/sip-tls', 'callbridge/restart/cms3']);
    // AND every peer gets the same files (one certificate) before any check
    const names = (s: string) => step(p, `callbridge/upload/${s}`, 'upload-file').files!.map((f) => f.name);
    expect(names('cms2')).toEqual(names('cms1'));
    expect(names('cms3')).toEqual(names('cms1'));
  });

  it('disables xmpp on the next peer only after the previous one is back with the new certificate', () => {
    const p = plan([{ service: 'xmpp', scope: 'clustered' }]);
    inOrder(p, ['xmpp/assign/cms1', 'xmpp/verify/cms1/xmpp-tls', 'xmpp/assign/cms2', 'xmpp/verify/cms2/xmpp-tls', 'xmpp/assign/cms3']);
  });

  it('assigns per-server certificates of different servers independently', () => {
    const p = plan([{ service: 'webadmin', server: CMS1 }, { service: 'webadmin', server: CMS2 }]);
    expect(reaches(p, 'webadmin/assign/cms2', 'webadmin/verify/cms1/webadmin-https')).toBe(false);
    expect(reaches(p, 'webadmin/assign/cms1', 'webadmin/verify/cms2/webadmin-https')).toBe(false);
  });
});

describe('one MMP session per server', () => {
  it('runs the MMP steps of a server one after the other, the database procedure before the services', () => {
    const p = plan(EXAMPLE_CERTS);
    const mmp = p.steps.filter((s) => s.kind === 'mmp' && s.node === CMS2).map((s) => s.id);
    // THEN each MMP step of cms2 runs after the one listed before it (a chain, no two at once)
    inOrder(p, mmp);
    expect(mmp.indexOf('database/join/cms2')).toBeLessThan(mmp.indexOf('webadmin/check/cms2'));
    expect(mmp.indexOf('webadmin/csr/cms2')).toBeLessThan(mmp.indexOf('database/remove/cms2'));
  });

  it('sends files over SFTP before the checks, without waiting for the database procedure', () => {
    const p = plan(EXAMPLE_CERTS);
    expect(reaches(p, 'callbridge/check/cms3', 'callbridge/upload/cms3')).toBe(true);
    expect(reaches(p, 'callbridge/upload/cms3', 'database/remove/cms3')).toBe(false);
    expect(reaches(p, 'callbridge/check/cms3', 'database/join/cms3')).toBe(true);
  });

  it('starts with a preflight on every server', () => {
    const p = plan(EXAMPLE_CERTS);
    for (const s of [CMS1, CMS2, CMS3]) expect(commands(p, `preflight/${s.split('.')[0]}`)).toEqual(['pki list']);
    for (const x of p.steps.filter((s) => !s.id.startsWith('preflight/'))) {
      expect(reaches(p, x.id, 'preflight/cms3'), x.id).toBe(true);
    }
    expect(has(p, 'preflight/cms1')).toBe(true);
  });
});

describe('how a driver tells a step is done', () => {
  it('assign: the service status names the new key and certificate; restart: the port presents the new leaf', () => {
    const p = plan([{ service: 'callbridge', scope: 'clustered' }, { service: 'webadmin', server: CMS1 }]);
    const n = b(p, 'webadmin');
    const done = step(p, 'webadmin/assign/cms1', 'mmp').doneWhen!;
    expect(done.mmp).toBe('webadmin');
    const status = `Enabled : true\nKey file : ${n}.key\nCertificate file : ${n}.crt\n`;
    expect(done.matches!.every((r) => new RegExp(r, 'mi').test(status))).toBe(true);
    expect(done.matches!.every((r) => new RegExp(r, 'mi').test(status.replace(n, 'webadmin')))).toBe(false);
    // A webadmin left disabled by a fault is not done: the step runs again and enables it
    expect(done.matches!.every((r) => new RegExp(r, 'mi').test(status.replace('true', 'false')))).toBe(false);
    const restart = step(p, 'callbridge/restart/cms1', 'mmp').doneWhen!;
    expect(restart.port).toEqual({ name: 'sip-tls', port: 5061, handshake: 'tls', keyType: 'RSA' });
    expect(restart.leafSha256).toBe(p.certificates.find((c) => c.service === 'callbridge')!.certificate.sha256);
  });
});
