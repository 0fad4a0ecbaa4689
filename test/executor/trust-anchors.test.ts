/**
 * The HTTPS trust for a node is httpsCaFile plus the tomcat chain the plan installs, nothing
 * else: a trust entry's CA (a partner's SIP-trunk CA, an Expressway root) never vouches for a
 * node, so a server holding a certificate from it for a node's name gets no password.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { httpsTrustAnchors } from '../../lib/executor/trust-anchors';
import { ClusterPlan, CucmStep, PLAN_FORMAT_VERSION, renderPlanJson } from '../../lib/platforms';
import { makeCa } from '../pki/support';

const base = { cluster: 'lab', node: 'pub.example.com', dependsOn: [], description: 'd', command: 'c', reason: 'r', trigger: 't' };

describe('HTTPS trust anchors', () => {
  it('hold the tomcat CA chain and httpsCaFile, never a trust entry or another purpose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchors-'));
    const [corp, partner, cm, https] = await Promise.all(['Corp Root', 'Partner Root', 'CallManager Root', 'Web Root'].map((name) => makeCa({ name })));
    const files = { corp: 'corp.pem', partner: 'partner.pem', cm: 'cm.pem', https: 'https-ca.pem', leaf: 'leaf.pem' };
    writeFileSync(join(dir, files.corp), corp.pem);
    writeFileSync(join(dir, files.partner), partner.pem);
    writeFileSync(join(dir, files.cm), cm.pem);
    writeFileSync(join(dir, files.https), https.pem);
    const ref = (file: string) => ({ sha256: 'x', subject: file, file });
    const steps: CucmStep[] = [
      // A trust entry: uploaded to tomcat-trust, but not the chain of the node's own certificate.
      { ...base, id: 'trust/tomcat-trust/partner', kind: 'upload-trust', purpose: 'tomcat', store: 'tomcat-trust', certificate: ref(files.partner) },
      { ...base, id: 'trust/tomcat-trust/corp', kind: 'upload-trust', purpose: 'tomcat', store: 'tomcat-trust', certificate: ref(files.corp) },
      { ...base, id: 'tomcat/identity/pub', kind: 'upload-identity', purpose: 'tomcat', certificate: ref(files.leaf), chain: [ref(files.corp)], distribution: 'multi-server' },
      { ...base, id: 'CallManager/identity/pub', kind: 'upload-identity', purpose: 'CallManager', certificate: ref(files.leaf), chain: [ref(files.cm)], distribution: 'multi-server' },
    ];
    const plan: ClusterPlan = {
      formatVersion: PLAN_FORMAT_VERSION,
      platform: 'cucm',
      cluster: { name: 'lab', securityMode: 'non-secure', sso: false, credentials: { usernameEnv: 'U', passwordEnv: 'P' }, httpsCaFile: files.https, interclusterPeers: [], nodes: [] },
      purposes: ['tomcat'],
      certificates: [],
      warnings: [],
      steps,
    };
    writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
    const anchors = httpsTrustAnchors(loadPlanFile(join(dir, 'plan.json'))).map((p) => p.replace(/\s+/g, ''));
    const has = (pem: string) => anchors.includes(pem.replace(/\s+/g, ''));
    expect(has(corp.pem)).toBe(true);
    expect(has(https.pem)).toBe(true);
    expect(has(partner.pem)).toBe(false);
    expect(has(cm.pem)).toBe(false);
    expect(anchors).toHaveLength(2);
  });
});
