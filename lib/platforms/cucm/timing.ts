/**
 * Expected durations of CUCM / IM and Presence steps: the defaults of the timing model
 * (lib/plan/timing.ts), overridden by the cluster's and each node's `timing`.
 *
 * Where the defaults come from:
 * - service restarts: the fixed timing model of issue 12 ("The maintenance window"), which
 *   condenses field experience of `utils service restart` on CUCM / IM&P 12.5 to 15: Cisco Tomcat
 *   7 min, Cisco CallManager 4 min, Cisco XCP Router 4 min, Cisco TFTP and Cisco CTIManager
 *   1.5 min, every other service less (1 min here). DOMAIN.md §6: "it can take minutes".
 * - the other steps are this project's own estimates, not vendor figures: one admin CLI or REST
 *   call with its output (preflight 30 s, verify 15 s), a trust upload with its distribution to
 *   the cluster (1 min), a multi-server identity upload distributed to every node of its SAN list
 *   (2 min), a clean-up (1 min, plus its declared wait, `cleanupDelaySeconds`).
 * - a manual step: 5 min for a person to read it, act and confirm; set `timing.manualSeconds`
 *   or one step's `timing.stepSeconds[<step id>]` (a DRF backup takes longer).
 */
import { Service } from '../../catalog';
import { ClusterDecl, findNode } from '../../model';
import { TimingDefaults, TimingModel } from '../../plan/timing';
import { CucmStep } from './types';

export const CUCM_TIMING_DEFAULTS: TimingDefaults = {
  steps: {
    preflight: 30,
    'upload-trust': 60,
    'upload-identity': 120,
    verify: 15,
    cleanup: 60,
  },
  otherStepSeconds: 30,
  restarts: {
    [Service.TOMCAT]: 420,
    [Service.CALLMANAGER]: 240,
    [Service.XCP_ROUTER]: 240,
    [Service.TFTP]: 90,
    [Service.CTIMANAGER]: 90,
  },
  otherRestartSeconds: 60,
  manualSeconds: 300,
};

/** What the duration of a CUCM step depends on (a draft or a finished step). */
export type TimedCucmStep = Pick<CucmStep, 'id' | 'kind' | 'node'> & { readonly service?: string; readonly waitSeconds?: number };

/** Seconds of each step of this cluster: defaults, the cluster's `timing`, the step's node's `timing`. */
export function cucmStepSeconds(cluster: ClusterDecl): (step: TimedCucmStep) => number {
  const clusterModel = new TimingModel(CUCM_TIMING_DEFAULTS).with(cluster.timing);
  const byNode = new Map<string, TimingModel>();
  const modelOf = (fqdn: string) => {
    let m = byNode.get(fqdn);
    if (!m) byNode.set(fqdn, (m = clusterModel.with(findNode(cluster, fqdn)?.timing)));
    return m;
  };
  return (step) => {
    const model = modelOf(step.node);
    const declared = model.declaredById(step.id);
    if (declared !== undefined) return declared;
    if (step.kind === 'restart-service' && step.service) return model.restartSeconds(step.service);
    // The clean-up waits for the Intercluster Sync Agent's clean-up, then deletes.
    if (step.kind === 'cleanup') return model.stepSeconds(step) + (step.waitSeconds ?? 0);
    return model.stepSeconds(step);
  };
}
