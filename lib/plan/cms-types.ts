/**
 * plan.json of a Cisco Meeting Server cluster, format version 1 (`platform: "cms"`).
 *
 * Same envelope and step fields as a CUCM plan (types.ts); its steps also use the CMS kinds
 * (`mmp`, `upload-file`, `download-file`) and fields (`mmp`, `files`, `doneWhen`, `refuseWhen`,
 * `outage`). docs/cms.md says what a driver does with each.
 */
import { CmsDatabaseRole, CmsService, CredentialsRef } from '../model';
import { ClusterPlan, PlanFinding, PlanStep, StepKind } from './types';

/** A plan step of a CMS plan. */
export interface CmsPlanStep extends Omit<PlanStep, 'kind'> {
  readonly kind: StepKind;
}

export interface CmsPlanNode {
  readonly fqdn: string;
  readonly platform: 'cms';
  /** Address to connect to; a rehearsal's resolve map overrides it, TLS/SSH still check the FQDN. */
  readonly address: string;
  readonly services: readonly CmsService[];
  readonly databaseRole: CmsDatabaseRole;
  readonly databaseInterface: string;
  readonly sshHostKeys: readonly string[];
  /** Every port the plan uses on the server (`ssh` and the service ports), defaults filled in. */
  readonly ports: Readonly<Record<string, number>>;
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
}

export interface CmsClusterPlan {
  readonly formatVersion: 1;
  readonly platform: 'cms';
  readonly cluster: {
    readonly name: string;
    readonly version: string;
    readonly clusterFqdn?: string;
    readonly joinUrl?: string;
    readonly xmppDomains: readonly string[];
    readonly credentials: CredentialsRef;
    /** Relative to the plan file. */
    readonly knownHostsFile?: string;
    readonly nodes: readonly CmsPlanNode[];
  };
  /** Services whose certificates change, sorted. */
  readonly services: readonly CmsService[];
  readonly certificates: readonly CmsPlanCertificate[];
  /** The database cluster certificates are re-created (an outage of the database cluster). */
  readonly databaseCertificates: boolean;
  readonly warnings: readonly PlanFinding[];
  /** In a dependency-respecting order (waves, then id). */
  readonly steps: readonly CmsPlanStep[];
}

/** Either plan a RolloutStack writes. */
export type RolloutPlan = ClusterPlan | CmsClusterPlan;

export function isCmsPlan(plan: unknown): plan is CmsClusterPlan {
  return typeof plan === 'object' && plan !== null && (plan as { platform?: unknown }).platform === 'cms';
}
