/**
 * The sections every platform's PLAN.md shares, so the reviews read alike and are written
 * once: a bullet list, the manual steps, the steps by node, the full order with reasons.
 * A platform renderer (lib/platforms/<name>/review.ts) adds what is particular to it.
 */
import { PlanNodeBase, StepBase } from './types';

/** `|` inside a table cell. */
export function esc(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The 1-based positions of a step's dependencies in the full order, ascending. */
export function afterList(step: StepBase, position: ReadonlyMap<string, number>): string {
  return step.dependsOn.map((d) => position.get(d)!).sort((a, b) => a - b).join(', ');
}

/** `## title`, then one bullet per item (or `None.`). */
export function bulletSection(title: string, items: readonly string[]): string[] {
  return [`## ${title}`, '', ...(items.length === 0 ? ['None.'] : items.map((i) => `- ${i}`)), ''];
}

/** The manual steps with their position, where the rollout stops until they are confirmed. */
export function manualStepsSection(steps: readonly StepBase[], position: ReadonlyMap<string, number>): string[] {
  const manual = steps.filter((s) => s.kind === 'manual');
  return bulletSection(
    'Manual steps (the rollout stops here until `./ucrollout confirm <id> --plan plan.json`, run in this folder)',
    manual.map((s) => `**${s.id}** (step ${position.get(s.id)}): ${s.description}. ${s.command === s.description ? '' : s.command}`.trimEnd()),
  );
}

export interface StepsByNodeOptions<S extends StepBase, N extends PlanNodeBase> {
  readonly title: string;
  readonly intro: readonly string[];
  readonly heading: (node: N) => string;
  /** Table columns after `#` and `step`. */
  readonly columns: readonly string[];
  readonly cells: (step: S) => readonly string[];
}

/** One table per node that has steps: position, id, the platform's cells, and the "after" list. */
export function stepsByNodeSection<S extends StepBase, N extends PlanNodeBase>(
  nodes: readonly N[],
  steps: readonly S[],
  position: ReadonlyMap<string, number>,
  o: StepsByNodeOptions<S, N>,
): string[] {
  const out = [`## ${o.title}`, '', ...o.intro, ''];
  const header = ['#', 'step', ...o.columns, 'after'];
  for (const node of nodes) {
    const mine = steps.filter((s) => s.node === node.fqdn);
    if (mine.length === 0) continue;
    out.push(`### ${o.heading(node)}`, '');
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const s of mine) out.push(`| ${[String(position.get(s.id)), `\`${s.id}\``, ...o.cells(s), afterList(s, position)].join(' | ')} |`);
    out.push('');
  }
  return out;
}

/** Every step in order with its kind, node, what it carries and why. */
export function fullOrderSection<S extends StepBase>(steps: readonly S[], detail: (step: S) => string): string[] {
  const out = ['## Full order with reasons', ''];
  steps.forEach((s, i) => {
    out.push(`${i + 1}. \`${s.id}\` [${s.kind}] on ${s.node}${detail(s)}`);
    out.push(`   - why: ${s.reason}`);
  });
  out.push('');
  return out;
}
