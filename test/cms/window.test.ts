/**
 * The Meeting Server plan has the window rule of a CUCM plan: the CSRs made on the servers and
 * their signing before the window; a maintenance-window confirmation before the first change a
 * user notices (a certificate put in service: disable / certs / enable, or certs then restart;
 * the database outage); the phases computed from it. Phase 1 (docs/cms.md: CSRs only) changes
 * nothing a user notices and has no window.
 */
import { describe, expect, it } from 'vitest';
import { renderRolloutReview } from '../../lib/platforms';
import { CMS1, EXAMPLE_CERTS, FakeMaterial, declarations, has, plan, planOf, reaches, step } from './helpers';

const WINDOW = 'manual/maintenance-window';

describe('the Meeting Server maintenance window', () => {
  const p = plan(EXAMPLE_CERTS);
  const assigns = p.steps.filter((s) => s.kind === 'mmp' && s.id.split('/')[1] === 'assign');
  const signing = p.steps.filter((s) => s.kind === 'sign' || /^[^/]+\/manual\/sign\//.test(s.id));

  it('GIVEN phase 2 WHEN planned THEN one confirmation comes before every assignment and the database outage', () => {
    expect(step(p, WINDOW, 'manual').node).toBe(CMS1);
    expect(assigns.length).toBeGreaterThan(0);
    for (const a of assigns) expect(reaches(p, a.id, WINDOW), a.id).toBe(true);
    expect(reaches(p, 'manual/database-outage', WINDOW)).toBe(true);
    for (const r of p.steps.filter((s) => s.id.split('/')[1] === 'restart')) expect(reaches(p, r.id, WINDOW), r.id).toBe(true);
  });

  it('GIVEN phase 2 WHEN planned THEN the CSRs, their signing, the uploads under new basenames and the database status come before it', () => {
    expect(signing).toHaveLength(4);
    for (const s of p.steps.filter((x) => ['csr', 'download-csr'].includes(x.id.split('/')[1]) || signing.includes(x))) expect(reaches(p, WINDOW, s.id), s.id).toBe(true);
    for (const s of p.steps.filter((x) => x.kind === 'upload-file' && x.purpose !== 'database')) expect(reaches(p, WINDOW, s.id), s.id).toBe(true);
    expect(reaches(p, WINDOW, 'database/status/cms1')).toBe(true);
  });

  it('GIVEN phase 2 WHEN scheduled THEN the window opens when the confirmation ends, after the signing; its chain holds no signing', () => {
    const s = p.schedule!;
    expect(s.phases.beforeWindow).toBe(s.steps[WINDOW].end);
    for (const x of signing) expect(s.steps[x.id].end, x.id).toBeLessThanOrEqual(s.phases.beforeWindow);
    expect(s.criticalPath.filter((id) => signing.some((x) => x.id === id))).toEqual([]);
    expect(s.criticalPath[0]).toBe('manual/database-outage');
  });

  it('GIVEN phase 2 WHEN PLAN.md is written THEN the summary and the signing steps do not contradict each other; the phase table says what is before', () => {
    const md = renderRolloutReview(p);
    expect(md).not.toContain('every certificate is signed |');
    expect(md).toMatch(/\| Phase \| 2 of 2 \(the change\): the 4 certificate\(s\) made from CSRs on the servers are signed and saved; phase 1's 4 signing step\(s\) keep their ids/);
    expect(step(p, 'xmpp/manual/sign/cms1').description).toMatch(/^Confirm that CA 'corp' signed cms-csr\//);
    expect(md).toMatch(/\| before the window \| [^|]+ \| [^|]+ \| [^|]+ \| MMP logins and key lists \(preflight\); the CSRs made on the servers and fetched; their signing; .*the confirmation that the window is open \|/);
    expect(md).toMatch(/\| in the window \| [^|]+ \| [^|]+ \| [^|]+ \| the database cluster \(outage\); pki checks; assignments; restarts; TLS checks \|/);
  });

  it('GIVEN no database certificates WHEN planned THEN the first pki checks of each server too come before the window, the assignments after it', () => {
    const q = plan(EXAMPLE_CERTS, { databaseCertificates: undefined });
    // (the MMP steps of a server run in plan order: a check after that server's first assignment is in the window)
    for (const id of ['webadmin/check/cms1', 'webadmin/check/cms2', 'webadmin/check/cms3']) expect(reaches(q, WINDOW, id), id).toBe(true);
    expect(reaches(q, 'callbridge/check/cms1', WINDOW)).toBe(true);
    for (const a of q.steps.filter((s) => s.id.split('/')[1] === 'assign')) expect(reaches(q, a.id, WINDOW), a.id).toBe(true);
    expect(q.schedule!.phases.beforeWindow).toBe(q.schedule!.steps[WINDOW].end);
  });

  it('GIVEN phase 1 WHEN planned THEN no window: nothing a user notices changes', () => {
    const material = new FakeMaterial();
    material.unsigned.add('certs/xmpp.pem');
    const q = planOf(declarations(EXAMPLE_CERTS), material);
    expect(has(q, WINDOW)).toBe(false);
    expect(q.schedule!.phases.inWindow).toBe(0);
    expect(q.schedule!.phases.beforeWindow).toBe(q.schedule!.estimatedSeconds);
  });

  it('GIVEN phase 1 then phase 2 WHEN planned THEN the steps of phase 1 keep their ids and triggers (docs/cms.md)', () => {
    const decls = declarations(EXAMPLE_CERTS);
    const material = new FakeMaterial();
    material.unsigned.add('certs/xmpp.pem');
    const phase1 = planOf(decls, material);
    material.unsigned.clear();
    const phase2 = planOf(decls, material);
    // (the preflights read every certificate's fingerprint: they run again, read-only)
    for (const s of phase1.steps.filter((x) => !x.id.startsWith('preflight/'))) expect(phase2.steps.find((x) => x.id === s.id)?.trigger, s.id).toBe(s.trigger);
    expect(has(phase2, WINDOW)).toBe(true);
  });
});
