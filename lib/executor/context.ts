/**
 * Everything one step run needs, built lazily: the plan, the resolve map, credentials,
 * host key pins, HTTPS anchors and one driver per node and interface (admin CLI, REST, SOAP;
 * on a Meeting Server the MMP shell and SFTP). `close()` ends every connection the step opened.
 */
import { CliDriver, CliTimeouts } from '../drivers/cli-driver';
import { Credentials, loadCredentials } from '../drivers/credentials';
import { MmpDriver } from '../drivers/mmp-driver';
import { RemoteFiles, SftpDriver } from '../drivers/sftp-driver';
import { NodeAccess } from '../drivers/node-access';
import { Endpoint, ResolveMap } from '../drivers/resolve';
import { CertRestClient } from '../drivers/rest-driver';
import { ServiceabilityClient } from '../drivers/soap-driver';
import { ProbeResult, probeChain } from '../drivers/tls-probe';
import type { AnyPlanNode, ClusterPlan, CmsClusterPlan, PlanStep } from '../platforms';
import type { PlanNode } from '../platforms/cucm/types';
import { StepFailure } from './errors';
import { LoadedPlan, findAnyPlanNode, findPlanNode, planPath } from './plan-file';
import { firstContactKnownHosts } from './state-files';
import { httpsTrustAnchors } from './trust-anchors';

export interface ExecutorTimeouts extends CliTimeouts {
  /** SSH connect and login. @default 20000 */
  readonly connectMs?: number;
  /** One REST or status call. @default 30000 */
  readonly httpsMs?: number;
  /** A TLS probe. @default 10000 */
  readonly probeMs?: number;
  /** One SFTP read or write. @default 30000 */
  readonly sftpMs?: number;
}

export interface StepContextOptions<S extends PlanStep = PlanStep> {
  readonly loaded: LoadedPlan;
  readonly step: S;
  readonly resolveMap?: ResolveMap;
  readonly insecureFirstContact: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly timeouts: ExecutorTimeouts;
  /** Progress for the person watching (stderr): never a secret. */
  readonly log: (line: string) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The context of one step run; `S` is the step's kind, so a kind's fields are the compiler's to check. */
export class StepContext<S extends PlanStep = PlanStep> {
  readonly loaded: LoadedPlan;
  readonly step: S;
  readonly log: (line: string) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly timeouts: ExecutorTimeouts;
  readonly env: NodeJS.ProcessEnv;
  private readonly access: NodeAccess;
  private readonly clis = new Map<string, Promise<CliDriver>>();
  private readonly opened: { close(): void }[] = [];
  private readonly mmps = new Map<string, Promise<MmpDriver>>();
  private readonly sftps = new Map<string, Promise<RemoteFiles>>();

  constructor(opts: StepContextOptions<S>) {
    this.loaded = opts.loaded;
    this.step = opts.step;
    this.log = opts.log;
    this.now = opts.now;
    this.sleep = opts.sleep;
    this.timeouts = opts.timeouts;
    this.env = opts.env;
    const { knownHostsFile } = opts.loaded.plan.cluster;
    this.access = new NodeAccess({
      node: (fqdn) => this.anyNode(fqdn),
      credentials: () => loadCredentials(this.loaded.plan.cluster.credentials, this.loaded.dir, this.env),
      httpsAnchors: () => httpsTrustAnchors(this.loaded, opts.resolveMap),
      knownHostsFile: knownHostsFile ? { path: planPath(this.loaded, knownHostsFile), shown: knownHostsFile } : undefined,
      declaredIn: 'the plan',
      resolveMap: opts.resolveMap,
      insecureFirstContact: opts.insecureFirstContact,
      firstContactFile: firstContactKnownHosts(this.loaded),
      onFirstContact: (node, fingerprint) =>
        this.log(`WARNING: accepted the SSH host key ${fingerprint} of ${node} on first contact (--insecure-first-contact); check it on the node's console and pin it in sshHostKeys`),
      connectMs: opts.timeouts.connectMs,
      httpsMs: opts.timeouts.httpsMs,
    });
  }

  /** The CUCM / IM&P plan (a step of a CUCM kind in a Meeting Server plan is refused). */
  get plan(): ClusterPlan {
    const { plan } = this.loaded;
    if (plan.platform !== 'cucm') throw new StepFailure(`${this.loaded.path} is a ${plan.platform} plan: step kind '${this.step.kind}' runs on CUCM and IM&P clusters only; re-run 'ucrollout plan'`);
    return plan;
  }

  /** The Meeting Server plan (a step of a CMS kind in a CUCM plan is refused). */
  get cmsPlan(): CmsClusterPlan {
    const { plan } = this.loaded;
    if (plan.platform !== 'cms') throw new StepFailure(`${this.loaded.path} is not a Meeting Server plan: step kind '${this.step.kind}' runs on Meeting Servers only; re-run 'ucrollout plan'`);
    return plan;
  }

  /** A CUCM / IM&P node of the plan. */
  node(fqdn: string = this.step.node): PlanNode {
    return findPlanNode(this.loaded, fqdn);
  }

  /** A node of either plan (what connecting to it needs). */
  anyNode(fqdn: string = this.step.node): AnyPlanNode {
    return findAnyPlanNode(this.loaded, fqdn);
  }

  endpoint(fqdn: string, portName: string, defaultPort?: number): Endpoint {
    return this.access.endpoint(fqdn, portName, defaultPort);
  }

  credentials(): Credentials {
    return this.access.credentials();
  }

  /** The admin CLI of a node, one session per node for the whole step. */
  cli(fqdn: string = this.step.node): Promise<CliDriver> {
    return this.cached(this.clis, fqdn, () => CliDriver.connect(this.access.sshTarget(fqdn), this.timeouts));
  }

  /** The MMP shell of a Meeting Server, one session per server for the whole step. */
  mmp(fqdn: string = this.step.node): Promise<MmpDriver> {
    return this.cached(this.mmps, fqdn, () => MmpDriver.connect(this.access.sshTarget(fqdn), this.timeouts));
  }

  /** SFTP to a Meeting Server's MMP folder, one connection per server for the whole step. */
  sftp(fqdn: string = this.step.node): Promise<RemoteFiles> {
    return this.cached(this.sftps, fqdn, () => SftpDriver.connect(this.access.sshTarget(fqdn), this.timeouts.sftpMs));
  }

  /** Forget a server's MMP session (after a wait timed out, it is no longer usable). */
  dropMmp(fqdn: string): void {
    this.mmps.delete(fqdn.toLowerCase());
  }

  /** Forget a node's CLI session (after a restart timed out, it is no longer usable). */
  dropCli(fqdn: string): void {
    this.clis.delete(fqdn.toLowerCase());
  }

  rest(fqdn: string = this.step.node): CertRestClient {
    return new CertRestClient(this.access.httpsTarget(fqdn));
  }

  soap(fqdn: string = this.step.node): ServiceabilityClient {
    return new ServiceabilityClient(this.access.httpsTarget(fqdn));
  }

  probe(fqdn: string, port: { name: string; port: number; handshake: 'tls' | 'xmpp-starttls' }, keyType?: 'RSA' | 'EC'): Promise<ProbeResult> {
    return probeChain({ endpoint: this.endpoint(fqdn, port.name, port.port), handshake: port.handshake, keyType, timeoutMs: this.timeouts.probeMs });
  }

  close(): void {
    for (const d of this.opened.splice(0)) d.close();
    this.clis.clear();
    this.mmps.clear();
    this.sftps.clear();
  }

  /** One connection per node, opened on first use; a failed connect is not cached, so a later call may retry. */
  private cached<T extends { close(): void }>(cache: Map<string, Promise<T>>, fqdn: string, open: () => Promise<T>): Promise<T> {
    const key = fqdn.toLowerCase();
    let driver = cache.get(key);
    if (!driver) {
      driver = open().then((d) => {
        this.opened.push(d);
        return d;
      });
      driver.catch(() => cache.delete(key));
      cache.set(key, driver);
    }
    return driver;
  }
}
