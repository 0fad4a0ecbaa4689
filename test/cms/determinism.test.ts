/**
 * The CMS planner is a pure function: same declarations, byte-identical plan.json and PLAN.md;
 * stable readable ids; a new certificate re-runs exactly the steps that serve it.
 */
import { describe, expect, it } from 'vitest';
import { readRolloutPlan, renderPlanJson, renderRolloutReview } from '../../lib/platforms';
import { stepsOf } from './helpers';
import { EXAMPLE_CERTS, FakeMaterial, declarations, planOf } from './helpers';

describe('determinism', () => {
  it('gives byte-identical plan.json and PLAN.md for the same declarations', () => {
    const a = planOf(declarations(EXAMPLE_CERTS));
    const b = planOf(declarations(EXAMPLE_CERTS));
    expect(renderPlanJson(b)).toBe(renderPlanJson(a));
    expect(renderRolloutReview(b)).toBe(renderRolloutReview(a));
  });

  it('does not depend on the order certificates are declared in', () => {
    const a = planOf(declarations(EXAMPLE_CERTS));
    const b = planOf(declarations([...EXAMPLE_CERTS].reverse()));
    expect(renderPlanJson(b)).toBe(renderPlanJson(a));
  });

  it('round-trips plan.json and marks it as a Meeting Server plan', () => {
    const p = planOf(declarations(EXAMPLE_CERTS));
    const text = renderPlanJson(p);
    expect(text.startsWith('{\n  "formatVersion": 2,\n  "platform": "cms",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(readRolloutPlan(text)).toEqual(JSON.parse(text));
    expect(readRolloutPlan(text).platform).toBe('cms');
    // A plan of the previous format, or one that names no platform, is refused, saying why
    expect(() => readRolloutPlan('{"formatVersion":1,"platform":"cms","steps":[]}')).toThrow(/plan\.json is a plan of format 1, this ucrollout reads format 2/);
    expect(() => readRolloutPlan('{"formatVersion":2,"steps":[]}')).toThrow(/plan\.json is a plan for platform undefined, which this ucrollout cannot run \(it knows cucm, cms\)/);
  });

  it('gives every step a readable unique id, the common fields and a trigger', () => {
    const p = planOf(declarations(EXAMPLE_CERTS));
    const ids = p.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const fqdns = p.cluster.nodes.map((n) => n.fqdn);
    for (const s of p.steps) {
      expect(s.id).toMatch(/^[a-z][a-z0-9-]*(\/[A-Za-z0-9._-]+)+$/);
      expect(s.cluster).toBe('meet');
      expect(fqdns).toContain(s.node);
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.reason).toMatch(/DOMAIN\.md §[46]/);
      expect(s.trigger).toMatch(/^[0-9a-f]{32}$/);
      for (const d of s.dependsOn) expect(ids.indexOf(d), `${s.id} after ${d}`).toBeLessThan(ids.indexOf(s.id));
    }
    // AND the kinds are those a CMS driver runs
    expect([...new Set(p.steps.map((s) => s.kind))].sort()).toEqual(['download-file', 'manual', 'mmp', 'upload-file', 'verify']);
  });

  it('re-runs exactly the steps of a re-issued certificate', () => {
    // GIVEN the example, then the webbridge certificate of cms1 re-issued
    const decls = declarations(EXAMPLE_CERTS);
    const material = new FakeMaterial();
    const before = planOf(decls, material);
    material.reissue(`certs/webbridge-cms1.pem`);
    const after = planOf(decls, material);
    const triggers = (p: typeof before) => new Map(p.steps.map((s) => [s.id, s.trigger]));
    const [t0, t1] = [triggers(before), triggers(after)];
    // THEN the changed steps are the webbridge steps of cms1 (new basename, new files), the read-only preflights and
    // the window's confirmation (a new change asks for the window again)
    const changed = [...t1.keys()].filter((id) => t0.get(id) !== t1.get(id)).sort();
    expect(changed).toEqual(['manual/maintenance-window', 'preflight/cms1', 'preflight/cms2', 'preflight/cms3', 'webbridge/assign/cms1', 'webbridge/check/cms1', 'webbridge/upload/cms1', 'webbridge/verify/cms1/webbridge-https']);
  });
});

describe('secrets stay out of the plan', () => {
  it('holds key files by path only, and no PEM anywhere', () => {
    const p = planOf(declarations(EXAMPLE_CERTS));
    const text = renderPlanJson(p) + renderRolloutReview(p);
    expect(text).not.toMatch(/-----BEGIN/);
    const keys = [...stepsOf(p, 'upload-file'), ...stepsOf(p, 'download-file')].flatMap((s) => s.files).filter((f) => f.content === 'private-key');
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k.sha256).toBeUndefined();
      expect(!!k.file !== !!k.fromNode).toBe(true);
    }
    expect(p.cluster.credentials).toEqual({ usernameEnv: 'UCROLLOUT_USERNAME', passwordEnv: 'UCROLLOUT_PASSWORD' });
  });
});

describe('PLAN.md', () => {
  it('warns of the database outage with its first and last step, the restarts and the interruptions', () => {
    const p = planOf(declarations(EXAMPLE_CERTS));
    const md = renderRolloutReview(p);
    const n = (id: string) => p.steps.findIndex((s) => s.id === id) + 1;
    expect(md).toContain(`OUTAGE of the database cluster (cms1.example.com, cms2.example.com, cms3.example.com) from step ${n('manual/database-outage')} (\`manual/database-outage\`) to step ${n('database/verify/cms1')} (\`database/verify/cms1\`)`);
    expect(md).toContain('| Database cluster certificates | **re-created: OUTAGE of the database cluster** |');
    expect(md).toMatch(/callbridge restart drops the calls of that server; a clustered callbridge certificate restarts one server at a time/);
    expect(md).toMatch(/webadmin, webbridge, xmpp: unavailable on each server between disable and enable/);
    expect(md).toContain('### cms2.example.com (database replica; webadmin, callbridge, webbridge, xmpp)');
    expect(md).toContain('Private key files, read only by the upload steps at apply time (never by the planner): keys/callbridge.key');
  });

  it('lists lint warnings for the reviewer', () => {
    const p = { ...planOf(declarations(EXAMPLE_CERTS)), warnings: [{ severity: 'warning' as const, code: 'CMS_CN_UNEXPECTED', message: 'x: common name' }] };
    expect(renderRolloutReview(p)).toContain('- WARNING CMS_CN_UNEXPECTED: x: common name');
  });
});
