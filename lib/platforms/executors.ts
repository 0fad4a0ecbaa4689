/**
 * The step kinds `ucrollout step run` executes, per platform: the shared kinds (manual,
 * verify) and each platform's own (./<platform>/kinds). Kept apart from ./index.ts so
 * planning never loads the drivers. Each kind reads the node and returns ALREADY_DONE when
 * the node shows the step done: "already done" is decided one way, by the node, everywhere.
 */
import type { StepContext } from '../executor/context';
import type { StepOutcome } from '../executor/outcome';
import * as manual from '../executor/kinds/manual';
import * as verify from '../executor/kinds/verify';
import type { PlanStep } from '.';
import type { CmsClusterPlan, CmsSignStep } from './cms/types';
import * as downloadFile from './cms/kinds/download-file';
import * as cmsSign from './cms/kinds/sign';
import * as mmp from './cms/kinds/mmp';
import * as uploadFile from './cms/kinds/upload-file';
import type { ClusterPlan, SignStep } from './cucm/types';
import * as cleanup from './cucm/kinds/cleanup';
import * as generateCsr from './cucm/kinds/generate-csr';
import * as sign from './cucm/kinds/sign';
import * as preflight from './cucm/kinds/preflight';
import * as restartService from './cucm/kinds/restart-service';
import * as uploadIdentity from './cucm/kinds/upload-identity';
import * as uploadTrust from './cucm/kinds/upload-trust';

/** One runner per kind of a plan's step union, checked by the compiler. */
export type KindRunners<P extends { steps: readonly { kind: string }[] }> = {
  readonly [K in P['steps'][number]['kind']]: (ctx: StepContext<Extract<PlanStep, { kind: K }>>) => Promise<StepOutcome>;
};

const CUCM: KindRunners<ClusterPlan> = {
  preflight: preflight.run,
  manual: manual.run,
  'generate-csr': generateCsr.run,
  // Both platforms have a `sign` kind: each plan's steps are its own platform's (the plan names it).
  sign: (ctx) => sign.run(ctx as StepContext<SignStep>),
  'upload-trust': uploadTrust.run,
  'upload-identity': uploadIdentity.run,
  'restart-service': restartService.run,
  verify: verify.run,
  cleanup: cleanup.run,
};

const CMS: KindRunners<CmsClusterPlan> = {
  manual: manual.run,
  mmp: mmp.run,
  'upload-file': uploadFile.run,
  'download-file': downloadFile.run,
  sign: (ctx) => cmsSign.run(ctx as StepContext<CmsSignStep>),
  verify: verify.run,
};

/** The runners of each platform, by its name. */
export const EXECUTORS: Readonly<Record<string, Readonly<Record<string, (ctx: StepContext<never>) => Promise<StepOutcome>>>>> = {
  cucm: CUCM,
  cms: CMS,
};
