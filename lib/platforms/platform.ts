/**
 * A platform plug-in: what is particular to CUCM / IM&P, Meeting Server, or the next one
 * (Expressway, Unity Connection, CER): its declarations' rules, its lint, its steps built
 * into the one step graph, and its sections of the review. Adding a platform is one folder
 * under lib/platforms plus a line in ./index.ts (and its step kinds in ./executors.ts).
 */
import { Declarations } from '../model';
import { LintFinding } from '../pki/lint/finding';
import { PlanEnvelope } from '../plan/types';

export interface PrepareOptions {
  /** Folder relative declared paths start from. */
  readonly baseDir: string;
  /** Folder plan.json is written to: file references in the plan are relative to it. */
  readonly planDir: string;
  /** Lint the declared certificates first (errors refuse the plan, warnings go to PLAN.md). @default true */
  readonly lint?: boolean;
  /** @default - the current time (lint dates) */
  readonly now?: Date;
}

/** A public file to write next to plan.json (never a key). */
export interface PlanFile {
  /** Relative to the plan's folder. */
  readonly file: string;
  readonly text: string;
}

export interface PreparedPlan<P extends PlanEnvelope = PlanEnvelope> {
  readonly plan: P;
  readonly files: readonly PlanFile[];
}

export interface LintOptions {
  readonly baseDir: string;
  /** @default - the current time */
  readonly now?: Date;
  /** @default 30 */
  readonly renewalWindowDays?: number;
}

export interface Platform<P extends PlanEnvelope = PlanEnvelope> {
  /** The `platform` of its plans. */
  readonly name: P['platform'];
  /** What PLAN.md and messages call it. */
  readonly title: string;
  /** Names of this platform's clusters in the declarations, in declaration order. */
  clusterNames(decls: Declarations): string[];
  /** Whole-declaration rules; throws DeclarationError with every problem. */
  validate(decls: Declarations): void;
  /** Lint of this platform's declared certificates. */
  lint(decls: Declarations, opts: LintOptions): LintFinding[];
  /** Validates, lints, reads the declared files and plans one cluster. */
  prepare(decls: Declarations, cluster: string, opts: PrepareOptions): PreparedPlan<P>;
  /** PLAN.md: the review document. */
  renderReview(plan: P): string;
}
