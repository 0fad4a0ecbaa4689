/**
 * The twin on the timing model, scaled down (`ucrollout sim start --time-scale 0.01`, issue 12):
 * a service restart on a node takes the model's `restartSeconds(service)` × 1000 × scale
 * milliseconds instead of one constant, so a rehearsal through Terraform measures the plan's
 * real makespan at that scale. The model is the one the planner estimates with: the platform's
 * defaults (lib/platforms/cucm/timing.ts, lib/platforms/cms/timing.ts) under the cluster's and
 * the node's `timing` declarations, the node's first.
 */
import { Declarations } from '../../model';
import { TimingModel } from '../../plan/timing';
import { CMS_TIMING_DEFAULTS, MMP_SLOW_COMMANDS } from '../../platforms/cms/timing';
import { CUCM_TIMING_DEFAULTS } from '../../platforms/cucm/timing';

export interface TwinTiming {
  /** Model seconds → twin milliseconds: × 1000 × scale. */
  readonly scale: number;
  /** Milliseconds a restart of `service` takes on the node (CUCM, IM&P or Meeting Server). */
  restartMillis(fqdn: string, service: string): number;
  /** Milliseconds of `seconds` of the model at this scale. */
  scaled(seconds: number): number;
}

/** Why `value` is not a time scale (a number > 0 and ≤ 1), or undefined when it is one. */
export function timeScaleProblem(value: unknown): string | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1) return `must be a number > 0 and ≤ 1 (0.01: a 7 min restart takes 4.2 s), got '${String(value)}'`;
  return undefined;
}

/** Seconds the model gives an MMP command that rebuilds something (`database cluster initialize`: 120), else undefined. */
export function mmpCommandSeconds(command: string): number | undefined {
  return MMP_SLOW_COMMANDS.find(([prefix]) => command === prefix || command.startsWith(`${prefix} `))?.[1];
}

export function twinTiming(declarations: Declarations, scale: number): TwinTiming {
  const problem = timeScaleProblem(scale);
  if (problem) throw new Error(`Time scale ${problem}`);
  const models = new Map<string, TimingModel>();
  for (const cluster of declarations.clusters) {
    const clusterModel = new TimingModel(CUCM_TIMING_DEFAULTS).with(cluster.timing);
    for (const node of cluster.nodes) models.set(node.fqdn.toLowerCase(), clusterModel.with(node.timing));
  }
  // Meeting Servers declare no timing: the platform's defaults.
  const cms = new TimingModel(CMS_TIMING_DEFAULTS);
  for (const cluster of declarations.cmsClusters ?? []) for (const server of cluster.servers) models.set(server.fqdn.toLowerCase(), cms);
  const scaled = (seconds: number) => seconds * 1000 * scale;
  return {
    scale,
    scaled,
    restartMillis(fqdn, service) {
      const model = models.get(fqdn.toLowerCase());
      if (!model) throw new Error(`Unknown node '${fqdn}' in the twin's timing model`);
      return scaled(model.restartSeconds(service));
    },
  };
}
