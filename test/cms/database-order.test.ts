/**
 * The database cluster procedure with the built-in CA (DOMAIN.md §4), pinned step by step:
 * remove on all; dbca on the primary; dbserver CSR; dbclient CSR; sign both; copy; certs +
 * localnode + initialize on the primary and check Connected Primary; join; connect.
 */
import { describe, expect, it } from 'vitest';
import { CMS1, CMS2, CMS3, DOMAIN, commands, has, inOrder, plan, reaches, step } from './helpers';

const WITH_CONNECT = {
  servers: [
    { fqdn: CMS1, services: ['callbridge'], databaseRole: 'primary' },
    { fqdn: CMS2, services: ['callbridge'], databaseRole: 'replica' },
    { fqdn: CMS3, services: ['callbridge'], databaseRole: 'connect-only' },
    { fqdn: 'edge.example.com', services: ['turn'], databaseRole: 'none' },
  ],
};

describe('database cluster certificates (DOMAIN.md §4)', () => {
  it('runs the procedure in the exact order of the seed', () => {
    // GIVEN the example: cms1 primary, cms2 and cms3 replicas, databaseCertificates declared
    const p = plan([]);
    // WHEN planned THEN each step runs after the one before it
    inOrder(p, [
      'database/status/cms1',
      'manual/database-outage',
      'database/remove/cms1',
      'database/dbca/cms1',
      'database/csr-dbserver/cms1',
      'database/csr-dbclient/cms1',
      'database/sign/cms1',
      'database/copy/cms2',
      'database/initialize/cms1',
      'database/check-primary/cms1',
      'database/join/cms2',
      'database/verify/cms1',
    ]);
  });

  it('removes every core from the cluster before the built-in CA is made', () => {
    const p = plan([]);
    for (const s of ['cms1', 'cms2', 'cms3']) {
      expect(commands(p, `database/remove/${s}`)).toEqual(['database cluster remove']);
      expect(reaches(p, 'database/dbca/cms1', `database/remove/${s}`)).toBe(true);
    }
  });

  it('makes dbca, dbserver (database nodes as SANs), dbclient (CN:postgres) and signs both on the primary', () => {
    const p = plan([]);
    expect(commands(p, 'database/dbca/cms1')).toEqual([`pki selfsigned dbca CN:${DOMAIN}`]);
    expect(commands(p, 'database/csr-dbserver/cms1')).toEqual([`pki csr dbserver CN:${CMS1} subjectAltName:${CMS1},${CMS2},${CMS3}`]);
    expect(commands(p, 'database/csr-dbclient/cms1')).toEqual(['pki csr dbclient CN:postgres']);
    expect(commands(p, 'database/sign/cms1')).toEqual(['pki sign dbserver dbca', 'pki sign dbclient dbca']);
    for (const id of ['database/dbca/cms1', 'database/csr-dbserver/cms1', 'database/sign/cms1']) expect(step(p, id).node).toBe(CMS1);
  });

  it('copies dbserver to database nodes, dbclient to every connecting server, dbca to all, from the primary', () => {
    // GIVEN a replica, a connect-only server and a server outside the database cluster
    const p = plan([], WITH_CONNECT);
    const names = (id: string) => step(p, id, 'upload-file').files!.map((f) => f.name);
    // THEN the replica gets the server and client pairs and dbca; the connect-only server the client pair and dbca
    expect(names('database/copy/cms2')).toEqual(['dbserver.key', 'dbserver.crt', 'dbclient.key', 'dbclient.crt', 'dbca.crt']);
    expect(names('database/copy/cms3')).toEqual(['dbclient.key', 'dbclient.crt', 'dbca.crt']);
    // AND nothing goes to the primary itself or to a server outside the database cluster
    expect(has(p, 'database/copy/cms1')).toBe(false);
    expect(has(p, 'database/copy/edge')).toBe(false);
    // AND every file comes from the primary over SFTP, replacing last generation's copy
    for (const f of step(p, 'database/copy/cms2', 'upload-file').files!) {
      expect(f).toMatchObject({ fromNode: CMS1, overwrite: true });
      expect(f.sha256).toBeUndefined();
      expect(f.file).toBeUndefined();
    }
    expect(step(p, 'database/copy/cms2', 'upload-file').files!.filter((f) => f.name.endsWith('.key')).every((f) => f.content === 'private-key')).toBe(true);
  });

  it('initializes on the primary with certs + localnode + initialize, then checks Connected Primary', () => {
    const p = plan([]);
    expect(commands(p, 'database/initialize/cms1')).toEqual([
      'database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt',
      'database cluster localnode a',
      'database cluster initialize',
    ]);
    const check = step(p, 'database/check-primary/cms1', 'mmp').mmp![0];
    expect(check.command).toBe('database cluster status');
    // The check matches DOMAIN.md's wording and the real server's padded one
    const re = new RegExp(check.expect![0], 'mi');
    expect(re.test('Node: (me): Connected Primary')).toBe(true);
    expect(re.test('    10.0.0.1 (me)    : Connected Primary')).toBe(true);
    expect(re.test('    10.0.0.1 (me)    : Connected Replica')).toBe(false);
    // AND initialize waits for every copy (the seed copies before step 7)
    expect(reaches(p, 'database/initialize/cms1', 'database/copy/cms3')).toBe(true);
  });

  it('joins replicas and connects connect-only servers after the primary is connected', () => {
    const p = plan([], WITH_CONNECT);
    expect(commands(p, 'database/join/cms2')).toEqual([
      'database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt dbca.crt',
      'database cluster localnode a',
      `database cluster join ${CMS1}`,
    ]);
    expect(commands(p, 'database/connect/cms3')).toEqual(['database cluster certs dbclient.key dbclient.crt dbca.crt', 'database cluster localnode a', `database cluster connect ${CMS1}`]);
    expect(reaches(p, 'database/join/cms2', 'database/check-primary/cms1')).toBe(true);
    expect(reaches(p, 'database/connect/cms3', 'database/check-primary/cms1')).toBe(true);
    expect(reaches(p, 'database/verify/cms1', 'database/join/cms2')).toBe(true);
    expect(reaches(p, 'database/verify/cms1', 'database/connect/cms3')).toBe(true);
    // AND a server with no database role takes no part
    expect(p.steps.filter((s) => s.node === 'edge.example.com' && s.purpose === 'database')).toEqual([]);
  });

  it('uses the declared MMP interface for localnode', () => {
    const p = plan([], { servers: [{ fqdn: CMS1, services: ['callbridge'], databaseRole: 'primary', databaseInterface: 'b' }, { fqdn: CMS2, services: ['callbridge'], databaseRole: 'replica' }] });
    expect(commands(p, 'database/initialize/cms1')[1]).toBe('database cluster localnode b');
    expect(commands(p, 'database/join/cms2')[1]).toBe('database cluster localnode a');
  });

  it('checks the declared primary is the primary before anything is removed', () => {
    const p = plan([]);
    const status = step(p, 'database/status/cms1', 'mmp');
    expect(status.mmp![0].command).toBe('database cluster status');
    const re = new RegExp(status.mmp![0].expect![0], 'mi');
    expect(re.test('10.0.0.1 (me) : Connected Primary')).toBe(true);
    expect(re.test('10.0.0.1 (me) : Connected Replica')).toBe(false);
    expect(reaches(p, 'database/remove/cms2', 'database/status/cms1')).toBe(true);
  });

  it('marks the procedure as an outage of the database cluster, behind a manual confirmation', () => {
    const p = plan([]);
    const outage = p.steps.filter((s) => s.outage === 'database cluster').map((s) => s.id);
    expect(outage).toContain('manual/database-outage');
    expect(outage).toEqual(expect.arrayContaining(['database/remove/cms1', 'database/join/cms3', 'database/verify/cms1']));
    expect(step(p, 'manual/database-outage').kind).toBe('manual');
    expect(p.databaseCertificates).toBe(true);
  });

  it('plans no database step when databaseCertificates is not declared', () => {
    const p = plan([{ service: 'callbridge', scope: 'clustered' }], { databaseCertificates: undefined });
    expect(p.steps.filter((s) => s.purpose === 'database')).toEqual([]);
    expect(p.databaseCertificates).toBe(false);
  });
});
