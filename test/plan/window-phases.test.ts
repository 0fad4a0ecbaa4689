/**
 * The window rule: "before the window" is what comes before the maintenance-window confirmation
 * (preflights, CSRs, signing, checks that change nothing), "in the window" from its end on; a step
 * users notice (SSO off) comes after the confirmation. Seed 000/001: the phones must trust TVS
 * before the CA-signed CallManager certificate is signed ("CUCMのCA署名付きSAN証明書の前に … IP
 * PhoneはTrust Verification Service(TVS)を信頼できます" / "Avant de signer le certificat SAN pour
 * CUCM, assurez-vous que le téléphone IP peut faire confiance au service … (TVS)"): that check
 * changes nothing, so it and the signing are before the window, and a pending AD CS approval stops
 * the apply before the window is declared open.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { RolloutPlan, declaredClusters, prepareRolloutPlan, renderRolloutReview } from '../../lib/platforms';
import { scheduleOf } from '../../lib/plan';
import { plan, reaches, step } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const WINDOW = 'manual/maintenance-window';

function example(name: string): RolloutPlan {
  const { declarations, baseDir } = loadInventory(join(EXAMPLES, `${name}.yaml`));
  return prepareRolloutPlan(declarations, declaredClusters(declarations)[0].name, { baseDir, planDir: baseDir }).plan;
}

/** Ids of the steps that come after `id`. */
function after(p: RolloutPlan, id: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of p.steps) if (!out.has(s.id) && s.dependsOn.some((d) => d === id || out.has(d))) (out.add(s.id), (grew = true));
  }
  return out;
}

/** Ids of the steps `id` comes after. */
function ancestors(p: RolloutPlan, id: string): Set<string> {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const out = new Set<string>();
  const stack = [...byId.get(id)!.dependsOn];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (!out.has(x)) (out.add(x), stack.push(...byId.get(x)!.dependsOn));
  }
  return out;
}

describe('the phases come from the window confirmation, not from the kinds of steps', () => {
  it('GIVEN a graph where a step of a before-kind runs after the confirmation WHEN scheduled THEN it is in the window, which opens when the confirmation ends', () => {
    // a: 10 s; the confirmation g after a (5 s); x after g (20 s); y after x, of a kind the platform puts before the window (30 s); cleanup after y
    const steps = [
      { id: 'a', dependsOn: [], s: 10, phase: 'before' as const },
      { id: 'g', dependsOn: ['a'], s: 5, phase: 'before' as const },
      { id: 'x', dependsOn: ['g'], s: 20, phase: 'in' as const },
      { id: 'y', dependsOn: ['x'], s: 30, phase: 'before' as const },
      { id: 'z', dependsOn: ['y'], s: 1, phase: 'after' as const },
    ];
    const s = scheduleOf(steps, (x) => x.s, (x) => x.phase, 'g');
    // THEN before = up to g's end (15), in = x and y (to 65), after = the clean-up
    expect(s.phases).toEqual({ beforeWindow: 15, inWindow: 50, afterWindow: 1 });
    // AND the chain of the window starts after the confirmation
    expect(s.criticalPath).toEqual(['x', 'y']);
  });

  it('GIVEN no confirmation step WHEN a before-kind step ends after the first change THEN the window opens at the first change', () => {
    // a: 10 s before; b in the window after a (20 s); a signing s after a (50 s, before by kind)
    const steps = [
      { id: 'a', dependsOn: [], s: 10, phase: 'before' as const },
      { id: 'b', dependsOn: ['a'], s: 20, phase: 'in' as const },
      { id: 's', dependsOn: ['a'], s: 50, phase: 'before' as const },
    ];
    const s = scheduleOf(steps, (x) => x.s, (x) => x.phase);
    expect(s.phases).toEqual({ beforeWindow: 10, inWindow: 20, afterWindow: 30 });
  });
});

describe('CUCM: CSRs, signing and checks that change nothing come before the window', () => {
  const p = example('issued');

  it('GIVEN examples/issued.yaml WHEN planned THEN the window confirmation waits for every CSR, every signing and the TVS check', () => {
    const before = ancestors(p, WINDOW);
    for (const s of p.steps.filter((x) => x.kind === 'generate-csr' || x.kind === 'sign')) expect(before.has(s.id), s.id).toBe(true);
    expect(before.has('CallManager/manual/phones-trust-tvs')).toBe(true);
    // AND the TVS check does not wait for the window; the CallManager signing still waits for it (seed 000)
    expect(after(p, WINDOW).has('CallManager/manual/phones-trust-tvs')).toBe(false);
    expect(p.steps.find((s) => s.id === 'CallManager/sign/cucm-pub')!.dependsOn).toContain('CallManager/manual/phones-trust-tvs');
  });

  it('GIVEN examples/issued.yaml WHEN scheduled THEN "before the window" ends when the confirmation ends, after every signing', () => {
    const s = p.schedule!;
    expect(s.phases.beforeWindow).toBe(s.steps[WINDOW].end);
    for (const x of p.steps.filter((y) => y.kind === 'generate-csr' || y.kind === 'sign')) expect(s.steps[x.id].end, x.id).toBeLessThanOrEqual(s.phases.beforeWindow);
    // AND every step after the confirmation starts in the window; the chain of the window holds none of the signing
    for (const id of after(p, WINDOW)) expect(s.steps[id].start, id).toBeGreaterThanOrEqual(s.phases.beforeWindow);
    expect(s.criticalPath.filter((id) => id.includes('/sign/') || id.includes('phones-trust-tvs'))).toEqual([]);
    // AND PLAN.md's AD CS warning says why a pending approval stops before the window
    expect(renderRolloutReview(p)).toMatch(/AD CS: .*The signing is before the maintenance window: the confirmation that the window is open waits for it/);
  });

  it('GIVEN examples/large.yaml (SSO on) WHEN planned THEN SSO is disabled only after the window is confirmed', () => {
    const large = example('large');
    expect(large.steps.find((s) => s.id === 'manual/sso-disable')!.dependsOn).toContain(WINDOW);
    expect(large.schedule!.steps['manual/sso-disable'].start).toBeGreaterThanOrEqual(large.schedule!.phases.beforeWindow);
  });

  it.each(['lab', 'large', 'issued', 'cms'])('GIVEN examples/%s.yaml WHEN planned THEN every step not after the confirmation comes before it', (name) => {
    const x = example(name);
    const later = after(x, WINDOW);
    const earlier = ancestors(x, WINDOW);
    expect(x.steps.filter((s) => s.id !== WINDOW && !later.has(s.id) && !earlier.has(s.id)).map((s) => s.id)).toEqual([]);
    expect(x.schedule!.phases.beforeWindow).toBe(x.schedule!.steps[WINDOW].end);
  });

  it('GIVEN a CallManager change WHEN planned THEN the confirmation reads as a sentence, and so does the warning', () => {
    const one = plan({ certs: [{ purpose: 'CallManager' }] });
    expect(step(one, WINDOW).description).toMatch(/^Confirm the maintenance window has started: the CallManager change restarts call processing; /);
    expect(renderRolloutReview(one)).toContain('MAINTENANCE WINDOW: the CallManager change restarts call processing services; phones re-register.');
    const two = plan({ certs: [{ purpose: 'CallManager' }, { purpose: 'CAPF', distribution: 'single-server', node: 'cs-ccm-pub.example.com' }] });
    expect(step(two, WINDOW).description).toContain('the CAPF and CallManager changes restart call processing');
    expect(reaches(two, 'CallManager/identity/cs-ccm-pub', WINDOW)).toBe(true);
  });

  it('GIVEN a manual step whose instruction is its description WHEN PLAN.md is written THEN its command cell says how it is released, not the same words again', () => {
    const md = renderRolloutReview(example('lab'));
    const row = md.split('\n').find((l) => /^\| \d+ \| `CallManager\/manual\/phones-trust-tvs` \| Confirm/.test(l))!;
    const cells = row.split(' | ');
    expect(cells[3]).toBe('(by a person) then `./ucrollout confirm CallManager/manual/phones-trust-tvs`');
    expect(cells[2]).toMatch(/^Confirm that the phones trust the TVS certificate/);
  });
});
