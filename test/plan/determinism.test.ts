/**
 * Same declarations in, byte-identical plan.json and PLAN.md out; triggers change only for the
 * steps of a re-issued certificate.
 */
import { describe, expect, it } from 'vitest';
import { ClusterPlan, planCluster, renderPlanJson, renderReview } from '../../lib/platforms';
import { ScenarioOptions, has, planOf, scenario, steps } from './helpers';

const ESTATE: ScenarioOptions = {
  sso: true,
  securityMode: 'mixed',
  interclusterPeers: ['imp-peer.example.net'],
  certs: [{ purpose: 'tomcat' }, { purpose: 'tomcat-ECDSA' }, { purpose: 'CallManager' }, { purpose: 'cup-xmpp' }, { purpose: 'cup-xmpp-s2s' }],
  trustEntries: [{ cluster: 'dc1', name: 'expressway-c-root', certificate: 'ca/expressway-root.pem', stores: ['tomcat-trust', 'CallManager-trust'] }],
  intermediates: 2,
};

const triggers = (p: ClusterPlan) => new Map(p.steps.map((s) => [s.id, s.trigger]));

describe('determinism', () => {
  it('plans twice to byte-identical plan.json and PLAN.md', () => {
    // GIVEN the same declarations, built twice
    const a = planOf(scenario(ESTATE));
    const b = planOf(scenario(ESTATE));
    // WHEN rendered
    // THEN byte for byte the same
    expect(renderPlanJson(b)).toBe(renderPlanJson(a));
    expect(renderReview(b)).toBe(renderReview(a));
  });

  it('does not depend on the order the certificates and trust entries are declared in', () => {
    // GIVEN the same certificates and trust entries in reverse declaration order
    const a = scenario(ESTATE);
    const reversed = { ...a.decls, certificates: [...a.decls.certificates].reverse(), trustEntries: [...a.decls.trustEntries].reverse() };
    // WHEN planned
    const b = planCluster(reversed, 'dc1', { facts: a.pki.lookup, fileRef: (p) => p });
    // THEN the same plan
    expect(renderPlanJson(b)).toBe(renderPlanJson(planOf(a)));
  });

  it('lists the steps in a dependency-respecting order with sorted dependencies', () => {
    // GIVEN the estate
    const p = planOf(scenario(ESTATE));
    // WHEN the step list is read in order
    const seen = new Set<string>();
    for (const s of p.steps) {
      // THEN every dependency appears before the step, and dependsOn is sorted
      for (const d of s.dependsOn) expect(seen.has(d), `${s.id} listed before its dependency ${d}`).toBe(true);
      expect([...s.dependsOn]).toEqual([...s.dependsOn].sort());
      seen.add(s.id);
    }
    expect(new Set(p.steps.map((s) => s.id)).size).toBe(p.steps.length);
  });
});

describe('triggers', () => {
  it('keeps every trigger for an unchanged certificate, even when the plan folder moves', () => {
    // GIVEN the same declarations planned with two different file references
    const s = scenario(ESTATE);
    const a = planCluster(s.decls, 'dc1', { facts: s.pki.lookup, fileRef: (p) => p });
    const b = planCluster(s.decls, 'dc1', { facts: s.pki.lookup, fileRef: (p) => `../../elsewhere/${p}` });
    // WHEN the triggers are compared
    // THEN every trigger is the same (only fingerprints and actions count)
    expect(triggers(b)).toEqual(triggers(a));
  });

  /** Triggers that differ after re-issuing one file. */
  function changedAfterReissue(path: string): { before: ClusterPlan; after: ClusterPlan; changed: string[] } {
    const s = scenario(ESTATE);
    const before = planOf(s);
    s.pki.reissue(path);
    const after = planOf(s);
    const old = triggers(before);
    return { before, after, changed: after.steps.filter((x) => old.get(x.id) !== x.trigger).map((x) => x.id).sort() };
  }
  /** Steps of the tomcat rollout: purpose tomcat (restarts shared with tomcat-ECDSA count), SSO steps; not the trust uploads. */
  const tomcatSteps = (p: ClusterPlan) =>
    p.steps.filter((x) => x.kind !== 'upload-trust' && (x.purpose.split('+').includes('tomcat') || x.id.startsWith('manual/sso-'))).map((x) => x.id);

  it('re-runs every tomcat step when the tomcat leaf is replaced', () => {
    // GIVEN the estate planned, then planned again with a re-issued tomcat leaf
    const { before, after, changed } = changedAfterReissue('certs/tomcat.pem');
    // WHEN the triggers are compared
    // THEN the same steps exist
    expect(after.steps.map((x) => x.id).sort()).toEqual(before.steps.map((x) => x.id).sort());
    // AND every tomcat step changed: identity, restarts, verifies, clean-ups, tomcat manual steps
    const mine = tomcatSteps(after);
    for (const id of ['tomcat/identity/cs-ccm-pub', 'tomcat/restart/cs-ccm-sub/cisco-tomcat', 'tomcat/verify/cs-ccm-pub/https', 'tomcat/cleanup/cs-imp', 'tomcat/manual/drf-backup', 'manual/sso-disable', 'manual/sso-enable']) {
      expect(mine).toContain(id);
    }
    for (const id of mine) expect(changed, id).toContain(id);
  });

  it('does not re-run CallManager, cup-xmpp, trust upload or ISA steps when the tomcat leaf is replaced', () => {
    // GIVEN a re-issued tomcat leaf
    const { after, changed } = changedAfterReissue('certs/tomcat.pem');
    // WHEN the triggers are compared
    const untouched = after.steps
      .filter(
        (x) =>
          x.id.startsWith('CallManager/') ||
          x.id.startsWith('cup-xmpp') ||
          x.kind === 'upload-trust' ||
          x.id.startsWith('isa/') ||
          x.id.startsWith('manual/intercluster-sync/') ||
          x.id === 'manual/maintenance-window',
      )
      .map((x) => x.id);
    // THEN none of them changed
    expect(untouched.length).toBeGreaterThan(20);
    expect(changed.filter((id) => untouched.includes(id))).toEqual([]);
  });

  it('re-runs nothing else than the tomcat steps and the preflights when the tomcat leaf is replaced', () => {
    // GIVEN a re-issued tomcat (RSA) leaf; tomcat-ECDSA has its own, unchanged leaf
    const { after, changed } = changedAfterReissue('certs/tomcat.pem');
    // WHEN the triggers are compared
    const mine = tomcatSteps(after);
    // THEN the only other steps that re-run are the per-node preflights (the checks before any change):
    // not the tomcat-ECDSA upload, verifies or clean-ups, whose certificate did not change
    expect(changed.filter((id) => !mine.includes(id) && !id.startsWith('preflight/'))).toEqual([]);
  });

  it('changes no tomcat trigger when only the CallManager leaf is replaced', () => {
    // GIVEN the estate, then a re-issued CallManager leaf
    const s = scenario(ESTATE);
    const before = planOf(s);
    s.pki.reissue('certs/CallManager.pem');
    const after = planOf(s);
    // WHEN compared
    const old = triggers(before);
    const changed = after.steps.filter((x) => old.get(x.id) !== x.trigger).map((x) => x.id);
    // THEN the CallManager steps changed (identity, restarts, CTL update), no tomcat or trust step did
    expect(changed).toEqual(expect.arrayContaining(['CallManager/identity/cs-ccm-pub', 'CallManager/restart/cs-ccm-sub/cisco-callmanager', 'CallManager/manual/ctl-update']));
    expect(changed.filter((id) => id.startsWith('tomcat') || id.startsWith('trust/') || id.startsWith('manual/sso-'))).toEqual([]);
  });

  it('changes the trust upload trigger when a CA certificate changes', () => {
    // GIVEN the estate, then a new intermediate under the same file name
    const s = scenario(ESTATE);
    const before = planOf(s);
    s.pki.reissue('ca/corp-intermediate-2.pem');
    const after = planOf(s);
    // WHEN compared
    const old = triggers(before);
    const changed = new Set(after.steps.filter((x) => old.get(x.id) !== x.trigger).map((x) => x.id));
    // THEN its uploads into every store re-run, the root's do not
    for (const store of ['tomcat-trust', 'CallManager-trust', 'cup-xmpp-trust']) {
      expect(changed.has(`trust/${store}/corp-intermediate-2`), store).toBe(true);
      expect(changed.has(`trust/${store}/corp-root`), store).toBe(false);
    }
    expect(has(after, 'isa/restart/cs-imp') && changed.has('isa/restart/cs-imp')).toBe(true);
  });

  it('gives every step a trigger', () => {
    // GIVEN the estate
    const p = planOf(scenario(ESTATE));
    // WHEN read THEN no step lacks a trigger
    expect(steps(p, (s) => !/^[0-9a-f]{16,}$/.test(s.trigger))).toEqual([]);
  });
});
