/**
 * The CmsCluster and CmsCertificate constructs: a Meeting Server deployment in its own
 * RolloutStack, synthesized through cdktf; errors at declaration time; enums as the model's words.
 */
import { App, Testing } from 'cdktf';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CertificateAuthority,
  CmsCertificate,
  CmsCertificateScope,
  CmsCertificateSource,
  CmsCluster,
  CmsDatabaseRole,
  CmsService,
  CucmCluster,
  RolloutStack,
} from '../../constructs';
import { CMS_DATABASE_ROLES, CMS_SERVICES } from '../../lib/model';
import { CmsClusterPlan } from '../../lib/platforms';
import { RECONCILE_RESOURCE } from '../../lib/terraform';
import { CMS1, CMS2, CMS3, stepsOf } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The example deployment, declared with the constructs. */
function meetStack(app: App = Testing.app()) {
  const stack = new RolloutStack(app, 'meet', { baseDir: EXAMPLES, runner: 'ucrollout' });
  const ca = new CertificateAuthority(stack, 'meet-ca', { root: 'certs/cms-root.pem', intermediates: ['certs/cms-issuing.pem'] });
  const cluster = new CmsCluster(stack, 'meet', {
    version: '2.9',
    clusterFqdn: 'cms.example.com',
    joinUrl: 'join.example.com',
    xmppDomains: ['example.com'],
    databaseCertificates: { caCommonName: 'example.com' },
    servers: [
      { fqdn: CMS1, services: [CmsService.WEBADMIN, CmsService.CALLBRIDGE, CmsService.WEBBRIDGE, CmsService.XMPP], databaseRole: CmsDatabaseRole.PRIMARY, ports: { 'webadmin-https': 445 } },
      { fqdn: CMS2, services: [CmsService.WEBADMIN, CmsService.CALLBRIDGE, CmsService.WEBBRIDGE, CmsService.XMPP], databaseRole: CmsDatabaseRole.REPLICA, ports: { 'webadmin-https': 445 } },
      { fqdn: CMS3, services: [CmsService.WEBADMIN, CmsService.CALLBRIDGE, CmsService.XMPP], databaseRole: CmsDatabaseRole.REPLICA },
    ],
  });
  new CmsCertificate(stack, 'Callbridge', { cluster, ca, service: CmsService.CALLBRIDGE, scope: CmsCertificateScope.CLUSTERED, certificate: 'certs/cms-callbridge.pem', key: 'keys/cms-callbridge.key' });
  new CmsCertificate(stack, 'Xmpp', { cluster, ca, service: CmsService.XMPP, source: CmsCertificateSource.SERVER_CSR, certificate: 'certs/cms-xmpp.pem' });
  new CmsCertificate(stack, 'Webbridge1', { cluster, ca, service: CmsService.WEBBRIDGE, server: CMS1, certificate: 'certs/cms-webbridge-cms1.pem', key: 'keys/cms-webbridge-cms1.key' });
  return { stack, cluster, ca };
}

describe('a Meeting Server deployment in a RolloutStack', () => {
  it('emits one terraform_data resource per plan step, depends_on the step graph', () => {
    const { stack } = meetStack();
    const tf = JSON.parse(Testing.synth(stack, true));
    const plan = stack._rolloutPlan() as CmsClusterPlan;
    expect(plan.platform).toBe('cms');
    const res = tf.resource.terraform_data;
    expect(Object.keys(res).filter((n) => n !== RECONCILE_RESOURCE)).toHaveLength(plan.steps.length);
    expect(res[RECONCILE_RESOURCE]).toBeDefined();
    const join = res['database__join__cms2'];
    expect(join.depends_on).toContain('terraform_data.database__check-primary__cms1');
    expect(join.triggers_replace.step).toBe('database/join/cms2');
    expect(join.provisioner[0]['local-exec']).toEqual({ command: 'database/join/cms2', interpreter: ['ucrollout', 'step', 'run', '--plan', 'plan.json'] });
    for (const s of plan.steps) {
      const r = res[s.id.replace(/\//g, '__')];
      expect((r.depends_on ?? []).slice().sort(), s.id).toEqual(s.dependsOn.map((d) => `terraform_data.${d.replace(/\//g, '__')}`).sort());
    }
  });

  it('writes plan.json, PLAN.md and the PEM files it sends next to cdk.tf.json', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'ucr-cms-'));
    dirs.push(outdir);
    const { stack } = meetStack(new App({ outdir }));
    App.of(stack).synth();
    const dir = join(outdir, 'stacks', 'meet');
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as CmsClusterPlan;
    expect(plan.platform).toBe('cms');
    expect(readFileSync(join(dir, 'PLAN.md'), 'utf8')).toMatch(/^# Certificate rollout plan: Meeting Server cluster `meet`/);
    const fileSteps = [...stepsOf(plan, 'upload-file'), ...stepsOf(plan, 'download-file')];
    const sent = fileSteps.flatMap((s) => s.files).filter((f) => f.file && f.sha256);
    expect(sent.length).toBeGreaterThan(0);
    for (const f of sent) expect(existsSync(join(dir, f.file!)), f.file).toBe(true);
    // The key is referenced relative to plan.json, and not written anywhere
    const key = fileSteps.flatMap((s) => s.files).find((f) => f.content === 'private-key' && f.file)!;
    expect(key.file).toMatch(/examples\/keys\/cms-callbridge\.key$/);
  });

  it('refuses a CUCM cluster and a Meeting Server cluster in one stack', () => {
    const { stack } = meetStack();
    new CucmCluster(stack, 'lab', { publisher: { fqdn: 'cs-ccm-pub.example.com' } });
    expect(() => Testing.synth(stack, true)).toThrow(/exactly one cluster, found 1 CucmCluster and 1 CmsCluster: a Meeting Server deployment is its own stack/);
  });

  it('gives its plan through _rolloutPlan() marked as a Meeting Server plan (no CUCM plan to read by mistake)', () => {
    // _plan() (the CUCM plan, refused on a Meeting Server stack) is gone: the one accessor's `platform` says which plan it is
    const plan = meetStack().stack._rolloutPlan();
    expect(plan.platform).toBe('cms');
    expect(plan.platform === 'cms' && plan.services.length).toBeGreaterThan(0);
    expect('purposes' in plan).toBe(false);
  });
});

describe('validation when declared', () => {
  it('names the prop, the value and the fix', () => {
    const stack = new RolloutStack(Testing.app(), 's');
    expect(() => new CmsCluster(stack, 'c', { version: '2.9', servers: [{ fqdn: 'not a host' }] })).toThrow(/CmsCluster 'c'\.servers\[0\]\.fqdn must be a fully qualified domain name.*"not a host"/);
    expect(() => new CmsCluster(stack, 'd', { version: '4.0', servers: [{ fqdn: CMS1 }] })).toThrow(/version must be a Meeting Server release 2\.9 or later.*"4\.0"/);
  });

  it('refuses a certificate for a server the cluster does not have', () => {
    const { stack, cluster, ca } = meetStack();
    expect(() => new CmsCertificate(stack, 'Bad', { cluster, ca, service: CmsService.WEBADMIN, server: 'cms9.example.com', certificate: 'x.pem', key: 'x.key' })).toThrow(
      /CmsCertificate 'Bad': server 'cms9\.example\.com' is not in cluster 'meet': use one of cms1\.example\.com/,
    );
  });

  it('refuses at synth what needs the whole declaration (webbridge on a server without it)', () => {
    const { stack, cluster, ca } = meetStack();
    new CmsCertificate(stack, 'WebbridgeCms3', { cluster, ca, service: CmsService.WEBBRIDGE, server: CMS3, certificate: 'certs/cms-webbridge-cms1.pem', key: 'k.key' });
    expect(() => Testing.synth(stack, true)).toThrow(/server 'cms3\.example\.com' does not run webbridge/);
  });
});

describe('enums', () => {
  it('carry the model words', () => {
    expect(Object.values(CmsService).sort()).toEqual([...CMS_SERVICES].sort());
    expect(Object.values(CmsDatabaseRole).sort()).toEqual([...CMS_DATABASE_ROLES].sort());
    expect(Object.values(CmsCertificateScope).sort()).toEqual(['clustered', 'per-server']);
    expect(Object.values(CmsCertificateSource).sort()).toEqual(['ca', 'server-csr']);
  });
});
