/**
 * A Cisco Meeting Server plan (`platform: "cms"`): its step kinds (`mmp`, `upload-file`,
 * `download-file`), servers and certificates. docs/cms.md says what a driver does with each.
 * The envelope and shared kinds are lib/plan/types.ts.
 */
import type { IssuerDecl } from '../../issuers/types';
import { CmsDatabaseRole, CmsService } from '../../model';
import { PlanEnvelope, PlanNodeBase, SharedStep, SignStepBase, StepBase, StepCertificate, StepPort } from '../../plan/types';

/** One MMP command line and what its output must show (regular expressions, JavaScript syntax, multiline). */
export interface MmpCommand {
  readonly command: string;
  /** Every expression must match the output, else the step fails. */
  readonly expect?: readonly string[];
  /** The step fails when one of these matches the output. */
  readonly reject?: readonly string[];
  /** Re-run the command until `expect` matches, for at most this many seconds. */
  readonly waitSeconds?: number;
}

/** A file a CMS step sends to or fetches from a server over SFTP, by reference (never its content). */
export interface StepFile {
  /** File name on the server, in the MMP user's SFTP folder. */
  readonly name: string;
  readonly content: 'private-key' | 'certificate' | 'ca-bundle' | 'full-chain' | 'csr';
  /** upload-file: the local source; download-file: where to write it. Relative to plan.json. */
  readonly file?: string;
  /** upload-file: copy `name` from this server (FQDN) instead, through the controller, never to disk. */
  readonly fromNode?: string;
  /** SHA-256 of the file's bytes, lowercase hex; absent for private keys and files made on a server. */
  readonly sha256?: string;
  /** Replace a different file of that name on the server; otherwise the step refuses to (it may be in service). */
  readonly overwrite?: boolean;
}

/** A read-only check on a server: MMP output that matches, and/or a TLS port presenting a leaf. */
export interface StepCheck {
  /** MMP command whose output must match every expression of `matches`. */
  readonly mmp?: string;
  readonly matches?: readonly string[];
  /** The port presents `leafSha256` (SHA-256 of the leaf's DER) as its first certificate. */
  readonly port?: StepPort;
  readonly leafSha256?: string;
  /** refuseWhen: what to tell the operator. */
  readonly message?: string;
}

/** MMP commands on one server over SSH, in order. */
export interface MmpStep extends StepBase {
  readonly kind: 'mmp';
  readonly mmp: readonly MmpCommand[];
  /** Commands to run when one of `mmp` failed, e.g. re-enable a service disabled first. */
  readonly mmpOnFailure?: readonly string[];
  /** The step is already done when this check passes (checked before anything runs). */
  readonly doneWhen?: StepCheck;
  /** Refuse, with `message`, when this check passes and the step is not done. */
  readonly refuseWhen?: StepCheck;
}

/** Files to a server over SFTP. */
export interface UploadFileStep extends StepBase {
  readonly kind: 'upload-file';
  readonly files: readonly StepFile[];
  /** The leaf the files carry, for the reviewer and the trigger. */
  readonly certificate?: StepCertificate;
  readonly chain?: readonly StepCertificate[];
}

/** Files from a server over SFTP (a CSR made on it). */
export interface DownloadFileStep extends StepBase {
  readonly kind: 'download-file';
  readonly files: readonly StepFile[];
}

/**
 * A declared issuer signs the CSR a download-file step fetched; the chain is written to the
 * declared `certificate` path, next to plan.json.
 */
export type CmsSignStep = SignStepBase;

export type CmsStep = SharedStep | MmpStep | UploadFileStep | DownloadFileStep | CmsSignStep;

export type CmsStepKind = CmsStep['kind'];

/** Every kind a CMS plan uses, in the order PLAN.md counts them. */
export const CMS_STEP_KINDS: readonly CmsStepKind[] = ['manual', 'mmp', 'upload-file', 'download-file', 'sign', 'verify'];

export interface CmsPlanNode extends PlanNodeBase {
  readonly platform: 'cms';
  readonly services: readonly CmsService[];
  readonly databaseRole: CmsDatabaseRole;
  readonly databaseInterface: string;
}

/** A certificate of the plan, as PLAN.md lists it: where it goes and under which name. */
export interface CmsPlanCertificate {
  readonly service: CmsService;
  readonly scope: 'per-server' | 'clustered';
  readonly source: 'ca' | 'server-csr';
  /** Servers it is assigned on. */
  readonly servers: readonly string[];
  /** Key and certificate basename on the servers: never the one in service. */
  readonly basename: string;
  /** Why this basename: derived from the fingerprint, the CSR, or declared. */
  readonly basenameReason: string;
  /** The signed certificate, relative to plan.json, with its fingerprint once it exists. */
  readonly certificate: { readonly file: string; readonly sha256?: string; readonly subject?: string };
  /** server-csr before the CA signed: the steps after signing are planned when the file exists. */
  readonly awaitingSignature: boolean;
  /** source ca: the private key file the upload step reads at apply time (never read by the planner). */
  readonly keyFile?: string;
  /** server-csr: the declared issuer that signs the CSR at apply time (else a manual step). */
  readonly issuer?: string;
}

export interface CmsClusterPlan extends PlanEnvelope<'cms', CmsStep, CmsPlanNode> {
  readonly cluster: PlanEnvelope<'cms', CmsStep, CmsPlanNode>['cluster'] & {
    readonly version: string;
    readonly clusterFqdn?: string;
    readonly joinUrl?: string;
    readonly xmppDomains: readonly string[];
  };
  /** Services whose certificates change, sorted. */
  readonly services: readonly CmsService[];
  readonly certificates: readonly CmsPlanCertificate[];
  /** The database cluster certificates are re-created (an outage of the database cluster). */
  readonly databaseCertificates: boolean;
  /**
   * The issuers the sign steps use, as declared (no secret: variable names and files), their paths
   * relative to `issuerBaseDir`. Only in plans with issued certificates (as in a CUCM plan).
   */
  readonly issuers?: readonly IssuerDecl[];
  /** The folder (relative to plan.json) the issuers' paths start from and their programs run in: the inventory's. */
  readonly issuerBaseDir?: string;
}
