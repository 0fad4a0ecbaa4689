/**
 * plan.json (format version 2) and PLAN.md, the review document.
 */
import { describe, expect, it } from 'vitest';
import { CMS_STEP_KINDS, CUCM_STEP_KINDS, readRolloutPlan, renderPlanJson, renderReview } from '../../lib/platforms';
import { EXAMPLE_CERTS, plan as cmsPlan } from '../cms/helpers';
import { IMP, PUB, plan, planOf, scenario, step } from './helpers';

const full = () =>
  plan({
    sso: true,
    securityMode: 'mixed',
    certs: [{ purpose: 'tomcat' }, { purpose: 'CallManager' }, { purpose: 'cup-xmpp' }],
    trustEntries: [{ cluster: 'dc1', name: 'expressway-c-root', certificate: 'ca/expressway-root.pem', stores: ['tomcat-trust'] }],
  });

/** The full scenario's certificates issued by an issuer instead of declared files. */
const issuedPlan = () => {
  const s = scenario({ certs: [{ purpose: 'tomcat' }, { purpose: 'CallManager' }] });
  const certificates = s.decls.certificates.map(({ certificate: _file, ...c }) => ({ ...c, issuer: 'corp-vault', renewalGeneration: 0 }));
  const issuers = [{ kind: 'vault' as const, name: 'corp-vault', address: 'https://vault.example.com:8200', mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN' }];
  return planOf({ ...s, decls: { ...s.decls, certificates, issuers } });
};

describe('plan.json', () => {
  it('has formatVersion 2, platform cucm and a steps array, and parses back', () => {
    // GIVEN a plan
    const p = full();
    // WHEN rendered and parsed
    const text = renderPlanJson(p);
    const data = JSON.parse(text);
    // THEN format version 2, platform cucm, steps, two-space indent, one trailing newline
    expect(data.formatVersion).toBe(2);
    expect(data.platform).toBe('cucm');
    expect(Array.isArray(data.steps)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "formatVersion": 2,\n  "platform": "cucm",')).toBe(true);
    expect(readRolloutPlan(text)).toEqual(data);
  });

  it('uses every step kind of the issue', () => {
    // GIVEN a CUCM plan with every kind of work, and the Meeting Server example's plan
    const p = full();
    const cms = cmsPlan(EXAMPLE_CERTS);
    // WHEN the kinds are collected THEN the CUCM plan has each of its seven kinds, the CMS plan
    // its three (mmp, upload-file, download-file) besides manual and verify; together: every kind the platforms declare
    const cucmKinds = [...new Set(p.steps.map((s) => s.kind))].sort();
    expect(cucmKinds).toEqual(['cleanup', 'manual', 'preflight', 'restart-service', 'upload-identity', 'upload-trust', 'verify']);
    expect([...new Set(cms.steps.map((s) => s.kind))].sort()).toEqual(['download-file', 'manual', 'mmp', 'upload-file', 'verify']);
    // AND a plan of issued certificates (issue 9) adds the CSR made on the node and its signature
    const issuedKinds = [...new Set(issuedPlan().steps.map((s) => s.kind))].filter((k) => !cucmKinds.includes(k)).sort();
    expect(issuedKinds).toEqual(['generate-csr', 'sign']);
    const allCucm = [...cucmKinds, ...issuedKinds].sort();
    expect([...new Set([...allCucm, ...cms.steps.map((s) => s.kind)])].sort()).toEqual([...new Set([...CUCM_STEP_KINDS, ...CMS_STEP_KINDS])].sort());
    expect([...CUCM_STEP_KINDS].sort()).toEqual(allCucm);
  });

  it('gives every step id, kind, cluster, node (FQDN), purpose, dependsOn, description and command', () => {
    // GIVEN a plan
    const p = full();
    const fqdns = p.cluster.nodes.map((n) => n.fqdn);
    for (const s of p.steps) {
      // WHEN each step is read THEN the common fields are there
      expect(s.id, s.id).toMatch(/^[A-Za-z][A-Za-z0-9._/-]*$/);
      expect(s.cluster).toBe('dc1');
      expect(fqdns, s.id).toContain(s.node);
      expect(s.purpose.length, s.id).toBeGreaterThan(0);
      expect(Array.isArray(s.dependsOn)).toBe(true);
      expect(s.description.length, s.id).toBeGreaterThan(0);
      expect(s.command.length, s.id).toBeGreaterThan(0);
    }
  });

  it('gives upload-trust a store and certificate, restart-service a service and its CLI command', () => {
    // GIVEN a plan
    const p = full();
    // WHEN the kinds are checked
    for (const s of p.steps) {
      if (s.kind === 'upload-trust') {
        // THEN trust uploads name the store and the certificate by fingerprint and subject
        expect(s.store, s.id).toMatch(/-trust$/);
        expect(s.certificate?.sha256, s.id).toMatch(/^[0-9a-f]{64}$/);
        expect(s.certificate?.subject, s.id).toMatch(/CN=/);
        expect(s.command).toBe(`set cert import trust ${s.store!.replace(/-trust$/, '')}`);
      }
      if (s.kind === 'upload-identity') {
        expect(s.certificate?.sha256, s.id).toMatch(/^[0-9a-f]{64}$/);
        expect(s.command).toBe(`set cert import own ${s.purpose}`);
      }
      if (s.kind === 'restart-service') {
        // AND restarts the service with the command an engineer would type
        expect(s.service, s.id).toBeTruthy();
        expect(s.command).toBe(`utils service restart ${s.service}`);
      }
    }
    expect(step(p, 'tomcat/restart/cs-ccm-sub/cisco-tomcat').command).toBe('utils service restart Cisco Tomcat');
  });

  it('uploads a multi-server certificate once, on the publisher, distributed to every covered node', () => {
    // GIVEN tomcat and cup-xmpp multi-server certificates
    const p = full();
    // WHEN the identity steps are read
    const identities = p.steps.filter((s) => s.kind === 'upload-identity');
    // THEN one each; tomcat on the CUCM publisher to all five nodes, cup-xmpp on the IM&P database publisher to the IM&P nodes
    expect(identities.map((s) => s.id).sort()).toEqual(['CallManager/identity/cs-ccm-pub', 'cup-xmpp/identity/cs-imp', 'tomcat/identity/cs-ccm-pub']);
    expect(step(p, 'tomcat/identity/cs-ccm-pub')).toMatchObject({ node: PUB, distribution: 'multi-server' });
    expect(step(p, 'tomcat/identity/cs-ccm-pub', 'upload-identity').distributeTo).toHaveLength(5);
    expect(step(p, 'cup-xmpp/identity/cs-imp')).toMatchObject({ node: IMP, distributeTo: [IMP, 'cs-imp-sub.example.com'] });
  });

  it('lists the cluster nodes in rollout order with their platform', () => {
    // GIVEN a plan
    const p = full();
    // WHEN the node list is read THEN CUCM publisher, subscribers, IM&P database publisher, IM&P subscriber
    expect(p.cluster.nodes.map((n) => `${n.role}/${n.platform}`)).toEqual([
      'publisher/cucm',
      'subscriber/cucm',
      'subscriber/cucm',
      'imp-database-publisher/imp',
      'imp-subscriber/imp',
    ]);
    expect(p.purposes).toEqual(['CallManager', 'cup-xmpp', 'tomcat']);
  });

  it('carries credential references, never a password', () => {
    // GIVEN the password variable is set in the environment
    process.env.DC1_PASSWORD = 'Sentinel-Passw0rd-4711';
    try {
      // WHEN planned and rendered
      const text = renderPlanJson(full());
      // THEN the variable name is there, its value is not
      expect(JSON.parse(text).cluster.credentials).toEqual({ usernameEnv: 'DC1_USER', passwordEnv: 'DC1_PASSWORD' });
      expect(text).not.toContain('Sentinel-Passw0rd-4711');
      expect(text).not.toMatch(/"password"\s*:/i);
      expect(text).not.toContain('BEGIN');
    } finally {
      delete process.env.DC1_PASSWORD;
    }
  });
});

describe('PLAN.md', () => {
  it('summarises clusters, purposes, nodes, restarts, warnings and manual steps', () => {
    // GIVEN a mixed-mode, SSO plan with tomcat, CallManager and cup-xmpp
    const p = full();
    // WHEN the review is rendered
    const md = renderReview(p);
    // THEN the summary and the warnings a change board needs are there
    expect(md).toContain('# Certificate rollout plan: cluster `dc1`');
    expect(md).toContain('| Purposes | CallManager, cup-xmpp, tomcat |');
    expect(md).toMatch(/\| Nodes touched \| 5 of 5: /);
    expect(md).toMatch(/\| Services restarted \| .*Cisco Tomcat ×5/);
    expect(md).toContain('MAINTENANCE WINDOW');
    expect(md).toMatch(/Mixed mode: the CTL file is updated/);
    expect(md).toMatch(/SSO is enabled/);
    // AND every manual step is listed with its id
    for (const s of p.steps.filter((x) => x.kind === 'manual')) expect(md).toContain(`**${s.id}**`);
    // AND every step appears in the full order with its reason
    for (const s of p.steps) expect(md).toContain(`\`${s.id}\` [${s.kind}]`);
  });

  it('has a section per node with the node steps', () => {
    // GIVEN a plan
    const p = full();
    // WHEN rendered
    const md = renderReview(p);
    // THEN each node has its heading
    for (const n of p.cluster.nodes) expect(md).toContain(`### ${n.fqdn} (${n.role}`);
  });

  it('lists no manual step and no maintenance window for a single-server cup change', () => {
    // GIVEN a single-server cup change (no window, no SSO, no multi-server)
    const p = plan({ cleanupDelaySeconds: 0, certs: [{ purpose: 'cup', distribution: 'single-server', node: IMP }] });
    // WHEN rendered
    const md = renderReview(p);
    // THEN no manual steps and no maintenance window
    expect(md).toMatch(/## Manual steps[^\n]*\n\nNone\./);
    expect(md).not.toContain('MAINTENANCE WINDOW');
  });
});

describe('PLAN.md for a change reviewer', () => {
  it('lists each certificate with its file, SANs, dates and nodes, names the nodes left out, and has a backout section', async () => {
    const { prepareClusterPlan, renderReview } = await import('../../lib/platforms');
    const { loadInventory } = await import('../../lib/inventory');
    const { join } = await import('node:path');
    // GIVEN the large example, whose cucm-sub5 is dropped from the CallManager SAN list
    const { declarations, baseDir } = loadInventory(join(__dirname, '..', '..', 'examples', 'large.yaml'));
    const md = renderReview(prepareClusterPlan(declarations, 'large', { baseDir, planDir: baseDir }).plan);
    // THEN
    expect(md).toContain('### CallManager (multi-server) — `certs/large-callmanager.pem`');
    expect(md).toMatch(/valid 2026-01-01T00:00:00\.000Z → 2036-01-01T00:00:00\.000Z/);
    expect(md).toMatch(/cucm-sub5\.corp\.example\.com not in the CallManager SAN list: it keeps its current \(self-signed\) CallManager certificate/);
    expect(md).toContain('## Backout');
    expect(md).toContain('as many at a time as `-parallelism` allows');
  });
});
