/**
 * plan.json, format version 1: one file per cluster (one Terraform stack per cluster).
 *
 * The planner writes it; `ucrollout step run` and the digital twin read it. It holds
 * references (file paths relative to the plan file, environment variable names) and
 * fingerprints, never a certificate body, key or password.
 */
import { CredentialsRef, NodeApi, NodeRole, SecurityMode } from '../model';

/** Kinds of Cisco Meeting Server steps (lib/plan/cms-plan.ts), which also use 'manual' and 'verify'. */
export type CmsStepKind = 'mmp' | 'upload-file' | 'download-file';

export const CMS_STEP_KINDS: readonly CmsStepKind[] = ['mmp', 'upload-file', 'download-file'];

/** Every kind `ucrollout step run` executes: the CUCM / IM&P kinds, then the Meeting Server ones. */
export type StepKind =
  | 'preflight'
  | 'upload-trust'
  | 'upload-identity'
  | 'restart-service'
  | 'verify'
  | 'cleanup'
  | 'manual'
  | CmsStepKind;

export const STEP_KINDS: readonly StepKind[] = [
  'preflight',
  'upload-trust',
  'upload-identity',
  'restart-service',
  'verify',
  'cleanup',
  'manual',
  ...CMS_STEP_KINDS,
];

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

/** A certificate a step uploads or expects, by reference. */
export interface StepCertificate {
  /** SHA-256 of the DER, lowercase hex. */
  readonly sha256: string;
  readonly subject: string;
  /** The file, relative to the folder of plan.json (posix separators). */
  readonly file: string;
}

/** A TLS port the verify step connects to. */
export interface StepPort {
  readonly name: string;
  readonly port: number;
  readonly handshake: 'tls' | 'xmpp-starttls';
  /** Key type to negotiate: a port can present an RSA and an -ECDSA certificate side by side. */
  readonly keyType: 'RSA' | 'EC';
}

export interface PlanStep {
  /** Stable, readable, unique within the plan: `tomcat/restart/cs-ccm-sub/cisco-tomcat`. */
  readonly id: string;
  readonly kind: StepKind;
  readonly cluster: string;
  /** FQDN of the node the step acts on. */
  readonly node: string;
  /** Certificate purpose, or `cluster` for steps that serve the whole change. */
  readonly purpose: string;
  /** Ids of the steps that must be done first, sorted. */
  readonly dependsOn: readonly string[];
  readonly description: string;
  /** What an engineer would type at the node's `admin:` prompt, or do by hand. */
  readonly command: string;
  /** Why this step exists: the rule of DOMAIN.md it carries out. */
  readonly reason: string;
  /** Fingerprint of everything that, when changed, must re-run the step (own content + dependencies). */
  readonly trigger: string;

  /** upload-trust / cleanup: trust store name (`tomcat-trust`). */
  readonly store?: string;
  /** restart-service: the service name as `utils service list` prints it. */
  readonly service?: string;
  /** upload-trust / upload-identity: the certificate uploaded. */
  readonly certificate?: StepCertificate;
  /** upload-identity: intermediates then root, as the REST API wants them after the leaf. */
  readonly chain?: readonly StepCertificate[];
  /** upload-identity: multi-server or single-server. */
  readonly distribution?: 'multi-server' | 'single-server';
  /** upload-identity multi-server: every node the upload must reach (its SAN list). */
  readonly distributeTo?: readonly string[];
  /** preflight: services that must be running. */
  readonly requireServices?: readonly string[];
  /** preflight: the cluster security mode the declarations assume. */
  readonly expectSecurityMode?: SecurityMode;
  /** verify: where to connect and what must be presented (leaf first, then intermediates). */
  readonly port?: StepPort;
  readonly expectChain?: readonly string[];
  /** cleanup: seconds to wait after the dependencies finished (Intercluster Sync Agent clean-up). */
  readonly waitSeconds?: number;
  /** cleanup: common names of the self-signed identities being replaced (Issuer CN = Subject CN). */
  readonly selfSignedSubjects?: readonly string[];
  /** cleanup: fingerprints that must stay in the store (the CA chain just uploaded). */
  readonly keep?: readonly string[];

  /** mmp (CMS): the MMP commands to run on `node` over SSH, in order. */
  readonly mmp?: readonly MmpCommand[];
  /** mmp (CMS): commands to run when one of `mmp` failed, e.g. re-enable a service disabled first. */
  readonly mmpOnFailure?: readonly string[];
  /** upload-file / download-file (CMS): the files, over SFTP to or from `node`. */
  readonly files?: readonly StepFile[];
  /** CMS: the step is already done when this check passes (checked before anything runs). */
  readonly doneWhen?: StepCheck;
  /** CMS: refuse, with `message`, when this check passes and the step is not done. */
  readonly refuseWhen?: StepCheck;
  /** CMS: the step is part of an outage of this (e.g. `database cluster`). */
  readonly outage?: string;
}

export interface PlanNode {
  readonly fqdn: string;
  readonly role: NodeRole;
  readonly platform: 'cucm' | 'imp';
  /** Address to connect to; a rehearsal's resolve map overrides it, TLS/SSH still check the FQDN. */
  readonly address: string;
  readonly api: NodeApi;
  readonly services: readonly string[];
  readonly sshHostKeys: readonly string[];
  readonly ports: Readonly<Record<string, number>>;
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

export interface PlanFinding {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

export interface ClusterPlan {
  readonly formatVersion: 1;
  readonly cluster: {
    readonly name: string;
    readonly securityMode: SecurityMode;
    readonly sso: boolean;
    readonly credentials: CredentialsRef;
    /** Relative to the plan file. */
    readonly knownHostsFile?: string;
    /** Relative to the plan file. */
    readonly httpsCaFile?: string;
    readonly interclusterPeers: readonly string[];
    readonly nodes: readonly PlanNode[];
  };
  readonly purposes: readonly string[];
  /** The certificates the change installs, for the reviewer: names, dates, fingerprints, nodes. */
  readonly certificates?: readonly PlanCertificate[];
  /** Lint warnings and planner notes for the reviewer (errors refuse the plan instead). */
  readonly warnings: readonly PlanFinding[];
  /** In a dependency-respecting order (waves, then id). */
  readonly steps: readonly PlanStep[];
}
