import { App, Testing } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CertificateAuthority,
  CertificatePurpose,
  CucmCluster,
  Distribution,
  RolloutStack,
  ServiceCertificate,
  StepResourceType,
  TrustEntry,
  TrustStore,
} from '../../constructs';
import { RECONCILE_RESOURCE } from '../../lib/terraform';
import { EXAMPLES, labStack, synthJson } from './helpers';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ucr-synth-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('RolloutStack synth', () => {
  it('emits one terraform_data resource per plan step, with readable names', () => {
    // GIVEN the lab cluster with tomcat and CallManager
    const { stack } = labStack();
    // WHEN synthesized with validations
    const tf = synthJson(stack);
    const plan = stack._rolloutPlan();
    // THEN every step has a resource named after its id, beside the reconcile resource
    const names = Object.keys(tf.resource.terraform_data).sort();
    expect(names).toContain(RECONCILE_RESOURCE);
    expect(names.filter((n) => n !== RECONCILE_RESOURCE)).toHaveLength(plan.steps.length);
    expect(names).toContain('tomcat__restart__cs-ccm-pub__cisco-tomcat');
    expect(names).toContain('trust__tomcat-trust__corp-root');
  });

  it('sets depends_on to exactly the step graph edges', () => {
    const { stack } = labStack();
    const tf = synthJson(stack);
    for (const step of stack._rolloutPlan().steps) {
      const res = tf.resource.terraform_data[step.id.replace(/\//g, '__')];
      const want = step.dependsOn.map((d) => `terraform_data.${d.replace(/\//g, '__')}`).sort();
      expect((res.depends_on ?? []).slice().sort(), step.id).toEqual(want);
    }
  });

  it('puts the trust chain before the leaf and the leaf before the restarts in depends_on', () => {
    const { stack } = labStack();
    const tf = synthJson(stack);
    const res = tf.resource.terraform_data;
    expect(res['trust__tomcat-trust__corp-intermediate-1'].depends_on).toContain('terraform_data.trust__tomcat-trust__corp-root');
    expect(res['tomcat__identity__cs-ccm-pub'].depends_on).toContain('terraform_data.trust__tomcat-trust__corp-intermediate-1');
    expect(res['tomcat__restart__cs-ccm-pub__cisco-tomcat'].depends_on).toContain('terraform_data.tomcat__identity__cs-ccm-pub');
    expect(res['tomcat__restart__cs-ccm-sub__cisco-tomcat'].depends_on).toContain('terraform_data.tomcat__restart__cs-ccm-pub__cisco-drf-local');
  });

  it('runs each step through ucrollout step run, with a fingerprint trigger', () => {
    const { stack } = labStack();
    const synth = Testing.synth(stack, true);
    expect(
      Testing.toHaveResourceWithProperties(synth, 'terraform_data', {
        provisioner: [{ 'local-exec': { command: 'tomcat/identity/cs-ccm-pub', interpreter: ['ucrollout', 'step', 'run', '--plan', 'plan.json'] } }],
      }),
    ).toBe(true);
    const res = JSON.parse(synth).resource.terraform_data['tomcat__identity__cs-ccm-pub'];
    expect(res.triggers_replace.step).toBe('tomcat/identity/cs-ccm-pub');
    expect(res.triggers_replace.trigger).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never writes a certificate body, key or password into the Terraform JSON', () => {
    const { stack } = labStack();
    const synth = Testing.synth(stack, true);
    expect(synth).not.toMatch(/BEGIN|PRIVATE|password/i);
  });

  it('keeps local state in the stack folder', () => {
    const { stack } = labStack();
    expect(synthJson(stack).terraform.backend.local.path).toBe('terraform.tfstate');
  });

  it('uses null_resource with the null provider when asked', () => {
    const { stack } = labStack(Testing.app(), { resourceType: StepResourceType.NULL_RESOURCE });
    const tf = synthJson(stack);
    expect(tf.resource.terraform_data).toBeUndefined();
    expect(tf.resource.null_resource['tomcat__identity__cs-ccm-pub'].triggers.step).toBe('tomcat/identity/cs-ccm-pub');
    expect(tf.terraform.required_providers.null.source).toBe('null');
  });

  it('re-synthesizes byte for byte the same cdk.tf.json, plan.json and PLAN.md', () => {
    const out = tempDir();
    const read = () =>
      ['cdk.tf.json', 'plan.json', 'PLAN.md'].map((f) => readFileSync(join(out, 'stacks', 'lab', f), 'utf8'));
    labStack(new App({ outdir: out })).stack.node.root;
    const app1 = new App({ outdir: out });
    labStack(app1);
    app1.synth();
    const first = read();
    const app2 = new App({ outdir: out });
    labStack(app2);
    app2.synth();
    expect(read()).toEqual(first);
    expect(first[1]).toContain('"formatVersion": 2');
    expect(first[1]).toContain('"platform": "cucm"');
    expect(first[2]).toContain('# Certificate rollout plan: cluster `lab`');
  });

  it('synthesizes the larger example with tomcat-ECDSA, cup-xmpp, s2s and a trust entry', () => {
    const app = Testing.app();
    const stack = new RolloutStack(app, 'large', { baseDir: EXAMPLES, runner: 'ucrollout' });
    const corp = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
    const cluster = new CucmCluster(stack, 'large', {
      publisher: { fqdn: 'cucm-pub.corp.example.com' },
      subscribers: [1, 2, 3, 4, 5].map((i) => ({ fqdn: `cucm-sub${i}.corp.example.com`, services: i === 5 ? ['Cisco TFTP'] : undefined })),
      imPresence: { databasePublisher: { fqdn: 'imp-pub.corp.example.com', xmppFederation: true }, subscribers: [{ fqdn: 'imp-sub1.corp.example.com' }] },
      callManagerIncludeInactiveNodes: false,
    });
    const certs: [string, CertificatePurpose, string][] = [
      ['Tomcat', CertificatePurpose.TOMCAT, 'certs/large-tomcat.pem'],
      ['TomcatEcdsa', CertificatePurpose.TOMCAT_ECDSA, 'certs/large-tomcat-ecdsa.pem'],
      ['CallManager', CertificatePurpose.CALLMANAGER, 'certs/large-callmanager.pem'],
      ['CupXmpp', CertificatePurpose.CUP_XMPP, 'certs/large-cup-xmpp.pem'],
      ['CupXmppS2s', CertificatePurpose.CUP_XMPP_S2S, 'certs/large-cup-xmpp-s2s.pem'],
    ];
    for (const [id, purpose, certificate] of certs) new ServiceCertificate(stack, id, { cluster, purpose, certificate, ca: corp });
    new TrustEntry(stack, 'expressway-c-root', { cluster, certificate: 'ca/expressway-root.pem', stores: [TrustStore.TOMCAT_TRUST, TrustStore.CALLMANAGER_TRUST] });
    const res = synthJson(stack).resource.terraform_data;
    expect(res['cup-xmpp__restart__imp-sub1__cisco-xcp-router'].depends_on).toContain('terraform_data.cup-xmpp__restart__imp-pub__cisco-xcp-router');
    expect(res['cup-xmpp-s2s__restart__imp-pub__cisco-xcp-xmpp-federation-connection-manager']).toBeDefined();
    expect(res['cup-xmpp-s2s__restart__imp-sub1__cisco-xcp-xmpp-federation-connection-manager']).toBeUndefined();
    expect(res['trust__CallManager-trust__expressway-c-root']).toBeDefined();
    expect(res['CallManager__restart__cucm-sub5__cisco-callmanager']).toBeUndefined();
    expect(res['isa__restart__imp-pub'].depends_on).toContain('terraform_data.trust__tomcat-trust__expressway-c-root');
  });
});

describe('declaration errors', () => {
  it('refuses a bad FQDN at declaration time, naming the prop', () => {
    const stack = new RolloutStack(Testing.app(), 'x');
    expect(() => new CucmCluster(stack, 'c', { publisher: { fqdn: 'not a host' } })).toThrow(/publisher\.fqdn must be a fully qualified domain name.*"not a host"/);
  });

  it('refuses a single-server certificate without node', () => {
    const { stack, cluster, ca } = labStack();
    expect(
      () =>
        new ServiceCertificate(stack, 'Cup', {
          cluster,
          purpose: CertificatePurpose.CUP,
          distribution: Distribution.SINGLE_SERVER,
          certificate: 'x.pem',
          ca,
        }),
    ).toThrow(/single-server certificate needs node/);
  });

  it('refuses a node outside the cluster, listing the nodes', () => {
    const { stack, cluster, ca } = labStack();
    expect(
      () =>
        new ServiceCertificate(stack, 'Cup', {
          cluster,
          purpose: CertificatePurpose.CUP,
          distribution: Distribution.SINGLE_SERVER,
          node: 'other.example.com',
          certificate: 'x.pem',
          ca,
        }),
    ).toThrow(/not in cluster 'lab': use one of cs-ccm-pub\.example\.com/);
  });

  it('refuses CallManager and TVS in one change at synth, with the reason', () => {
    const { stack, cluster, ca } = labStack();
    new ServiceCertificate(stack, 'Tvs', { cluster, purpose: CertificatePurpose.TVS, certificate: 'certs/lab-callmanager.pem', ca });
    expect(() => Testing.synth(stack, true)).toThrow(/CallManager and TVS in one change.*ITL/s);
  });

  it('refuses a multi-server certificate whose SANs miss a node, naming it', () => {
    // GIVEN a cluster with a second subscriber the lab certificate does not list
    const { stack } = labStack(Testing.app(), {}, { subscribers: [{ fqdn: 'cs-ccm-sub.example.com' }, { fqdn: 'cs-ccm-sub2.example.com' }] });
    expect(() => Testing.synth(stack, true)).toThrow(/misses node '?cs-ccm-sub2\.example\.com/);
  });

  it('refuses two clusters in one stack', () => {
    const { stack } = labStack();
    new CucmCluster(stack, 'second', { publisher: { fqdn: 'b-pub.example.com' } });
    expect(() => Testing.synth(stack, true)).toThrow(/exactly one CucmCluster, found 2/);
  });

  it('reports a missing certificate file with its path', () => {
    const stack = new RolloutStack(Testing.app(), 'x', { baseDir: EXAMPLES });
    const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem' });
    const cluster = new CucmCluster(stack, 'c', { publisher: { fqdn: 'a.example.com' } });
    new ServiceCertificate(stack, 'T', { cluster, purpose: CertificatePurpose.TOMCAT, certificate: 'certs/missing.pem', ca });
    expect(() => Testing.synth(stack, true)).toThrow(/certs\/missing\.pem.*ENOENT/);
  });
});
