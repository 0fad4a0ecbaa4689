/**
 * Keys made on the server (`pki csr` on the MMP), the manual signing step, and the basename
 * rule: a proactive renewal never reuses the basename of the key in service (DOMAIN.md §4).
 */
import { describe, expect, it } from 'vitest';
import { renderRolloutReview } from '../../lib/platforms';
import { CLUSTER_FQDN, CMS1, CMS2, CMS3, DOMAIN, EXAMPLE_CERTS, FakeMaterial, commands, declarations, errorOf, inOrder, plan, planOf, reaches, step } from './helpers';

const basename = (p: ReturnType<typeof plan>, service: string) => p.certificates.find((c) => c.service === service)!.basename;

describe('a key made on the server', () => {
  it('runs pki csr, fetches the CSR, waits for the CA, then uploads and assigns', () => {
    const p = plan([{ service: 'webadmin', server: CMS1, source: 'server-csr' }]);
    const n = basename(p, 'webadmin');
    expect(commands(p, 'webadmin/csr/cms1')).toEqual([`pki csr ${n} CN:${CMS1}`]);
    expect(step(p, 'webadmin/download-csr/cms1')).toMatchObject({ kind: 'download-file', files: [{ name: `${n}.csr`, content: 'csr', file: `cms-csr/${n}.csr` }] });
    expect(step(p, 'webadmin/manual/sign/cms1').kind).toBe('manual');
    inOrder(p, ['webadmin/csr/cms1', 'webadmin/download-csr/cms1', 'webadmin/manual/sign/cms1', 'webadmin/upload/cms1', 'webadmin/check/cms1', 'webadmin/assign/cms1']);
    // AND the key never travels: the upload sends the signed certificate and the bundle only
    expect(step(p, 'webadmin/upload/cms1', 'upload-file').files!.map((f) => f.content)).toEqual(['certificate', 'ca-bundle']);
  });

  it('makes a clustered key on the first peer and copies it to the others over SFTP', () => {
    const p = plan([{ service: 'xmpp', scope: 'clustered', source: 'server-csr' }]);
    const n = basename(p, 'xmpp');
    expect(step(p, 'xmpp/csr/cms1').node).toBe(CMS1);
    expect(commands(p, 'xmpp/csr/cms1')).toEqual([`pki csr ${n} CN:${CLUSTER_FQDN} subjectAltName:${CLUSTER_FQDN},${DOMAIN},${CMS1},${CMS2},${CMS3}`]);
    const key = step(p, 'xmpp/upload/cms3', 'upload-file').files!.find((f) => f.content === 'private-key')!;
    expect(key).toEqual({ name: `${n}.key`, content: 'private-key', fromNode: CMS1 });
    expect(step(p, 'xmpp/upload/cms1', 'upload-file').files!.some((f) => f.content === 'private-key')).toBe(false);
    expect(reaches(p, 'xmpp/upload/cms3', 'xmpp/manual/sign/cms1')).toBe(true);
  });

  it('skips pki csr when its key and CSR are there, and refuses it over a key without its CSR', () => {
    const p = plan([{ service: 'webadmin', server: CMS1, source: 'server-csr' }]);
    const n = basename(p, 'webadmin');
    const s = step(p, 'webadmin/csr/cms1', 'mmp');
    const listing = (files: string[]) => files.join('\n');
    const all = (res: readonly string[], text: string) => res.every((r) => new RegExp(r, 'mi').test(text));
    expect(s.doneWhen!.mmp).toBe('pki list');
    expect(all(s.doneWhen!.matches!, listing([`${n}.key`, `${n}.csr`]))).toBe(true);
    expect(all(s.doneWhen!.matches!, listing([`${n}.key`]))).toBe(false);
    expect(all(s.refuseWhen!.matches!, listing([`${n}.key`, 'webadmin.crt']))).toBe(true);
    expect(all(s.refuseWhen!.matches!, listing([`${n}-old.key`]))).toBe(false);
    expect(s.refuseWhen!.message).toMatch(/break that service at once/);
  });
});

describe('a renewal never reuses the basename of the key in service', () => {
  it('names a CA certificate after its fingerprint: a new certificate gets a new basename', () => {
    const decls = declarations([{ service: 'callbridge', scope: 'clustered' }]);
    const material = new FakeMaterial();
    const before = planOf(decls, material);
    material.reissue('certs/callbridge.pem');
    const after = planOf(decls, material);
    expect(basename(before, 'callbridge')).toBe(`callbridge-${before.certificates[0].certificate.sha256!.slice(0, 8)}`);
    expect(basename(after, 'callbridge')).not.toBe(basename(before, 'callbridge'));
  });

  it('names a server-made key after its CSR; a renewal label gives unchanged names a new one', () => {
    const a = plan([{ service: 'webadmin', server: CMS1, source: 'server-csr' }]);
    const again = plan([{ service: 'webadmin', server: CMS1, source: 'server-csr' }]);
    const renewed = plan([{ service: 'webadmin', server: CMS1, source: 'server-csr', renewal: '2027' }]);
    expect(basename(again, 'webadmin')).toBe(basename(a, 'webadmin'));
    expect(basename(renewed, 'webadmin')).not.toBe(basename(a, 'webadmin'));
    expect(basename(a, 'webadmin')).toMatch(/^webadmin-[0-9a-f]{8}$/);
  });

  it('never picks the bare service name (the usual basename in service)', () => {
    const p = plan(EXAMPLE_CERTS);
    for (const c of p.certificates) expect(c.basename).not.toBe(c.service);
  });

  it('says so in the step descriptions and PLAN.md', () => {
    const p = plan(EXAMPLE_CERTS);
    const n = basename(p, 'callbridge');
    expect(step(p, 'callbridge/upload/cms2').description).toContain(`basename ${n}: new basename from the certificate fingerprint, never the key in service`);
    expect(step(p, 'webadmin/csr/cms1').description).toContain('never the key in service');
    const md = renderRolloutReview(p);
    expect(md).toContain('## Certificates and their basenames on the servers');
    expect(md).toContain(`callbridge (clustered) uses the new basename \`${n}\``);
  });

  it('keeps a declared basename, refuses a bad one and two certificates with one basename on a server', () => {
    expect(basename(plan([{ service: 'webadmin', server: CMS1, basename: 'wa_2027' }]), 'webadmin')).toBe('wa_2027');
    expect(errorOf(() => plan([{ service: 'webadmin', server: CMS1, basename: 'web admin' }])).message).toMatch(/basename must hold only letters, digits, '-' and '_'.*"web admin"/);
    expect(
      errorOf(() => plan([{ service: 'webadmin', server: CMS1, basename: 'same' }, { service: 'callbridge', server: CMS1, basename: 'same' }])).message,
    ).toMatch(/both use basename 'same' on cms1\.example\.com: give one another basename/);
  });
});

describe('phase 1: CSRs made on the servers await the CA', () => {
  it('plans only the CSR part while a signed certificate is missing', () => {
    // GIVEN the example, the xmpp certificate not signed yet
    const material = new FakeMaterial();
    material.unsigned.add('certs/xmpp.pem');
    const p = planOf(declarations(EXAMPLE_CERTS), material);
    // THEN only preflights, CSRs, downloads and signing steps are planned
    expect([...new Set(p.steps.map((s) => s.id.split('/').slice(0, 2).join('/')))].sort()).toEqual(
      ['preflight/cms1', 'preflight/cms2', 'preflight/cms3', 'webadmin/csr', 'webadmin/download-csr', 'webadmin/manual', 'xmpp/csr', 'xmpp/download-csr', 'xmpp/manual'].sort(),
    );
    expect(p.certificates.find((c) => c.service === 'xmpp')!.awaitingSignature).toBe(true);
    expect(p.databaseCertificates).toBe(false);
    expect(step(p, 'xmpp/manual/sign/cms1').description).toMatch(/run ucrollout plan again/);
    expect(renderRolloutReview(p)).toContain('PHASE 1 OF 2');
  });

  it('keeps the CSR steps and their triggers when the signed certificate appears', () => {
    const decls = declarations(EXAMPLE_CERTS);
    const material = new FakeMaterial();
    material.unsigned.add('certs/xmpp.pem');
    const phase1 = planOf(decls, material);
    material.unsigned.clear();
    const phase2 = planOf(decls, material);
    for (const s of phase1.steps.filter((x) => !x.id.startsWith('preflight/'))) {
      expect(phase2.steps.find((x) => x.id === s.id)?.trigger, s.id).toBe(s.trigger);
    }
    expect(phase2.steps.length).toBeGreaterThan(phase1.steps.length);
  });

  it('starts the database outage only after every CSR was signed', () => {
    const p = plan(EXAMPLE_CERTS);
    for (const id of ['webadmin/manual/sign/cms1', 'webadmin/manual/sign/cms3', 'xmpp/manual/sign/cms1']) {
      expect(reaches(p, 'manual/database-outage', id)).toBe(true);
    }
  });
});
