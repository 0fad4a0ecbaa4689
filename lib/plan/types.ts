/**
 * plan.json, format version 2: one file per cluster (one Terraform stack per cluster), for
 * every platform. The envelope and the step fields every platform shares live here; each
 * platform (lib/platforms/<name>/types.ts) adds its step kinds and its cluster fields, and
 * lib/platforms/index.ts joins them into the `PlanStep` and `RolloutPlan` unions.
 *
 * The planner writes it; `ucrollout step run`, the renderer and the twin read it (one reader:
 * ./format.ts). It holds references (file paths relative to the plan file, environment
 * variable names) and fingerprints, never a certificate body, key or password.
 */
import { CredentialsRef } from '../model';
import type { PlanSchedule } from './schedule';

export const PLAN_FORMAT_VERSION = 2;

/** A certificate a step uploads or expects, by reference. */
export interface StepCertificate {
  /** SHA-256 of the DER, lowercase hex. */
  readonly sha256: string;
  readonly subject: string;
  /** The file, relative to the folder of plan.json (posix separators). */
  readonly file: string;
}

/** A TLS port a step connects to. */
export interface StepPort {
  readonly name: string;
  readonly port: number;
  readonly handshake: 'tls' | 'xmpp-starttls';
  /** Key type to negotiate: a port can present an RSA and an -ECDSA certificate side by side. */
  readonly keyType: 'RSA' | 'EC';
}

/** The fields of every step, whatever its kind and platform. */
export interface StepBase {
  /** Stable, readable, unique within the plan: `tomcat/restart/cs-ccm-sub/cisco-tomcat`. */
  readonly id: string;
  readonly kind: string;
  readonly cluster: string;
  /** FQDN of the node the step acts on. */
  readonly node: string;
  /** Certificate purpose (CUCM), service (CMS), or `cluster` for steps that serve the whole change. */
  readonly purpose: string;
  /** Ids of the steps that must be done first, sorted. */
  readonly dependsOn: readonly string[];
  readonly description: string;
  /** What an engineer would type at the node's prompt, or do by hand. */
  readonly command: string;
  /** Why this step exists: the rule of DOMAIN.md it carries out. */
  readonly reason: string;
  /** Fingerprint of the step's own content and of its certificates (./triggers.ts): a change re-runs it. */
  readonly trigger: string;
  /** The step is part of an outage of this (e.g. `database cluster`), for the reviewer. */
  readonly outage?: string;
  /**
   * A step of a one-shot procedure (the Meeting Server database cluster): once a later step has
   * built on it, it is done, and it is not run again even if Terraform's state says so (a stale
   * state after a kill): re-running `database cluster remove` after the joins would undo them.
   */
  readonly once?: boolean;
}

/** A person's action: the rollout waits for `ucrollout confirm <id>`. */
export interface ManualStep extends StepBase {
  readonly kind: 'manual';
}

/** The node presents the new chain on a service port. */
export interface VerifyStep extends StepBase {
  readonly kind: 'verify';
  /** Absent for a purpose without a TLS port: the node must then hold the new identity. */
  readonly port?: StepPort;
  /** SHA-256 of the leaf, then of each intermediate, as the port must present them (`leafFrom`: the intermediates only). */
  readonly expectChain: readonly string[];
  /**
   * An issued certificate: its leaf is signed at apply time, so the leaf expected first is the one
   * in this chain file (relative to plan.json), read when the step runs; `expectChain` then lists
   * what must follow it.
   */
  readonly leafFrom?: { readonly chainFile: string };
}

/**
 * A declared issuer (lib/issuers) signs a CSR the node made; the certificate (leaf first, then
 * its chain) is written next to plan.json. Each platform's `sign` step is this, with its own fields.
 */
export interface SignStepBase extends StepBase {
  readonly kind: 'sign';
  /** The declared issuer (the plan's `issuers`). */
  readonly issuer: string;
  readonly issuerKind: string;
  readonly commonName: string;
  /** The CSR's SANs (the CN first, or the CN alone): the leaf must carry exactly these. */
  readonly altNames: readonly string[];
  /** The CSR the step before wrote (CUCM: generate-csr, CMS: download-file), relative to plan.json. */
  readonly csrFile: string;
  /** Where the signed chain goes (PEM, leaf first), relative to plan.json: the declared certificate file where there is one. */
  readonly chainFile: string;
  /** The declared CA (root first, then each intermediate) the leaf must chain to: what the trust store gets. */
  readonly caChain: readonly StepCertificate[];
}

/** Kinds every platform's plans use. */
export type SharedStep = ManualStep | VerifyStep;

export interface PlanFinding {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

/** What the executor and the drivers need of any node: where it is and how it is pinned. */
export interface PlanNodeBase {
  readonly fqdn: string;
  /** `cucm` / `imp` for a CUCM cluster's nodes, `cms` for a Meeting Server. */
  readonly platform: string;
  /** Address to connect to; a rehearsal's resolve map overrides it, TLS/SSH still check the FQDN. */
  readonly address: string;
  readonly services: readonly string[];
  readonly sshHostKeys: readonly string[];
  readonly ports: Readonly<Record<string, number>>;
}

/** The envelope of every plan.json. */
export interface PlanEnvelope<P extends string = string, S extends StepBase = StepBase, N extends PlanNodeBase = PlanNodeBase> {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** Which platform plug-in planned it and runs its steps (lib/platforms/<platform>). */
  readonly platform: P;
  readonly cluster: {
    readonly name: string;
    readonly credentials: CredentialsRef;
    /** Relative to the plan file. */
    readonly knownHostsFile?: string;
    readonly nodes: readonly N[];
  };
  /** Lint warnings and planner notes for the reviewer (errors refuse the plan instead). */
  readonly warnings: readonly PlanFinding[];
  /** In a dependency-respecting order (waves, then id). */
  readonly steps: readonly S[];
  /** The expected timing of the change (./schedule.ts): estimate, phases, critical path, each step's start and end. */
  readonly schedule?: PlanSchedule;
}
