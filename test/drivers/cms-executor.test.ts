/**
 * The executor of the Meeting Server kinds (mmp, upload-file, download-file) with doneWhen and
 * refuseWhen, on the planner's own steps of the example, against fake servers that answer
 * with captured MMP text (docs/cms.md). The twin tests run the same steps over real sockets.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { CmsClusterPlan, CmsStep, UploadFileStep } from '../../lib/platforms';
import { CMS1, CMS2, EXAMPLE_CERTS, plan, step } from '../cms/helpers';
import { FakeBench, FakeServer, fakeBench, fakeClock } from './cms-fakes';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvSECRETSECRET\n-----END PRIVATE KEY-----\n';
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIICsDCCAZgCAQAw\n-----END CERTIFICATE REQUEST-----\n';

let p: CmsClusterPlan;
let bench: FakeBench;
let cms1: FakeServer;
let cms2: FakeServer;

/** A service status as docs/cms.md prints it. */
const status = (enabled: boolean, key: string, crt: string) => `Enabled            : ${enabled}\nKey file           : ${key}\nCertificate file   : ${crt}\n`;

async function failure(run: Promise<unknown>): Promise<string> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return (e as Error).message;
}

beforeEach(() => {
  p = plan(EXAMPLE_CERTS);
  bench = fakeBench(p);
  cms1 = bench.servers.get(CMS1)!;
  cms2 = bench.servers.get(CMS2)!;
});

afterEach(() => rmSync(bench.dir, { recursive: true, force: true }));

describe('mmp steps', () => {
  it('runs a read-only preflight and reports it changed nothing', async () => {
    cms1.script = (c) => (c === 'pki list' ? 'User supplied certificates and keys:\nwebadmin.key\nwebadmin.crt\n' : 'Unknown command');
    const outcome = await bench.run('preflight/cms1');
    expect(outcome).toEqual({ changed: false, summary: `checked on ${CMS1}: pki list` });
    expect(cms1.commands).toEqual(['pki list']);
  });

  it('makes a key and CSR with pki csr once; done when pki list shows both', async () => {
    const csr = step(p, 'webadmin/csr/cms1', 'mmp');
    const basename = csr.mmp![0].command.split(' ')[2];
    cms1.script = (c, s) => {
      if (c === 'pki list') return [...s.files.keys()].join('\n');
      if (c.startsWith('pki csr ')) {
        s.files.set(`${basename}.key`, Buffer.from(KEY));
        s.files.set(`${basename}.csr`, Buffer.from(CSR));
        return `Created key file ${basename}.key and CSR ${basename}.csr\nCSR file ${basename}.csr ready for download via SFTP`;
      }
      return 'Unknown command';
    };
    expect(await bench.run(csr)).toEqual({ changed: true, summary: `ran on ${CMS1}: ${csr.mmp![0].command}` });
    expect(cms1.commands).toEqual(['pki list', 'pki list', csr.mmp![0].command]);
    cms1.commands.length = 0;
    // WHEN run again THEN doneWhen sees key and CSR: nothing runs
    expect(await bench.run(csr)).toEqual({ changed: false, summary: 'already done' });
    expect(cms1.commands).toEqual(['pki list']);
  });

  it('refuses pki csr over a key of that name without its CSR (it may be in service)', async () => {
    const csr = step(p, 'webadmin/csr/cms1', 'mmp');
    const basename = csr.mmp![0].command.split(' ')[2];
    cms1.script = (c) => (c === 'pki list' ? `${basename}.key\n${basename}.crt\n` : 'should not run');
    const message = await failure(bench.run(csr));
    expect(message).toBe(`${CMS1}: ${csr.refuseWhen!.message}`);
    expect(cms1.commands).toEqual(['pki list', 'pki list']);
  });

  it('fails a check whose output the plan rejects, naming command, expression and output', async () => {
    const check = step(p, 'webadmin/check/cms1', 'mmp');
    cms1.script = (c) => (c.startsWith('pki inspect') ? 'Subject: CN=cms1.example.com\nValid until 2027' : c.startsWith('pki match') ? 'Key and certificate do not match' : 'Certificate verified OK');
    const message = await failure(bench.run(check));
    expect(message).toBe(
      `${CMS1}: '${check.mmp![1].command}' printed what the plan rejects (/(do|does|did) not match/); output: "Key and certificate do not match"`,
    );
    // the verify command never ran
    expect(cms1.commands).toEqual([check.mmp![0].command, check.mmp![1].command]);
  });

  it('assigns with disable / certs / enable; done when the status names both files and says enabled', async () => {
    const assign = step(p, 'webadmin/assign/cms1', 'mmp');
    const [, certs] = assign.mmp!.map((c) => c.command);
    const [, , key, crt] = certs.split(' ');
    let enabled = true;
    let files = ['webadmin-old.key', 'webadmin-old.crt'];
    cms1.script = (c) => {
      if (c === 'webadmin') return status(enabled, files[0], files[1]);
      if (c === 'webadmin disable') return (enabled = false), 'webadmin disabled';
      if (c === 'webadmin enable') return (enabled = true), 'webadmin enabled';
      if (c === certs) return (files = [key, crt]), '';
      return 'Unknown command';
    };
    expect((await bench.run(assign)).changed).toBe(true);
    expect(cms1.commands).toEqual(['webadmin', 'webadmin disable', certs, 'webadmin enable']);
    cms1.commands.length = 0;
    expect(await bench.run(assign)).toEqual({ changed: false, summary: 'already done' });
    // a service left disabled with the new files is not done: the step runs again
    enabled = false;
    cms1.commands.length = 0;
    expect((await bench.run(assign)).changed).toBe(true);
    expect(cms1.commands).toEqual(['webadmin', 'webadmin disable', certs, 'webadmin enable']);
  });

  it('re-enables the service when the MMP refuses the certificate, then fails naming both', async () => {
    const assign = step(p, 'webadmin/assign/cms1', 'mmp');
    const certs = assign.mmp![1].command;
    cms1.script = (c) => (c === 'webadmin' ? status(true, 'old.key', 'old.crt') : c === certs ? 'Failure: key and certificate do not match' : 'ok');
    const message = await failure(bench.run(assign));
    expect(message).toBe(
      `${CMS1}: '${certs}' was refused ("Failure: key and certificate do not match"); output: "Failure: key and certificate do not match"; ` +
        `ran 'webadmin enable' so the service runs with its previous certificate; fix the cause and apply again`,
    );
    expect(cms1.commands).toEqual(['webadmin', 'webadmin disable', certs, 'webadmin enable']);
  });

  it('waits for Connected Primary, re-running the status until it shows', async () => {
    const check = step(p, 'database/check-primary/cms1', 'mmp');
    let calls = 0;
    cms1.script = () => (++calls < 3 ? 'Nodes:\n  10.0.0.1 (me) : Initializing\n' : 'Nodes:\n  Node: (me): Connected Primary\n');
    const start = fakeClock.now();
    expect(await bench.run(check)).toEqual({ changed: false, summary: `checked on ${CMS1}: database cluster status` });
    expect(calls).toBe(3);
    expect(fakeClock.now() - start).toBe(4000);
  });

  it('gives up waiting after waitSeconds, saying how long and how often it asked', async () => {
    const check = step(p, 'database/check-primary/cms1', 'mmp');
    expect(check.mmp![0].waitSeconds).toBe(300);
    cms1.script = () => 'Nodes:\n  10.0.0.1 (me) : Connected Replica\n';
    const message = await failure(bench.run(check));
    expect(message).toMatch(
      new RegExp(`^${CMS1}: 'database cluster status' did not print what the plan expects after 300 s \\(151 attempts\\) \\(/\\\\\\(me\\\\\\).*Connected Primary/\\); output: "Nodes: \\| 10.0.0.1 \\(me\\) : Connected Replica"$`),
    );
  });

  it('stops a database step at a refused command: initialize on a server that is not the primary', async () => {
    const init = step(p, 'database/initialize/cms1', 'mmp');
    cms1.script = (c) => (c === 'database cluster initialize' ? 'Failure: this node cannot initialize: it is not the database primary' : '');
    const message = await failure(bench.run(init));
    expect(message).toMatch(/^cms1\.example\.com: 'database cluster initialize' was refused \("Failure: this node cannot initialize/);
  });

  it('skips a restart when the port already presents the planned leaf, and restarts otherwise', async () => {
    const restart = step(p, 'callbridge/restart/cms1', 'mmp');
    cms1.script = () => 'Restarting callbridge';
    cms1.leaves.set(5061, restart.doneWhen!.leafSha256!);
    expect(await bench.run(restart)).toEqual({ changed: false, summary: 'already done' });
    expect(cms1.commands).toEqual([]);
    cms1.leaves.set(5061, sha('old'));
    expect(await bench.run(restart)).toEqual({ changed: true, summary: `ran on ${CMS1}: callbridge restart` });
    // a port that does not answer presents nothing: the restart runs
    cms1.leaves.delete(5061);
    expect((await bench.run(restart)).changed).toBe(true);
  });
});

describe('upload-file', () => {
  /** A copy of a planned upload step with local files that exist and fingerprints that fit. */
  function uploadStep(id: string): UploadFileStep {
    const s = step(p, id, 'upload-file');
    const files = s.files.map((f) => {
      if (!f.file) return f;
      const body = f.content === 'private-key' ? KEY : `-----BEGIN CERTIFICATE-----\n${f.name}\n-----END CERTIFICATE-----\n`;
      bench.writeLocal(f.file, body);
      return f.sha256 ? { ...f, sha256: sha(body) } : f;
    });
    return { ...s, files };
  }

  it('sends key, certificate and bundle; the key with mode 0600; the same bytes again count as done', async () => {
    const up = uploadStep('callbridge/upload/cms2');
    const names = up.files!.map((f) => f.name);
    const outcome = await bench.run(up);
    expect(outcome).toEqual({ changed: true, summary: `sent ${names.join(', ')} to ${CMS2}` });
    expect(cms2.files.get(names[0])!.toString()).toBe(KEY);
    expect(cms2.modes.get(names[0])).toBe(0o600);
    expect(cms2.modes.get(names[1])).toBe(0o644);
    expect(await bench.run(up)).toEqual({ changed: false, summary: 'already done' });
    // no key byte in anything logged
    expect(bench.logged.join('\n')).not.toMatch(/SECRET|PRIVATE KEY/);
  });

  it('refuses to replace a different file of that name (it may be in service)', async () => {
    const up = uploadStep('callbridge/upload/cms2');
    cms2.files.set(up.files![1].name, Buffer.from('another certificate'));
    const message = await failure(bench.run(up));
    expect(message).toMatch(new RegExp(`^${CMS2} already holds ${up.files![1].name.replace(/[.]/g, '\\.')} with other bytes, maybe in service: the plan does not replace it`));
    expect(cms2.files.get(up.files![1].name)!.toString()).toBe('another certificate');
  });

  it('refuses a local file that changed since planning', async () => {
    const up = uploadStep('callbridge/upload/cms2');
    bench.writeLocal(up.files![1].file!, 'edited after the plan was made');
    const message = await failure(bench.run(up));
    expect(message).toMatch(new RegExp(`^File '${up.files![1].file}' changed since the plan was made \\(SHA-256 [0-9a-f]{16}…, planned [0-9a-f]{16}…\\)`));
  });

  it('names a missing private key file by path, never its content', async () => {
    const up = uploadStep('callbridge/upload/cms2');
    const missing = { ...up, files: [{ ...up.files![0], file: 'keys/nowhere.key' }, ...up.files!.slice(1)] };
    expect(await failure(bench.run(missing))).toBe(`Cannot read the private key file 'keys/nowhere.key' the plan sends as ${up.files![0].name} (ENOENT): restore it, or re-plan`);
  });

  it('copies a server-made key from its peer through memory, and says when the peer has none', async () => {
    const up = uploadStep('xmpp/upload/cms2');
    const key = up.files!.find((f) => f.fromNode)!;
    expect(key).toMatchObject({ content: 'private-key', fromNode: CMS1 });
    expect(await failure(bench.run(up))).toBe(`${CMS1} has no ${key.name} to copy to ${CMS2}: the step that makes it there did not run or failed; apply again once it has`);
    cms1.files.set(key.name, Buffer.from(KEY));
    expect((await bench.run(up)).changed).toBe(true);
    expect(cms2.files.get(key.name)!.toString()).toBe(KEY);
    expect(cms2.modes.get(key.name)).toBe(0o600);
  });

  it('overwrites the database files when the plan says so', async () => {
    const copy = step(p, 'database/copy/cms2', 'upload-file');
    for (const f of copy.files!) {
      cms1.files.set(f.name, Buffer.from(`new ${f.name}`));
      cms2.files.set(f.name, Buffer.from(`old ${f.name}`));
    }
    expect((await bench.run(copy)).changed).toBe(true);
    for (const f of copy.files!) expect(cms2.files.get(f.name)!.toString()).toBe(`new ${f.name}`);
  });

  it('refuses a file name with a folder in it', async () => {
    const up = uploadStep('callbridge/upload/cms2');
    const bad = { ...up, files: [{ ...up.files![1], name: '../etc/passwd' }] };
    expect(await failure(bench.run(bad))).toMatch(/^Step callbridge\/upload\/cms2: '\.\.\/etc\/passwd' is not a plain file name/);
  });
});

describe('download-file', () => {
  it('fetches the CSR beside plan.json', async () => {
    const down = step(p, 'webadmin/download-csr/cms1', 'download-file');
    const f = down.files![0];
    cms1.files.set(f.name, Buffer.from(CSR));
    expect(await bench.run(down)).toEqual({ changed: false, summary: `fetched from ${CMS1}: ${f.name} → ${f.file}` });
    expect(readFileSync(join(bench.dir, f.file!), 'utf8')).toBe(CSR);
  });

  it('says which step did not make the file, and refuses what is not a CSR', async () => {
    const down = step(p, 'webadmin/download-csr/cms1', 'download-file');
    const f = down.files![0];
    expect(await failure(bench.run(down))).toBe(`${CMS1} has no ${f.name}: the step that makes it (pki csr) did not run or failed; apply again once it has`);
    cms1.files.set(f.name, Buffer.from('garbage'));
    expect(await failure(bench.run(down))).toBe(`${CMS1}: ${f.name} is not a PEM certificate request (7 bytes): check 'pki list' on the MMP and run the CSR step again`);
    expect(existsSync(join(bench.dir, f.file!))).toBe(false);
  });

  it('never fetches a private key to disk', async () => {
    const down = step(p, 'webadmin/download-csr/cms1', 'download-file');
    const bad = { ...down, files: [{ name: 'webadmin.key', content: 'private-key' as const, file: 'keys/webadmin.key' }] };
    expect(await failure(bench.run(bad))).toBe(`Step webadmin/download-csr/cms1 would fetch the private key webadmin.key to disk: private keys stay on the servers; re-run 'ucrollout plan'`);
    expect(cms1.reads).toEqual([]);
  });
});

describe('kinds and platforms', () => {
  it('refuses a CUCM kind in a Meeting Server plan before connecting anywhere', async () => {
    const odd = { ...step(p, 'preflight/cms1'), kind: 'upload-identity' } as unknown as CmsStep;
    expect(await failure(bench.run(odd))).toBe(
      `Step preflight/cms1 has kind 'upload-identity', which a cms plan of this ucrollout does not run (it runs manual, mmp, upload-file, download-file, sign, verify): the plan is inconsistent or newer, re-run 'ucrollout plan'`,
    );
    expect(cms1.commands).toEqual([]);
  });

  it('names a kind this ucrollout does not know', async () => {
    const odd = { ...step(p, 'preflight/cms1'), kind: 'teleport' } as unknown as CmsStep;
    expect(await failure(bench.run(odd))).toBe(
      `Step preflight/cms1 has kind 'teleport', which a cms plan of this ucrollout does not run (it runs manual, mmp, upload-file, download-file, sign, verify): the plan is inconsistent or newer, re-run 'ucrollout plan'`,
    );
  });
});
