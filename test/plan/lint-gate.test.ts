/** The planner refuses certificates with lint errors and shows lint warnings in PLAN.md (issue 3). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { createLabCa, generateCsr, signCsr, writeLabCa } from '../../lib/pki';
import { prepareClusterPlan, renderReview } from '../../lib/platforms';

const dir = mkdtempSync(join(tmpdir(), 'ucr-lint-gate-'));
const CLUSTER = `
clusters:
  - name: gate
    publisher: a-pub.example.com
    subscribers: [a-sub.example.com]
certificateAuthorities:
  - { name: lab, root: ca/root.pem, intermediates: [ca/issuing.pem] }
certificates:
  - { cluster: gate, purpose: tomcat, certificate: tomcat.pem, ca: lab }
`;

beforeAll(async () => {
  const ca = await createLabCa({ intermediate: true });
  writeLabCa(ca, join(dir, 'ca'));
  writeFileSync(join(dir, 'inventory.yaml'), CLUSTER);
  const { declarations } = loadInventory(join(dir, 'inventory.yaml'));
  const cluster = declarations.clusters[0];
  // A CSR made before the subscriber joined: its SANs miss a node, a lint error. A leaf valid 10 days: a warning.
  const stale = await generateCsr({ cluster: { ...cluster, nodes: cluster.nodes.slice(0, 1) }, purpose: 'tomcat', distribution: 'multi-server' });
  writeFileSync(join(dir, 'stale-tomcat.pem'), await signCsr(ca, stale.csrPem, { purpose: 'tomcat' }));
  const rsa = await generateCsr({ cluster: declarations.clusters[0], purpose: 'tomcat', distribution: 'multi-server' });
  writeFileSync(join(dir, 'tomcat.pem'), await signCsr(ca, rsa.csrPem, { purpose: 'tomcat', days: 10 }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(certificate: string, lint?: boolean) {
  writeFileSync(join(dir, 'inventory.yaml'), CLUSTER.replace('certificate: tomcat.pem', `certificate: ${certificate}`));
  const { declarations, baseDir } = loadInventory(join(dir, 'inventory.yaml'));
  return prepareClusterPlan(declarations, 'gate', { baseDir, planDir: dir, lint }).plan;
}

describe('lint gate of the planner', () => {
  it('refuses a certificate with a lint error, naming the finding code', () => {
    expect(() => plan('stale-tomcat.pem')).toThrow(/lint SAN_MISSING_NODE: .*a-sub\.example\.com/);
  });

  it('lints only by default: lint false leaves the gate to the planner\'s own rules', () => {
    // the SAN check of the planner still refuses the stale certificate, without the lint code
    expect(() => plan('stale-tomcat.pem', false)).toThrow(/a-sub\.example\.com/);
    expect(() => plan('stale-tomcat.pem', false)).not.toThrow(/lint SAN_MISSING_NODE/);
    // and the warnings of lint are not in the plan
    expect(plan('tomcat.pem', false).warnings.map((w) => w.code)).not.toContain('CERT_EXPIRES_SOON');
  });

  it('plans a certificate with warnings and shows them in PLAN.md', () => {
    const p = plan('tomcat.pem');
    expect(p.warnings.map((w) => w.code)).toContain('CERT_EXPIRES_SOON');
    expect(renderReview(p)).toMatch(/WARNING CERT_EXPIRES_SOON/);
  });
});
