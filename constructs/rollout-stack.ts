import { join } from 'node:path';
import { App, ISynthesisSession, LocalBackend, TerraformStack } from 'cdktf';
// Not re-exported from cdktf's index: the hook that lets a construct write files next to cdk.tf.json.
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct, IConstruct } from 'constructs';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Declarations } from '../lib/model';
import { PreparedPlan, RolloutPlan, prepareRolloutPlan } from '../lib/platforms';
import { defaultRunner, runnerWords, stackResources, writeStackFiles } from '../lib/terraform';
import { CertificateAuthority } from './certificate-authority';
import { CmsCertificate } from './cms-certificate';
import { CmsCluster } from './cms-cluster';
import { CucmCluster } from './cucm-cluster';
import { Issuer } from './issuer';
import { StepResourceType } from './enums';
import { ServiceCertificate } from './service-certificate';
import { StepResource } from './step-resource';
import { TrustEntry } from './trust-entry';
import { brand, hasBrand } from './brand';

const STACK_SYMBOL = Symbol.for('uc-cert-rollout.RolloutStack');

export interface RolloutStackProps {
  /**
   * The Terraform resource that carries each step.
   *
   * @default StepResourceType.TERRAFORM_DATA
   */
  readonly resourceType?: StepResourceType;

  /**
   * Folder that relative certificate paths start from.
   *
   * @default - the current working directory (where `cdktf synth` runs)
   */
  readonly baseDir?: string;

  /**
   * Command that runs the `ucrollout` CLI from the stack's output folder.
   *
   * @default - `node <relative path to this package's bin/ucrollout>`
   */
  readonly runner?: string;

  /**
   * Lint the declared certificates before planning (errors refuse the plan).
   *
   * @default true
   */
  readonly lint?: boolean;
}

/**
 * One Terraform stack per cluster: the cluster, its CAs, certificates and trust entries
 * are declared inside it; at synth it plans the rollout, writes plan.json and PLAN.md
 * next to cdk.tf.json, and emits one resource per step.
 */
export class RolloutStack extends TerraformStack {
  /** True when `x` is a RolloutStack (of any copy of this package). */
  public static isRolloutStack(x: unknown): x is RolloutStack {
    return hasBrand(x, STACK_SYMBOL);
  }

  private readonly props: RolloutStackProps;
  private prepared?: PreparedPlan<RolloutPlan>;

  constructor(scope: Construct, id: string, props: RolloutStackProps = {}) {
    super(scope, id);
    brand(this, STACK_SYMBOL);
    this.props = props;
    // Keep state in the stack folder, not at the synth process's absolute cwd.
    new LocalBackend(this, { path: 'terraform.tfstate' });
    if (props.resourceType === StepResourceType.NULL_RESOURCE) new NullProvider(this, 'null');
    this.node.addValidation({ validate: () => this.validatePlan() });
    addCustomSynthesis(this, {
      onSynthesize: (session: ISynthesisSession) => {
        writeStackFiles(join(session.outdir, session.manifest.forStack(this).workingDirectory), this.prepare(), this.runner());
      },
    });
  }

  /** @internal The plan this stack carries out (of either platform), as written to plan.json. */
  public _rolloutPlan(): RolloutPlan {
    return this.prepare().plan;
  }

  public prepareStack(): void {
    this.materialize();
    super.prepareStack();
  }

  public toTerraform(): any {
    this.materialize();
    return super.toTerraform();
  }

  private declarations(): { declarations: Declarations; baseDir: string; cluster: string } {
    const all = this.node.findAll();
    const pick = <T>(is: (x: unknown) => x is T) => all.filter((c: IConstruct) => is(c)) as T[];
    const clusters = pick(CucmCluster.isCucmCluster);
    const cmsClusters = pick(CmsCluster.isCmsCluster);
    if (clusters.length + cmsClusters.length !== 1) {
      throw new Error(
        cmsClusters.length === 0
          ? `RolloutStack '${this.node.id}' must hold exactly one CucmCluster, found ${clusters.length}: declare one stack per cluster (Terraform's apply time grows with the resources of one state)`
          : `RolloutStack '${this.node.id}' must hold exactly one cluster, found ${clusters.length} CucmCluster and ${cmsClusters.length} CmsCluster: a Meeting Server deployment is its own stack`,
      );
    }
    return {
      cluster: (clusters[0] ?? cmsClusters[0]).name,
      declarations: {
        clusters: clusters.map((c) => c._decl),
        certificateAuthorities: pick(CertificateAuthority.isCertificateAuthority).map((c) => c._decl),
        certificates: pick(ServiceCertificate.isServiceCertificate).map((c) => c._decl),
        trustEntries: pick(TrustEntry.isTrustEntry).map((c) => c._decl),
        cmsClusters: cmsClusters.map((c) => c._decl),
        cmsCertificates: pick(CmsCertificate.isCmsCertificate).map((c) => c._decl),
        issuers: pick(Issuer.isIssuer).map((c) => c._decl),
      },
      baseDir: this.props.baseDir ?? process.cwd(),
    };
  }

  private stackDir(): string {
    return join(App.of(this).outdir, 'stacks', this.node.id);
  }

  private prepare(): PreparedPlan<RolloutPlan> {
    if (!this.prepared) {
      const { declarations, baseDir, cluster } = this.declarations();
      this.prepared = prepareRolloutPlan(declarations, cluster, { baseDir, planDir: this.stackDir(), lint: this.props.lint !== false });
    }
    return this.prepared;
  }

  private validatePlan(): string[] {
    try {
      this.prepare();
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }

  /** The words that start the CLI from the stack folder: the steps' interpreter and the stack's `ucrollout` launcher. */
  private runner(): string[] {
    return this.props.runner !== undefined ? runnerWords(this.props.runner) : defaultRunner(this.stackDir());
  }

  private materialize(): void {
    if (this.node.tryFindChild('Steps')) return;
    const plan = this.prepare().plan;
    const steps = new Construct(this, 'Steps');
    const runner = this.runner();
    const resourceType = this.props.resourceType ?? StepResourceType.TERRAFORM_DATA;
    for (const resource of stackResources(plan.steps, { resourceType, runner })) new StepResource(steps, { resource, resourceType });
  }
}
