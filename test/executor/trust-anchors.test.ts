/**
 * The HTTPS trust for a node is httpsCaFile plus the tomcat chain the plan installs, nothing
 * else: a trust entry's CA (a partner's SIP-trunk CA, an Expressway root) never vouches for a
 * node, so a server holding a certificate from it for a node's name gets no password.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { httpsTrustAnchors } from '../../lib/executor/trust-anchors';
import { ClusterPlan, CucmStep, PLAN_FORMAT_VERSION, renderPlanJson } from '../../lib/platforms';
import { makeCa, makeLeaf, sharedRsaKeyPem } from '../pki/support';

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

describe('an impostor with a certificate from a trust entry CA', () => {
  it('gets no credential: the REST step refuses its TLS before any request', async () => {
    const { createServer } = await import('node:https');
    const { runStep } = await import('../../lib/executor/run-step');
    const partner = await makeCa({ name: 'CN=Partner SIP Trunk CA' });
    // The impostor: a leaf for the node's name, from the partner CA the plan uploads as a trust entry.
    const leafPem = (await makeLeaf({ issuer: partner, cn: 'pub.example.com', dns: ['pub.example.com'] })).toString();
    const keyPem = (await sharedRsaKeyPem()).toString();
    let authorization: string | undefined;
    let requests = 0;
    const server = createServer({ cert: leafPem, key: keyPem }, (req, res) => {
      requests++;
      authorization ??= req.headers.authorization;
      res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const dir = mkdtempSync(join(tmpdir(), 'impostor-'));
      writeFileSync(join(dir, 'partner.pem'), partner.pem);
      const ref = (file: string, pem: string) => ({ sha256: createHash('sha256').update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'), subject: file, file });
      const steps: CucmStep[] = [
        { ...base, node: 'pub.example.com', id: 'trust/tomcat-trust/partner', kind: 'upload-trust', purpose: 'tomcat', store: 'tomcat-trust', certificate: ref('partner.pem', partner.pem) },
      ];
      const plan: ClusterPlan = {
        formatVersion: PLAN_FORMAT_VERSION,
        platform: 'cucm',
        cluster: {
          name: 'lab',
          securityMode: 'non-secure',
          sso: false,
          credentials: { usernameEnv: 'IMP_USER', passwordEnv: 'IMP_PASSWORD' },
          interclusterPeers: [],
          nodes: [{ fqdn: 'pub.example.com', role: 'publisher', platform: 'cucm', address: '127.0.0.1', api: 'rest', services: [], sshHostKeys: [], ports: { https: port } }],
        },
        purposes: ['tomcat'],
        certificates: [],
        warnings: [],
        steps,
      };
      writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
      const err = await runStep({ planPath: join(dir, 'plan.json'), stepId: steps[0].id, env: { IMP_USER: 'admin', IMP_PASSWORD: 'the-admin-password' }, dependencies: 'ignore' }).catch((e: Error) => e);
      expect(String(err)).toMatch(/not trusted/);
      expect(requests).toBe(0);
      expect(authorization).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
