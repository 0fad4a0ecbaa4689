/**
 * The availability rules of a CUCM / IM and Presence cluster as scheduler resources, and the
 * scheduling of its restarts (lib/plan/scheduler.ts): which restarts must not overlap, and how
 * many of them may run at once.
 *
 * - one service at a time per node (every restart on the node);
 * - Cisco Tomcat on one node at a time across the cluster (DOMAIN.md §5; publisher first is an edge);
 * - Cisco TFTP, CTIManager and TVS never restarting on every node that runs them at once;
 * - with `callManagerGroups`: Cisco CallManager never restarting on every member of a group at once;
 * - with `imPresence.subclusters`: never a restart on both nodes of a subcluster at once.
 *
 * The ordering rules that are not about overlap (restart order on a node, publisher first,
 * call processing one node at a time when no CallManager groups are declared) are edges the
 * step builders add (restart-steps.ts); the scheduler orders what is left.
 */
import { CALLMANAGER_GROUP_SERVICE, NEVER_EVERYWHERE_AT_ONCE_SERVICES, ONE_NODE_AT_A_TIME_SERVICES, runsService } from '../../catalog';
import { ClusterDecl, NodeDecl, findNode, nodePlatform } from '../../model';
import { SchedulePhase } from '../../plan/schedule';
import { Capacities, SchedulerResult, SchedulerTask, listSchedule } from '../../plan/scheduler';
import { PlanContext } from './plan-context';
import { TimedCucmStep } from './timing';

/** The resources a restart holds while it runs, and the capacity of each. */
export function restartResources(cluster: ClusterDecl): { resourcesOf: (step: TimedCucmStep) => string[]; capacities: Capacities } {
  const capacities = new Map<string, number>();
  const node = (fqdn: string) => findNode(cluster, fqdn)!;
  for (const service of NEVER_EVERYWHERE_AT_ONCE_SERVICES) {
    const running = cluster.nodes.filter((n) => nodePlatform(n) === 'cucm' && runsService(n, service)).length;
    if (running >= 2) capacities.set(`never-everywhere:${service}`, running - 1);
  }
  const groupsOf = new Map<string, string[]>();
  for (const g of cluster.callManagerGroups ?? []) {
    const members = [...new Set(g.members.map((m) => node(m).fqdn))];
    capacities.set(`callmanager-group:${g.name}`, members.length - 1);
    for (const m of members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), `callmanager-group:${g.name}`]);
  }
  const subclusterOf = new Map<string, string>();
  for (const s of cluster.impSubclusters ?? []) {
    const members = [...new Set(s.members.map((m) => node(m).fqdn))];
    if (members.length < 2) continue;
    capacities.set(`subcluster:${s.name}`, members.length - 1);
    for (const m of members) subclusterOf.set(m, `subcluster:${s.name}`);
  }
  const resourcesOf = (step: TimedCucmStep): string[] => {
    if (step.kind !== 'restart-service' || !step.service) return [];
    const n: NodeDecl = node(step.node);
    const r = [`node:${n.fqdn}`];
    if (ONE_NODE_AT_A_TIME_SERVICES.includes(step.service)) r.push(`one-node-at-a-time:${step.service}`);
    if (capacities.has(`never-everywhere:${step.service}`) && nodePlatform(n) === 'cucm') r.push(`never-everywhere:${step.service}`);
    if (step.service === CALLMANAGER_GROUP_SERVICE) r.push(...(groupsOf.get(n.fqdn) ?? []));
    const sub = subclusterOf.get(n.fqdn);
    if (sub) r.push(sub);
    return r;
  };
  return { resourcesOf, capacities };
}

/**
 * Orders the restarts of the plan for the shortest window the rules allow and adds the ordering
 * edges the schedule chose to the graph. Steps after the window (`phase` 'after') do not count.
 */
export function scheduleRestarts(ctx: PlanContext, seconds: (s: TimedCucmStep) => number, phase: (s: TimedCucmStep) => SchedulePhase): SchedulerResult {
  const { resourcesOf, capacities } = restartResources(ctx.cluster);
  const tasks: SchedulerTask[] = ctx.graph.ids().map((id) => {
    const draft = ctx.graph.get(id) as TimedCucmStep;
    const s = seconds(draft);
    return { id, dependsOn: ctx.graph.dependencies(id), seconds: s, resources: resourcesOf(draft), weight: phase(draft) === 'after' ? 0 : s };
  });
  const result = listSchedule(tasks, capacities);
  for (const e of result.edges) ctx.graph.depend(e.step, e.after);
  return result;
}
