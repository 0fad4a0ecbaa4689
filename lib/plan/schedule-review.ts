/**
 * The maintenance window in PLAN.md, for every platform: the estimate up front, the phases, the
 * chain of steps that sets the window, and a Mermaid gantt chart of the steps per node (GitHub and
 * GitLab render it in the pull request where the plan is reviewed). Pure text from plan.json.
 */
import { PlanSchedule } from './schedule';

interface ReviewedStep {
  readonly id: string;
  readonly node: string;
  readonly kind: string;
}

export interface ScheduleReviewInput {
  readonly schedule: PlanSchedule;
  readonly steps: readonly ReviewedStep[];
  /** Nodes in the order of their sections. */
  readonly nodes: readonly { readonly fqdn: string }[];
  /** What the phases hold, for the reader: `{ before: 'preflight checks, …', in: …, after: … }`. */
  readonly phaseNotes: { readonly before: string; readonly in: string; readonly after: string };
  /** Where the defaults of the timing model are, and how to override them. */
  readonly timingNote: string;
}

/** Steps shorter than this are not drawn (they are in the tables). */
export const GANTT_MIN_SECONDS = 20;
/** Terraform's default `-parallelism`. */
export const TERRAFORM_PARALLELISM = 10;

/** `about 1 h 05 min`, `about 12 min` (whole minutes, rounded), `45 s` under a minute. */
export function aboutDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `1:05:30`: hours, minutes and seconds from the start of the change. */
export function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** The one line PLAN.md opens with. */
export function windowHeadline(schedule: PlanSchedule): string {
  const p = schedule.phases;
  const parts = [`before it ${aboutDuration(p.beforeWindow)}`, ...(p.afterWindow > 0 ? [`after it ${aboutDuration(p.afterWindow)}`] : [])];
  return `**Window: ${aboutDuration(p.inWindow)}** (${parts.join(', ')}; the whole change ${aboutDuration(schedule.estimatedSeconds)}).`;
}

/** The summary table's row of the window, for a plan with a schedule. */
export function windowSummaryRows(schedule: PlanSchedule | undefined): string[] {
  return schedule ? [`| Window (estimate) | ${aboutDuration(schedule.phases.inWindow)}; the whole change ${aboutDuration(schedule.estimatedSeconds)} |`] : [];
}

/** The window section of a plan (its steps on its cluster's nodes), or nothing for a plan without a schedule. */
export function planScheduleSection(
  plan: { readonly schedule?: PlanSchedule; readonly steps: readonly ReviewedStep[]; readonly cluster: { readonly nodes: ScheduleReviewInput['nodes'] } },
  notes: Pick<ScheduleReviewInput, 'phaseNotes' | 'timingNote'>,
): string[] {
  return plan.schedule ? renderScheduleSection({ schedule: plan.schedule, steps: plan.steps, nodes: plan.cluster.nodes, ...notes }) : [];
}

/** The section `## Maintenance window (estimate)`. */
export function renderScheduleSection(input: ScheduleReviewInput): string[] {
  const { schedule: s, phaseNotes } = input;
  const p = s.phases;
  const out: string[] = [];
  out.push('## Maintenance window (estimate)', '');
  out.push(windowHeadline(s), '');
  out.push('| phase | from | to | duration | what |', '|---|---|---|---|---|');
  const windowOpens = p.beforeWindow;
  const windowCloses = p.beforeWindow + p.inWindow;
  out.push(`| before the window | ${clock(0)} | ${clock(windowOpens)} | ${aboutDuration(p.beforeWindow)} | ${phaseNotes.before} |`);
  out.push(`| in the window | ${clock(windowOpens)} | ${clock(windowCloses)} | ${aboutDuration(p.inWindow)} | ${phaseNotes.in} |`);
  out.push(`| after the window | ${clock(windowCloses)} | ${clock(s.estimatedSeconds)} | ${aboutDuration(p.afterWindow)} | ${phaseNotes.after} |`);
  out.push('');
  const parallel =
    s.peakParallelism <= TERRAFORM_PARALLELISM
      ? `at most ${s.peakParallelism} at once, within \`terraform apply\`'s default \`-parallelism\` of ${TERRAFORM_PARALLELISM}`
      : `up to ${s.peakParallelism} at once: run \`terraform apply -parallelism=${s.peakParallelism}\` (the default ${TERRAFORM_PARALLELISM} makes the change longer)`;
  out.push(
    `Each step starts as soon as the steps it runs after are done, as \`terraform apply\` runs them (${parallel}). ${input.timingNote}`,
    '',
  );

  out.push('### The chain of steps that sets the window', '');
  out.push('Shorten one of these (or let more of them run side by side) to shorten the window.', '');
  out.push('| # | step | node | from | to | duration |', '|---|---|---|---|---|---|');
  const byId = new Map(input.steps.map((x) => [x.id, x]));
  s.criticalPath.forEach((id, i) => {
    const t = s.steps[id];
    out.push(`| ${i + 1} | \`${id}\` | ${byId.get(id)?.node ?? ''} | ${clock(t.start)} | ${clock(t.end)} | ${aboutDuration(t.end - t.start)} |`);
  });
  out.push('');

  out.push('### The steps per node', '');
  out.push(...renderGantt(input), '');
  return out;
}

/** The Mermaid gantt source, fenced: one section per node, its steps at their estimated times. */
export function renderGantt(input: Pick<ScheduleReviewInput, 'schedule' | 'steps' | 'nodes'>): string[] {
  const s = input.schedule;
  if (s.estimatedSeconds >= 24 * 3600) {
    return [`The change takes a day or more (${aboutDuration(s.estimatedSeconds)}): no chart (its time axis is a clock of one day).`];
  }
  const critical = new Set(s.criticalPath);
  const labels = sectionLabels(input.nodes.map((n) => n.fqdn));
  const drawn = input.steps.filter((x) => s.steps[x.id] && s.steps[x.id].end - s.steps[x.id].start >= GANTT_MIN_SECONDS);
  const out = ['```mermaid', 'gantt', '  title Estimated schedule, hours:minutes from the start', '  dateFormat HH:mm:ss', '  axisFormat %H:%M', '  todayMarker off'];
  for (const node of input.nodes) {
    const mine = drawn.filter((x) => x.node === node.fqdn).sort((a, b) => s.steps[a.id].start - s.steps[b.id].start || (a.id < b.id ? -1 : 1));
    if (mine.length === 0) continue;
    out.push(`  section ${labels.get(node.fqdn)}`);
    for (const x of mine) {
      const t = s.steps[x.id];
      const tags = critical.has(x.id) ? 'crit, ' : '';
      out.push(`    ${taskName(x.id)} :${tags}${clock24(t.start)}, ${t.end - t.start}s`);
    }
  }
  out.push('```');
  const left = input.steps.length - drawn.length;
  if (left > 0) out.push('', `${left} step(s) shorter than ${GANTT_MIN_SECONDS} s (checks, file copies) are not drawn; the critical path is in red.`);
  else out.push('', 'The critical path is in red.');
  return out;
}

/** A node's section title: its host name, or its FQDN when two nodes share one. */
function sectionLabels(fqdns: readonly string[]): Map<string, string> {
  const host = (f: string) => f.split('.')[0];
  return new Map(fqdns.map((f) => [f, fqdns.filter((g) => host(g) === host(f)).length > 1 ? f : host(f)]));
}

/** Mermaid task text: no `:` (it ends the name), `;` or `#`. */
function taskName(id: string): string {
  return id.replace(/[:;#]/g, '-');
}

/** `HH:mm:ss` as Mermaid's `dateFormat HH:mm:ss` reads it. */
function clock24(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  return `${String(h).padStart(2, '0')}${clock(seconds).slice(String(h).length)}`;
}
