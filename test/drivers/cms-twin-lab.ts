/**
 * The Meeting Server example on the digital twin for the driver tests: lab certificates (the
 * rehearsal's lab CA), the twin's CMS servers on loopback, the plan written as `ucrollout plan`
 * writes it, and `ucrollout step run` in-process over real sockets (MMP over SSH, SFTP, TLS).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Credentials } from '../../lib/drivers/credentials';
import { HostKeyPins } from '../../lib/drivers/host-keys';
import { MmpDriver } from '../../lib/drivers/mmp-driver';
import { ResolveMap, loadResolveMap } from '../../lib/drivers/resolve';
import { SftpDriver } from '../../lib/drivers/sftp-driver';
import { SshTarget } from '../../lib/drivers/ssh-session';
import { StepOutcome } from '../../lib/executor/outcome';
import { RunStepOptions, runStep } from '../../lib/executor/run-step';
import { CmsClusterPlan, prepareCmsClusterPlan, renderPlanJson } from '../../lib/platforms';
import { loadLabCa } from '../../lib/pki';
import { signServerCsrs } from '../../lib/rehearsal/cms-lab-pki';
import { LabCertificates, issueLabCertificates } from '../../lib/rehearsal/lab-pki';
import { RunningTwin, startTwin } from '../../lib/simulator';

export const EXAMPLE = join(__dirname, '..', '..', 'examples', 'cms.yaml');
export const CMS1 = 'cms1.example.com';
export const CMS2 = 'cms2.example.com';
export const CMS3 = 'cms3.example.com';
export const CMS_ENV = { CMS_ADMIN_USER: 'mmpadmin', CMS_ADMIN_PASSWORD: 'mmp-secret-9' };

export interface CmsLab {
  readonly dir: string;
  readonly lab: LabCertificates;
  readonly twin: RunningTwin;
  readonly readyFile: string;
  readonly resolve: ResolveMap;
  readonly planDir: string;
  readonly planPath: string;
  /** The plan as last written. */
  plan(): CmsClusterPlan;
  /** Plans again from the lab files (phase 2 once the server-made CSRs are signed) and writes plan.json. */
  replan(): CmsClusterPlan;
  /** The lab CA signs the CSRs phase 1 fetched. */
  signCsrs(): Promise<string[]>;
  /** Writes a variant of the plan next to plan.json (its file references hold) and returns its path. */
  variant(name: string, plan: CmsClusterPlan): string;
  /** `ucrollout step run` in-process against the twin. */
  run(id: string, extra?: Partial<RunStepOptions>): Promise<StepOutcome>;
  /** What connecting to a server needs, pinned by the twin's known_hosts. */
  target(fqdn: string, pins?: HostKeyPins): SshTarget;
  mmp(fqdn: string, command: string): Promise<string>;
  sftp(fqdn: string): Promise<SftpDriver>;
  stop(): Promise<void>;
}

export async function startCmsLab(addressBase: string): Promise<CmsLab> {
  const dir = mkdtempSync(join(tmpdir(), 'drivers-cms-'));
  const lab = await issueLabCertificates(EXAMPLE, dir);
  const twin = await startTwin({
    declarations: lab.declarations,
    stateDir: join(dir, 'twin'),
    addressBase,
    portMode: 'dynamic',
    restartMillis: 50,
    baseDir: lab.baseDir,
    env: CMS_ENV,
  });
  const readyFile = join(dir, 'twin', 'ready.json');
  const resolve = loadResolveMap(readyFile);
  const planDir = join(dir, 'out');
  const planPath = join(planDir, 'plan.json');
  mkdirSync(planDir, { recursive: true });
  let current: CmsClusterPlan;
  const replan = (): CmsClusterPlan => {
    const prepared = prepareCmsClusterPlan(lab.declarations, 'meet', { baseDir: lab.baseDir, planDir });
    for (const f of prepared.files) {
      mkdirSync(dirname(join(planDir, f.file)), { recursive: true });
      writeFileSync(join(planDir, f.file), f.text);
    }
    writeFileSync(planPath, renderPlanJson(prepared.plan));
    current = prepared.plan;
    return current;
  };
  replan();
  const target = (fqdn: string, pins?: HostKeyPins): SshTarget => {
    const node = resolve.nodes.get(fqdn)!;
    const pinned = pins ?? new HostKeyPins(fqdn);
    if (!pins) pinned.addKnownHostsFile(resolve.knownHosts!);
    return {
      endpoint: { fqdn, host: node.address, port: node.ports.ssh },
      credentials: new Credentials(CMS_ENV.CMS_ADMIN_USER, CMS_ENV.CMS_ADMIN_PASSWORD, 'environment CMS_ADMIN_USER/CMS_ADMIN_PASSWORD'),
      pins: pinned,
      connectTimeoutMs: 10_000,
    };
  };
  return {
    dir,
    lab,
    twin,
    readyFile,
    resolve,
    planDir,
    planPath,
    plan: () => current,
    replan,
    signCsrs: () => signServerCsrs(current, planDir, loadLabCa(join(dir, 'ca'))),
    variant: (name, plan) => {
      const file = join(planDir, `${name}.json`);
      writeFileSync(file, renderPlanJson(plan));
      return file;
    },
    // This step alone (the tests run steps in their own order, and out of order to see what a server refuses)
    run: (id, extra = {}) => runStep({ planPath, stepId: id, resolvePath: readyFile, env: CMS_ENV, timeouts: { connectMs: 10_000, restartMs: 20_000 }, dependencies: 'ignore', ...extra }),
    target,
    mmp: async (fqdn, command) => {
      const driver = await MmpDriver.connect(target(fqdn), { commandMs: 10_000 });
      try {
        return await driver.run(command);
      } finally {
        driver.close();
      }
    },
    sftp: (fqdn) => SftpDriver.connect(target(fqdn), 10_000),
    stop: async () => {
      await twin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
