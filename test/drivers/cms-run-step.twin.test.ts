/**
 * The MMP/SFTP driver and the executor of the Meeting Server kinds against the digital twin,
 * over real sockets: host key pinning and credentials as for CUCM, then every step of the
 * example in plan order through `ucrollout step run` (in-process), both phases; what the
 * twin refuses stops the step with the server's words; steps that check first do nothing twice.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeIdentityError } from '../../lib/drivers/errors';
import { HostKeyPins } from '../../lib/drivers/host-keys';
import { MmpDriver } from '../../lib/drivers/mmp-driver';
import { SftpDriver } from '../../lib/drivers/sftp-driver';
import { StepFailure } from '../../lib/executor/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { journalIds } from '../../lib/executor/state-files';
import { CmsClusterPlan, CmsStep } from '../../lib/platforms';
import { stepOf } from '../plan/helpers';
import { CMS1, CMS2, CMS3, CMS_ENV, CmsLab, startCmsLab } from './cms-twin-lab';

/** The step runner's environment in these tests: the MMP credentials, manual steps confirmed. */
const ENV = { ...CMS_ENV, UCROLLOUT_CONFIRM_ALL: '1' };

let lab: CmsLab;

async function failure(run: Promise<unknown>): Promise<string> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return (e as Error).message;
}

/** Steps that only look, or look first (doneWhen): running them again changes nothing. */
function idempotent(s: CmsStep): boolean {
  return (s.kind === 'mmp' && !!s.doneWhen) || s.kind === 'upload-file' || s.kind === 'download-file' || s.kind === 'verify' || s.kind === 'manual' || /^(preflight|[a-z]+\/check)\//.test(s.id);
}

/** Every step in plan order (dependencies first); the idempotent ones twice. Returns the second runs' summaries. */
async function runAll(plan: CmsClusterPlan, skip: ReadonlySet<string> = new Set()): Promise<Map<string, string>> {
  const again = new Map<string, string>();
  for (const s of plan.steps) {
    if (skip.has(s.id)) continue;
    await lab.run(s.id, { env: ENV });
    if (idempotent(s)) again.set(s.id, (await lab.run(s.id, { env: ENV })).summary);
  }
  return again;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  lab = await startCmsLab('127.0.44.2');
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('the MMP and SFTP driver: identity and credentials as for CUCM', () => {
  it('opens the MMP shell with the host key pinned by the twin known_hosts', async () => {
    expect(await lab.mmp(CMS1, 'pki list')).toMatch(/^User supplied certificates and keys:/m);
  });

  it('refuses a server whose key is not pinned, or not the pinned one', async () => {
    const unpinned = MmpDriver.connect(lab.target(CMS1, new HostKeyPins(CMS1)));
    await expect(unpinned).rejects.toBeInstanceOf(NodeIdentityError);
    await expect(unpinned).rejects.toThrow(/is not pinned: no fingerprint in the plan's sshHostKeys and no known_hosts line for this FQDN/);
    const other = new HostKeyPins(CMS1);
    other.addFingerprints([lab.twin.ready.nodes[CMS2].sshHostKey], "cms2's key");
    await expect(SftpDriver.connect(lab.target(CMS1, other))).rejects.toThrow(/does not match the pinned key\(s\)/);
  });

  it('names the variables to export when the credentials are missing, and says a wrong password was refused', async () => {
    expect(await failure(lab.run('preflight/cms1', { env: {} }))).toBe(
      'No platform admin credentials: CMS_ADMIN_USER and CMS_ADMIN_PASSWORD not set and no credentials file is declared: export CMS_ADMIN_USER and CMS_ADMIN_PASSWORD, or declare a JSON file {"username": …, "password": …} as the cluster\'s credentials.file',
    );
    expect(await failure(lab.run('preflight/cms1', { env: { ...CMS_ENV, CMS_ADMIN_PASSWORD: 'wrong' } }))).toBe(
      `${CMS1}: the SSH login was refused (credentials from environment CMS_ADMIN_USER/CMS_ADMIN_PASSWORD): check the platform admin user and password`,
    );
  });

  it('reads and writes files over SFTP, and says when one is missing', async () => {
    const sftp = await lab.sftp(CMS3);
    try {
      expect(await sftp.readIfExists('nothing-here.crt')).toBeUndefined();
      await sftp.write('probe-file.txt', Buffer.from('hello\n'));
      expect((await sftp.read('probe-file.txt')).toString()).toBe('hello\n');
      await expect(sftp.read('nothing-here.crt')).rejects.toThrow(`${CMS3}: there is no file nothing-here.crt on the server`);
      await expect(sftp.write('../escape.txt', Buffer.from('x'))).rejects.toThrow(/is not a plain file name/);
    } finally {
      sftp.close();
    }
    expect(await lab.mmp(CMS3, 'pki unlink probe-file.txt')).toBe('');
  });
});

describe('the example, step by step against the twin', () => {
  it('phase 1: refuses pki csr over a key of that name without its CSR; then makes and fetches every CSR', async () => {
    const plan = lab.plan();
    const csr = stepOf(plan, 'webadmin/csr/cms3', 'mmp');
    const key = `${csr.mmp![0].command.split(' ')[2]}.key`;
    // GIVEN cms3 holds a key of the planned basename without its CSR (maybe in service)
    const sftp = await lab.sftp(CMS3);
    try {
      await sftp.write(key, readFileSync(join(lab.dir, 'keys', readdirSync(join(lab.dir, 'keys'))[0])), 0o600);
    } finally {
      sftp.close();
    }
    // WHEN its CSR step runs THEN it is refused with the plan's message, and pki csr never ran
    expect(await failure(lab.run(csr.id))).toBe(`${CMS3}: ${csr.refuseWhen!.message}`);
    expect(await lab.mmp(CMS3, 'pki list')).not.toMatch(/\.csr/);
    await lab.mmp(CMS3, `pki unlink ${key}`);

    // WHEN every step of phase 1 runs in order
    const again = await runAll(plan);
    // THEN the CSR steps are done on a second run, and each CSR is beside the plan
    for (const s of plan.steps.filter((x) => x.kind === 'mmp' && x.doneWhen)) expect(again.get(s.id), s.id).toBe('already done');
    for (const s of plan.steps.filter((x) => x.kind === 'download-file')) {
      expect(readFileSync(join(lab.planDir, s.files![0].file!), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    }
    expect(await lab.signCsrs()).toHaveLength(4);
  }, 60_000);

  it('phase 2: refusals stop the step with the server words and leave the service running', async () => {
    const plan = lab.replan();
    expect(plan.certificates.some((c) => c.awaitingSignature)).toBe(false);
    // run everything up to the webbridge assignment on cms1
    const upTo = plan.steps.findIndex((s) => s.id === 'webbridge/assign/cms1');
    const before = plan.steps.slice(0, upTo).filter((s) => !s.dependsOn.includes('webbridge/assign/cms1'));
    const done = new Set<string>();
    for (const s of before) {
      await lab.run(s.id, { env: ENV });
      done.add(s.id);
    }
    const assign = stepOf(plan, 'webbridge/assign/cms1', 'mmp');
    const certs = assign.mmp![1].command;
    const [, , key, crt, bundle] = certs.split(' ');
    const callbridgeKey = stepOf(plan, 'callbridge/upload/cms1', 'upload-file').files.find((f) => f.content === 'private-key')!.name;

    // GIVEN a plan whose webbridge certs names another service's key
    const wrongKey = lab.variant('plan-wrong-key', {
      ...plan,
      steps: plan.steps.map((s) => (s.id === assign.id && s.kind === 'mmp' ? { ...s, mmp: s.mmp.map((c) => (c.command === certs ? { command: `webbridge certs ${callbridgeKey} ${crt} ${bundle}` } : c)) } : s)),
    });
    // WHEN it runs THEN the MMP's refusal stops it, webbridge is enabled again with its old certificate
    const message = await failure(lab.run(assign.id, { planPath: wrongKey }));
    expect(message).toMatch(new RegExp(`^${CMS1}: 'webbridge certs ${callbridgeKey} ${crt} ${bundle}' was refused \\("ERROR: the key ${callbridgeKey} does not match the certificate ${crt}"\\)`));
    expect(message).toMatch(/; ran 'webbridge enable' so the service runs with its previous certificate; fix the cause and apply again$/);
    const status = await lab.mmp(CMS1, 'webbridge');
    expect(status).toMatch(/^Enabled\s*:\s*true$/m);
    expect(status).not.toMatch(new RegExp(key.replace('.', '\\.')));

    // GIVEN a plan that would send other bytes under a name already on the server
    const upload = stepOf(plan, 'webbridge/upload/cms1', 'upload-file');
    const crtFile = upload.files!.find((f) => f.content === 'certificate')!;
    const other = upload.files!.find((f) => f.content === 'ca-bundle')!;
    const clash = lab.variant('plan-clash', { ...plan, steps: plan.steps.map((s) => (s.id === upload.id ? { ...s, files: [{ ...other, name: crtFile.name }] } : s)) });
    expect(await failure(lab.run(upload.id, { planPath: clash }))).toMatch(
      new RegExp(`^${CMS1} already holds ${crtFile.name.replace('.', '\\.')} with other bytes, maybe in service: the plan does not replace it`),
    );

    // WHEN the rest of the plan runs THEN every step succeeds, the checks twice
    const again = await runAll(plan, done);
    for (const [id, summary] of again) {
      const s = plan.steps.find((x) => x.id === id)!;
      if ((s.kind === 'mmp' && s.doneWhen) || s.kind === 'upload-file') expect(summary, id).toBe('already done');
      if (s.kind === 'verify') expect(summary, id).toMatch(/presents the new chain/);
    }
  }, 120_000);

  it('leaves the database cluster whole, every step journaled, and no key in the plan folder', async () => {
    expect(await lab.mmp(CMS1, 'database cluster status')).toMatch(/\(me\)\s*:\s*Connected Primary/);
    for (const replica of [CMS2, CMS3]) expect(await lab.mmp(replica, 'database cluster status')).toMatch(/\(me\)\s*:\s*Connected Replica/);
    // the key made on cms1 for xmpp reached its peers (copied server to server)
    const xmppKey = stepOf(lab.plan(), 'xmpp/upload/cms2', 'upload-file').files.find((f) => f.fromNode)!.name;
    const read = async (fqdn: string) => {
      const sftp = await lab.sftp(fqdn);
      try {
        return await sftp.read(xmppKey);
      } finally {
        sftp.close();
      }
    };
    const original = await read(CMS1);
    for (const peer of [CMS2, CMS3]) expect((await read(peer)).equals(original), peer).toBe(true);
    expect(journalIds(loadPlanFile(lab.planPath))).toEqual(expect.arrayContaining(lab.plan().steps.map((s) => s.id)));
    for (const f of filesUnder(lab.planDir)) expect(readFileSync(f, 'latin1'), f).not.toMatch(/PRIVATE KEY/);
  });
});
