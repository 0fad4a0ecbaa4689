/**
 * A CUCM / IM and Presence plan (`platform: "cucm"`): its step kinds, nodes and the
 * certificates it installs. The envelope and shared kinds are lib/plan/types.ts.
 */
import { CallManagerGroupDecl, ImpSubclusterDecl, NodeApi, NodeRole, SecurityMode } from '../../model';
import { PlanEnvelope, PlanNodeBase, SharedStep, StepBase, StepCertificate } from '../../plan/types';

/** Platform administrative web service and Tomcat run; on the publisher, the security mode is the declared one. */
export interface PreflightStep extends StepBase {
  readonly kind: 'preflight';
  /** Services that must be running. */
  readonly requireServices: readonly string[];
  /** The cluster security mode the declarations assume (publisher only). */
  readonly expectSecurityMode?: SecurityMode;
}

/** One CA certificate into a trust store, on the (IM&P database) publisher. */
export interface UploadTrustStep extends StepBase {
  readonly kind: 'upload-trust';
  /** Trust store name (`tomcat-trust`). */
  readonly store: string;
  readonly certificate: StepCertificate;
}

/** The leaf: once on the publisher (multi-server), or on its node. */
export interface UploadIdentityStep extends StepBase {
  readonly kind: 'upload-identity';
  readonly certificate: StepCertificate;
  /** Intermediates then root, as the REST API wants them after the leaf. */
  readonly chain: readonly StepCertificate[];
  readonly distribution: 'multi-server' | 'single-server';
  /** Multi-server: every node the upload must reach (its SAN list). */
  readonly distributeTo?: readonly string[];
}

/** One service restart on one node. */
export interface RestartServiceStep extends StepBase {
  readonly kind: 'restart-service';
  /** The service name as `utils service list` prints it. */
  readonly service: string;
}

/** Old self-signed trust certificates deleted (CSCur97909). */
export interface CleanupStep extends StepBase {
  readonly kind: 'cleanup';
  readonly store: string;
  /** Seconds to wait after the dependencies finished (Intercluster Sync Agent clean-up). */
  readonly waitSeconds: number;
  /** Common names of the self-signed identities being replaced (Issuer CN = Subject CN). */
  readonly selfSignedSubjects: readonly string[];
  /** Fingerprints that must stay in the store (the CA chain just uploaded). */
  readonly keep: readonly string[];
}

export type CucmStep = SharedStep | PreflightStep | UploadTrustStep | UploadIdentityStep | RestartServiceStep | CleanupStep;

export type CucmStepKind = CucmStep['kind'];

/** Every kind a CUCM plan uses, in the order PLAN.md counts them. */
export const CUCM_STEP_KINDS: readonly CucmStepKind[] = ['preflight', 'manual', 'upload-trust', 'upload-identity', 'restart-service', 'verify', 'cleanup'];

export interface PlanNode extends PlanNodeBase {
  readonly role: NodeRole;
  readonly platform: 'cucm' | 'imp';
  readonly api: NodeApi;
  /** An IM&P node of this intercluster peer cluster, not of the plan's cluster: only clean-up steps act on it. */
  readonly peerOf?: string;
}

export interface PlanCertificate {
  readonly purpose: string;
  readonly distribution: 'multi-server' | 'single-server';
  /** Relative to plan.json. */
  readonly file: string;
  readonly subject: string;
  readonly issuer: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256: string;
  /** Name of the declared CA. */
  readonly ca: string;
  /** FQDNs of the nodes that get it. */
  readonly covers: readonly string[];
}

export interface ClusterPlan extends PlanEnvelope<'cucm', CucmStep, PlanNode> {
  readonly cluster: PlanEnvelope<'cucm', CucmStep, PlanNode>['cluster'] & {
    readonly securityMode: SecurityMode;
    readonly sso: boolean;
    /** Relative to the plan file. */
    readonly httpsCaFile?: string;
    readonly interclusterPeers: readonly string[];
    /** The availability rules the schedule kept (lib/platforms/cucm/availability.ts), when declared. */
    readonly callManagerGroups?: readonly CallManagerGroupDecl[];
    readonly impSubclusters?: readonly ImpSubclusterDecl[];
  };
  readonly purposes: readonly string[];
  /** The certificates the change installs, for the reviewer: names, dates, fingerprints, nodes. */
  readonly certificates: readonly PlanCertificate[];
}
