/**
 * A CUCM / IM and Presence plan (`platform: "cucm"`): its step kinds, nodes and the
 * certificates it installs. The envelope and shared kinds are lib/plan/types.ts.
 */
import { CallManagerGroupDecl, ImpSubclusterDecl, NodeApi, NodeRole, SecurityMode } from '../../model';
import { PlanEnvelope, PlanNodeBase, SharedStep, SignStepBase, StepBase, StepCertificate } from '../../plan/types';
import type { IssuerDecl } from '../../issuers/types';

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

interface UploadIdentityBase extends StepBase {
  readonly kind: 'upload-identity';
  /** Intermediates then root, as the REST API wants them after the leaf. */
  readonly chain: readonly StepCertificate[];
  readonly distribution: 'multi-server' | 'single-server';
  /** Multi-server: every node the upload must reach (its SAN list). */
  readonly distributeTo?: readonly string[];
}

/** The leaf of a declared file: its fingerprint is known when planning. */
export interface UploadSignedIdentityStep extends UploadIdentityBase {
  readonly certificate: StepCertificate;
  readonly issued?: undefined;
}

/** The leaf an issuer signs at apply time (./kinds/sign.ts): read from the chain file the sign step wrote. */
export interface UploadIssuedIdentityStep extends UploadIdentityBase {
  readonly certificate?: undefined;
  readonly issued: IssuedLeafRef;
}

/** The leaf: once on the publisher (multi-server), or on its node. */
export type UploadIdentityStep = UploadSignedIdentityStep | UploadIssuedIdentityStep;

/** Where an issued leaf is, once signed: files next to plan.json (public: a CSR, a chain). */
export interface IssuedLeafRef {
  /** The chain the sign step writes (PEM, leaf first), relative to plan.json. */
  readonly chainFile: string;
  /** The CSR it was signed from, relative to plan.json. */
  readonly csrFile: string;
}

/** Key and usage a CSR requests (DOMAIN.md §2 key-usage table: the union over the platforms it covers). */
export interface CsrKeyRequest {
  readonly keyType: 'RSA' | 'EC';
  /** RSA modulus bits, or the EC curve size (256: P-256). */
  readonly keyLength: number;
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
}

/**
 * The node generates a key and a CSR (DOMAIN.md §3 "CSR", §6 `set csr gen` / POST …/csr): the key
 * never leaves the node; the CSR (public) is written next to plan.json.
 */
export interface GenerateCsrStep extends StepBase, CsrKeyRequest {
  readonly kind: 'generate-csr';
  /** The certificate unit: the purpose. */
  readonly unit: string;
  readonly distribution: 'multi-server' | 'single-server';
  /** `cli`: `set csr gen <unit>` then `show csr own <unit>` (this server, CN = FQDN); `rest`: POST …/certmgr/config/csr (multi-server, other names). */
  readonly api: NodeApi;
  readonly commonName: string;
  /** The CSR's DNS subjectAltNames, the CN first: what the issuer signs, exactly (DOMAIN.md §5). */
  readonly altNames: readonly string[];
  /** Multi-server: the nodes the platform distributes the certificate (and the key) to. */
  readonly distributeTo?: readonly string[];
  /** Where the CSR is written, relative to plan.json. */
  readonly csrFile: string;
  /** The request's renewal generation: raising it makes a fresh CSR (a new key). */
  readonly renewalGeneration: number;
}

/** The issuer signs the node's CSR (lib/issuers); the chain (public) is written next to plan.json. */
export interface SignStep extends SignStepBase {
  /** The request's renewal generation (the generate-csr step's). */
  readonly renewalGeneration: number;
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

export type CucmStep = SharedStep | PreflightStep | GenerateCsrStep | SignStep | UploadTrustStep | UploadIdentityStep | RestartServiceStep | CleanupStep;

export type CucmStepKind = CucmStep['kind'];

/** Every kind a CUCM plan uses, in the order PLAN.md counts them. */
export const CUCM_STEP_KINDS: readonly CucmStepKind[] = ['preflight', 'manual', 'generate-csr', 'sign', 'upload-trust', 'upload-identity', 'restart-service', 'verify', 'cleanup'];

export interface PlanNode extends PlanNodeBase {
  readonly role: NodeRole;
  readonly platform: 'cucm' | 'imp';
  readonly api: NodeApi;
  /** An IM&P node of this intercluster peer cluster, not of the plan's cluster: only clean-up steps act on it. */
  readonly peerOf?: string;
}

/** A certificate the change installs: a declared file (its facts known), or issued at apply time (`issued`). */
export type PlanCertificate = PlanSignedCertificate | PlanIssuedCertificate;

export interface PlanIssuedCertificate {
  readonly purpose: string;
  readonly distribution: 'multi-server' | 'single-server';
  /** Name of the declared CA whose chain goes into the trust store. */
  readonly ca: string;
  /** FQDNs of the nodes that get it. */
  readonly covers: readonly string[];
  /** What is requested from whom: the leaf exists only after the sign step. */
  readonly issued: {
    readonly issuer: string;
    readonly issuerKind: string;
    /** Lab issuers sign for rehearsals only. */
    readonly rehearsalOnly: boolean;
    /** The node that generates the CSR and keeps the key. */
    readonly csrNode: string;
    readonly commonName: string;
    readonly altNames: readonly string[];
    readonly renewalGeneration: number;
    readonly csrFile: string;
    readonly chainFile: string;
    /** Fingerprint of the request (declaration, issuer, generation): the trigger of its steps. */
    readonly request: string;
  };
  readonly file?: undefined;
}

export interface PlanSignedCertificate {
  readonly issued?: undefined;
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
  /**
   * The issuers the sign steps use, as declared (no secret: variable names and files), their paths
   * relative to `issuerBaseDir`. Only in plans with issued certificates.
   */
  readonly issuers?: readonly IssuerDecl[];
  /** The folder (relative to plan.json) the issuers' paths start from and their programs run in: the inventory's. */
  readonly issuerBaseDir?: string;
  /** The certificates the change installs, for the reviewer: names, dates, fingerprints, nodes. */
  readonly certificates: readonly PlanCertificate[];
}
