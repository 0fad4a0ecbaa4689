/**
 * Two clean-ups of one trust store on one node (large.yaml: cup-xmpp and cup-xmpp-s2s both clean
 * cup-xmpp-trust on each IM&P node, with no edge between them) may run at once under Terraform's
 * parallelism: both list the same self-signed file, one deletes it, the other must not fail on
 * "does not exist" (the node is the truth: the file is gone, which is what the step wanted).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, IMP, Lab, startLab } from './helpers';

const RUN_ENV = { ...ENV, UCROLLOUT_MAX_WAIT_SECONDS: '0' };

describe('two clean-ups of the same store on one node, at once', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab('127.0.75.2');
    // GIVEN the rollout done up to its clean-ups (manual steps need no confirmation: dependencies are ignored)
    for (const step of lab.plan.steps) {
      if (step.kind === 'manual' || step.kind === 'cleanup') continue;
      await lab.run(step.id, { env: RUN_ENV });
    }
  }, 180_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('both end well and the self-signed file is gone', async () => {
    // GIVEN a second clean-up of cup-xmpp-trust on the IM&P node (as cup-xmpp-s2s has on large.yaml)
    const original = lab.plan.steps.find((s) => s.id === 'cup-xmpp/cleanup/cs-imp')!;
    const variant = join(lab.dir, 'out', 'plan-two-cleanups.json');
    writeFileSync(variant, JSON.stringify({ ...lab.plan, steps: [...lab.plan.steps, { ...original, id: 'cup-xmpp-s2s/cleanup/cs-imp' }] }));
    const before = lab.twin.world.node(IMP).trust['cup-xmpp-trust'].map((t) => t.fileName);
    expect(before).toContain(`${IMP}.pem`);
    // WHEN both run at once
    const outcomes = await Promise.all([
      lab.run('cup-xmpp/cleanup/cs-imp', { planPath: variant, env: RUN_ENV }),
      lab.run('cup-xmpp-s2s/cleanup/cs-imp', { planPath: variant, env: RUN_ENV }),
    ]);
    // THEN neither fails, and the file is gone
    expect(outcomes.some((o) => o.changed)).toBe(true);
    expect(lab.twin.world.node(IMP).trust['cup-xmpp-trust'].map((t) => t.fileName)).not.toContain(`${IMP}.pem`);
  });
});
