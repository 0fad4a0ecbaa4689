/**
 * End to end on the real example inventories: load, read the certificate files, plan.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { ClusterPlan, prepareClusterPlan, renderPlanJson, renderReview } from '../../lib/platforms';
import { SVC, reaches, restartSet, step } from './helpers';

const EXAMPLES = resolve(__dirname, '../../examples');

function planExample(file: string, cluster: string, planDir = EXAMPLES): ClusterPlan {
  const { declarations, baseDir } = loadInventory(join(EXAMPLES, file));
  return prepareClusterPlan(declarations, cluster, { baseDir, planDir }).plan;
}

/** Base64 lines of every PEM body in the example folders. */
function pemBodyLines(): string[] {
  const lines: string[] = [];
  for (const dir of ['ca', 'certs']) {
    for (const f of readdirSync(join(EXAMPLES, dir))) {
      const text = readFileSync(join(EXAMPLES, dir, f), 'utf8');
      lines.push(...text.split(/\r?\n/).filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)));
    }
  }
  return lines;
}

describe('examples/lab.yaml', () => {
  const p = planExample('lab.yaml', 'lab');

  it('plans tomcat and CallManager multi-server on cs-ccm-pub, cs-ccm-sub and cs-imp', () => {
    // GIVEN the lab inventory WHEN planned
    // THEN tomcat goes to all three nodes and CallManager to the two CUCM nodes
    expect(p.purposes).toEqual(['CallManager', 'tomcat']);
    expect(step(p, 'tomcat/identity/cs-ccm-pub', 'upload-identity').distributeTo).toEqual(['cs-ccm-pub.example.com', 'cs-ccm-sub.example.com', 'cs-imp.example.com']);
    expect(step(p, 'CallManager/identity/cs-ccm-pub', 'upload-identity').distributeTo).toEqual(['cs-ccm-pub.example.com', 'cs-ccm-sub.example.com']);
  });

  it('keeps the order rules on the real files', () => {
    // GIVEN the lab plan WHEN its graph is queried
    // THEN root before intermediate before leaf, ISA before the tomcat upload, publisher before subscriber
    expect(reaches(p, 'trust/tomcat-trust/corp-intermediate-1', 'trust/tomcat-trust/corp-root')).toBe(true);
    expect(reaches(p, 'tomcat/identity/cs-ccm-pub', 'trust/tomcat-trust/corp-intermediate-1')).toBe(true);
    expect(reaches(p, 'isa/restart/cs-imp', 'trust/tomcat-trust/corp-intermediate-1')).toBe(true);
    expect(reaches(p, 'tomcat/identity/cs-ccm-pub', 'isa/restart/cs-imp')).toBe(true);
    expect(reaches(p, 'tomcat/restart/cs-ccm-sub/cisco-tomcat', 'tomcat/restart/cs-ccm-pub/cisco-tomcat')).toBe(true);
    expect(reaches(p, 'tomcat/restart/cs-imp/cisco-tomcat', 'tomcat/restart/cs-ccm-sub/cisco-tomcat')).toBe(true);
    expect(reaches(p, 'CallManager/restart/cs-ccm-sub/cisco-trust-verification-service', 'CallManager/restart/cs-ccm-pub/cisco-ctimanager')).toBe(true);
    expect(reaches(p, 'tomcat/cleanup/cs-imp', 'tomcat/verify/cs-imp/https')).toBe(true);
  });

  it('has no CTL or SSO step (non-secure, SSO off) and cleans up after the seed\'s 30 minutes', () => {
    // GIVEN the lab plan WHEN read
    // THEN none of the mixed-mode / SSO steps, and the default clean-up delay (seed 002; rehearsals skip it)
    expect(p.steps.filter((s) => /ctl-update|sso-/.test(s.id))).toEqual([]);
    expect(p.steps.filter((s) => s.kind === 'cleanup').every((s) => s.waitSeconds === 1800)).toBe(true);
  });

  it('refers to the certificate files relative to the plan folder, with real fingerprints', () => {
    // GIVEN the plan written into examples/
    const id = step(p, 'tomcat/identity/cs-ccm-pub', 'upload-identity');
    // WHEN the upload is read THEN the file is a relative reference
    expect(id.certificate?.file).toBe('certs/lab-tomcat.pem');
    expect(id.certificate?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // AND from another folder it is relative to that folder
    const elsewhere = planExample('lab.yaml', 'lab', join(EXAMPLES, 'out', 'lab'));
    expect(step(elsewhere, 'tomcat/identity/cs-ccm-pub', 'upload-identity').certificate?.file).toBe('../../certs/lab-tomcat.pem');
  });

  it('plans twice to byte-identical output', () => {
    // GIVEN the lab inventory planned twice WHEN rendered THEN identical
    const again = planExample('lab.yaml', 'lab');
    expect(renderPlanJson(again)).toBe(renderPlanJson(p));
    expect(renderReview(again)).toBe(renderReview(p));
  });
});

describe('examples/large.yaml', () => {
  const p = planExample('large.yaml', 'large');

  it('drops cucm-sub5 (no Cisco CallManager) from CallManager and keeps it for tomcat', () => {
    // GIVEN the large inventory (callManagerIncludeInactiveNodes: false) WHEN planned
    const cm = step(p, 'CallManager/identity/cucm-pub', 'upload-identity').distributeTo!;
    // THEN CallManager covers the five CallManager nodes, tomcat all eight nodes
    expect(cm).toHaveLength(5);
    expect(cm).not.toContain('cucm-sub5.corp.example.com');
    expect(step(p, 'tomcat/identity/cucm-pub', 'upload-identity').distributeTo).toHaveLength(8);
    // Seed 000: its activated services (TFTP, and the TVS network service) restart all the same (issue 11)
    expect(restartSet(p, (s) => s.node === 'cucm-sub5.corp.example.com' && s.id.startsWith('CallManager/'))).toEqual([`cucm-sub5: ${SVC.TFTP}`, `cucm-sub5: ${SVC.TVS}`].sort());
    expect(restartSet(p, (s) => s.node === 'cucm-sub5.corp.example.com' && s.id.startsWith('tomcat/'))).toContain(`cucm-sub5: ${SVC.TOMCAT}`);
  });

  it('updates the CTL before every CallManager restart and wraps tomcat in SSO off / on', () => {
    // GIVEN mixed mode and SSO on WHEN planned
    const cmRestarts = p.steps.filter((s) => s.kind === 'restart-service' && s.id.startsWith('CallManager/'));
    // THEN the CTL update precedes each CallManager restart, SSO off precedes both tomcat uploads
    expect(cmRestarts.length).toBe(22);
    for (const r of cmRestarts) expect(reaches(p, r.id, 'CallManager/manual/ctl-update'), r.id).toBe(true);
    expect(reaches(p, 'tomcat/identity/cucm-pub', 'manual/sso-disable')).toBe(true);
    expect(reaches(p, 'tomcat-ECDSA/identity/cucm-pub', 'manual/sso-disable')).toBe(true);
    expect(reaches(p, 'manual/sso-enable', 'tomcat/verify/imp-sub1/https')).toBe(true);
  });

  it('restarts the federation connection manager only on imp-pub and XCP Router on both IM&P nodes', () => {
    // GIVEN imp-pub runs XMPP federation WHEN planned
    // THEN
    expect(restartSet(p, (s) => s.id.startsWith('cup-xmpp-s2s/'))).toEqual([`imp-pub: ${SVC.XCP_FEDERATION}`]);
    expect(restartSet(p, (s) => s.id.startsWith('cup-xmpp/'))).toEqual([`imp-pub: ${SVC.XCP_ROUTER}`, `imp-sub1: ${SVC.XCP_ROUTER}`]);
  });

  it('puts the Expressway-C root into tomcat-trust and CallManager-trust, before ISA and the CallManager restarts', () => {
    // GIVEN the trust entry WHEN planned
    // THEN two trust uploads; ISA waits for the tomcat-trust one, Cisco CallManager restarts for the CallManager-trust one
    expect(step(p, 'trust/tomcat-trust/expressway-c-root', 'upload-trust').store).toBe('tomcat-trust');
    expect(step(p, 'trust/CallManager-trust/expressway-c-root', 'upload-trust').store).toBe('CallManager-trust');
    expect(reaches(p, 'isa/restart/imp-pub', 'trust/tomcat-trust/expressway-c-root')).toBe(true);
    expect(reaches(p, 'CallManager/restart/cucm-sub1/cisco-callmanager', 'trust/CallManager-trust/expressway-c-root')).toBe(true);
  });

  it('uses the REST API and the declared credential variables', () => {
    // GIVEN nodeDefaults api rest WHEN planned THEN every node uses REST, addresses as declared
    expect(p.cluster.nodes.every((n) => n.api === 'rest')).toBe(true);
    expect(p.cluster.nodes[0]).toMatchObject({ fqdn: 'cucm-pub.corp.example.com', address: '10.10.0.10' });
    expect(p.cluster.credentials).toEqual({ usernameEnv: 'LARGE_CUCM_USER', passwordEnv: 'LARGE_CUCM_PASSWORD' });
  });

  it('plans twice to byte-identical output', () => {
    // GIVEN the large inventory planned twice WHEN rendered THEN identical
    const again = planExample('large.yaml', 'large');
    expect(renderPlanJson(again)).toBe(renderPlanJson(p));
    expect(renderReview(again)).toBe(renderReview(p));
  });
});

describe('no secret material in plan.json', () => {
  it.each([
    ['lab.yaml', 'lab'],
    ['large.yaml', 'large'],
  ])('%s: no PEM body, no BEGIN marker, no password', (file, cluster) => {
    // GIVEN the password variables are set
    process.env.UCROLLOUT_PASSWORD = 'Sentinel-Lab-Passw0rd';
    process.env.LARGE_CUCM_PASSWORD = 'Sentinel-Large-Passw0rd';
    try {
      // WHEN the example is planned and rendered
      const text = renderPlanJson(planExample(file, cluster));
      // THEN neither a PEM marker nor any line of a PEM body, nor a password, appears
      expect(text).not.toContain('BEGIN');
      const lines = pemBodyLines();
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.filter((l) => text.includes(l))).toEqual([]);
      expect(text).not.toMatch(/Sentinel-.*-Passw0rd/);
      expect(text).not.toMatch(/"password"\s*:/i);
    } finally {
      delete process.env.UCROLLOUT_PASSWORD;
      delete process.env.LARGE_CUCM_PASSWORD;
    }
  });
});
