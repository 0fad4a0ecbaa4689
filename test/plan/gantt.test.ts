/**
 * PLAN.md of every example shows the window estimate and a Mermaid gantt chart (issue 12).
 * The chart is parsed by Mermaid itself (the renderer GitHub and GitLab use), offline: its
 * gantt grammar, then its task database, whose start and end of every task must be the
 * plan's schedule to the second.
 *
 * Mermaid wants a DOM only for DOMPurify, which sanitizes labels when it renders: parsing needs
 * none, so DOMPurify's hooks are stubbed (labels here are step ids, no HTML).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { RolloutPlan, declaredClusters, prepareRolloutPlan, renderRolloutReview } from '../../lib/platforms';

interface GanttTask {
  readonly task: string;
  readonly section: string;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly crit?: boolean;
}
interface Mermaid {
  parse(text: string): Promise<unknown>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: { getTasks(): GanttTask[] } }> };
}

let mermaid: Mermaid;
beforeAll(async () => {
  const purify = (await import('dompurify')).default as unknown as Record<string, unknown>;
  Object.assign(purify, { addHook: () => {}, removeHook: () => {}, removeAllHooks: () => {}, sanitize: (s: unknown) => String(s) });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
});

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function examplePlan(example: string): RolloutPlan {
  const { declarations, baseDir } = loadInventory(join(EXAMPLES, `${example}.yaml`));
  const [cluster] = declaredClusters(declarations);
  return prepareRolloutPlan(declarations, cluster.name, { baseDir, planDir: baseDir }).plan;
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe.each(['lab', 'large', 'cms'])('examples/%s.yaml: PLAN.md', (example) => {
  it('opens with the window estimate and its phases', () => {
    const plan = examplePlan(example);
    const md = renderRolloutReview(plan);
    const s = plan.schedule!;
    // THEN the second paragraph is the estimate ("Window: about 41 min"), and the section has the phases
    expect(md.split('\n')[2]).toMatch(/^\*\*Window: (about \d+ (h \d\d )?min|\d+ s)\*\* \(before it /);
    expect(md).toContain('## Maintenance window (estimate)');
    expect(md).toMatch(/\| before the window \| 0:00:00 \|/);
    expect(md).toMatch(/\| in the window \|/);
    expect(md).toMatch(/\| after the window \|/);
    // AND the phases add up to the estimate, and every step has its times
    expect(s.phases.beforeWindow + s.phases.inWindow + s.phases.afterWindow).toBe(s.estimatedSeconds);
    expect(Object.keys(s.steps).sort()).toEqual(plan.steps.map((x) => x.id).sort());
    // AND the critical path is a chain of the graph that ends where the window closes
    const byId = new Map(plan.steps.map((x) => [x.id, x]));
    for (let i = 1; i < s.criticalPath.length; i++) expect(byId.get(s.criticalPath[i])!.dependsOn).toContain(s.criticalPath[i - 1]);
    expect(s.steps[s.criticalPath.at(-1)!].end).toBe(s.phases.beforeWindow + s.phases.inWindow);
  });

  it('has a Mermaid gantt chart that Mermaid parses, with the schedule of the plan', async () => {
    const plan = examplePlan(example);
    const md = renderRolloutReview(plan);
    const blocks = mermaidBlocks(md);
    expect(blocks, 'one mermaid block').toHaveLength(1);
    const source = blocks[0];
    // THEN Mermaid's grammar accepts it as a gantt chart
    await expect(mermaid.parse(source)).resolves.toMatchObject({ diagramType: 'gantt' });
    // AND its tasks are the plan's steps of 20 s or more, at their estimated start and end
    const tasks = (await mermaid.mermaidAPI.getDiagramFromText(source)).db.getTasks();
    const s = plan.schedule!;
    const drawn = plan.steps.filter((x) => s.steps[x.id].end - s.steps[x.id].start >= 20);
    expect(tasks.map((t) => t.task.trim()).sort()).toEqual(drawn.map((x) => x.id).sort());
    const zero = Math.min(...tasks.map((t) => t.startTime.getTime()));
    const first = tasks.find((t) => t.startTime.getTime() === zero)!;
    const offset = s.steps[first.task.trim()].start * 1000;
    for (const t of tasks) {
      const want = s.steps[t.task.trim()];
      expect([(t.startTime.getTime() - zero + offset) / 1000, (t.endTime.getTime() - zero + offset) / 1000], t.task).toEqual([want.start, want.end]);
      expect(!!t.crit, `${t.task} on the critical path`).toBe(s.criticalPath.includes(t.task.trim()));
    }
    // AND one section per node that has drawn steps, named by its host name
    const sections = [...new Set(tasks.map((t) => t.section))];
    const hosts = plan.cluster.nodes.filter((n) => drawn.some((x) => x.node === n.fqdn)).map((n) => n.fqdn.split('.')[0]);
    expect(sections).toEqual(hosts);
  });
});

describe('the gantt check itself', () => {
  it('fails a chart Mermaid cannot read, or one whose task times are not those written', async () => {
    // GIVEN a chart with a duration in an unknown unit: Mermaid keeps the task but cannot place its end
    const bad = 'gantt\n  dateFormat HH:mm:ss\n  section a\n    x :00:00:00, 4x20\n';
    const tasks = (await mermaid.mermaidAPI.getDiagramFromText(bad)).db.getTasks();
    // THEN the task's end is not 80 s after its start, which the test above would catch
    expect((tasks[0].endTime.getTime() - tasks[0].startTime.getTime()) / 1000).not.toBe(80);
    // AND a task line with a stray colon, or a chart that is not a gantt, is refused by the grammar
    await expect(mermaid.parse('gantt\n  section a\n    x :00:00:00, 30s, :: ;;\n')).rejects.toThrow(/Parse error/);
    await expect(mermaid.parse('gant\n  section a\n')).rejects.toThrow();
  });
});
