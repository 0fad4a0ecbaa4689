/**
 * Issue 9, the planner: an issued certificate gets a generate-csr step on the node that keeps the
 * key (multi-server: the publisher, the catalog's SANs plus extra names, the CN by release) and a
 * sign step, before its trust and identity steps; its upload and checks read the chain the sign
 * step writes; its steps are keyed on the request (declaration, issuer, renewal generation).
 */
import { describe, expect, it } from 'vitest';
import { IssuerDecl } from '../../lib/issuers';
import { CertificateDecl, Declarations } from '../../lib/model';
import { ClusterPlan, renderPlanJson, renderReview } from '../../lib/platforms';
import { cucmPhase } from '../../lib/platforms/cucm/plan';
import { IMP, IMP_SUB, PUB, SUB, SUB2, domainCoverage, isKind, planOf, reaches, scenario, step, stepsOf } from './helpers';

const ACME: IssuerDecl = { kind: 'acme', name: 'corp-acme', directory: 'https://acme.corp.example/dir', dns01Hook: ['./dns-hook.sh'], externalAccountBinding: { kid: 'k1', hmacEnv: 'ACME_EAB_HMAC' } };
const LAB: IssuerDecl = { kind: 'lab', name: 'lab', ca: 'lab-ca' };
const UNUSED: IssuerDecl = { kind: 'vault', name: 'unused', address: 'https://vault.example.com:8200', mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN' };

type Issue = Partial<Pick<CertificateDecl, 'issuer' | 'renewalGeneration' | 'extraNames' | 'commonName'>>;

/** The scenario's certificates issued (by corp-acme unless said), with the given changes per purpose. */
function issued(certs: Parameters<typeof scenario>[0]['certs'], per: Record<string, Issue> = {}, extra: Partial<Parameters<typeof scenario>[0]> = {}): ClusterPlan {
  const s = scenario({ certs, ...extra });
  const certificates = s.decls.certificates.map(({ certificate: _file, ...c }) => ({ ...c, issuer: 'corp-acme', renewalGeneration: 0, ...per[c.purpose] }));
  const decls: Declarations = { ...s.decls, certificates, issuers: [ACME, LAB, UNUSED] };
  return planOf({ ...s, decls });
}

describe('an issued multi-server certificate', () => {
  const plan = issued([{ purpose: 'tomcat' }, { purpose: 'CallManager' }], { tomcat: { extraNames: ['uc.example.com'] } });

  it('is generated on the publisher, multi-server, with the CN by release and the catalog SANs plus the extra names', () => {
    const csr = step(plan, 'tomcat/csr/cs-ccm-pub', 'generate-csr');
    expect(csr.node).toBe(PUB);
    expect(csr.distribution).toBe('multi-server');
    // 15.0: <host>-ms.<domain> (seed 000, lib/catalog MULTI_SERVER_CN_FORMS)
    expect(csr.commonName).toBe('cs-ccm-pub-ms.example.com');
    expect(csr.altNames).toEqual(['cs-ccm-pub-ms.example.com', ...domainCoverage(scenario({ certs: [] }).decls.clusters[0], 'tomcat'), 'uc.example.com']);
    expect(csr.distributeTo).toEqual([PUB, SUB, SUB2, IMP, IMP_SUB]);
    // multi-server CSRs are made over the REST API; the admin CLI makes one for this server only
    expect(csr.api).toBe('rest');
    expect(csr.csrFile).toBe('issued/tomcat-g0.csr');
  });

  it('asks for the union of the key-usage rows of the platforms it covers (tomcat on CUCM and IM&P: keyEncipherment)', () => {
    const tomcat = step(plan, 'tomcat/csr/cs-ccm-pub', 'generate-csr');
    expect([tomcat.keyType, tomcat.keyLength, tomcat.hash]).toEqual(['RSA', 2048, 'SHA-256']);
    expect(tomcat.keyUsage).toEqual(['digitalSignature', 'keyEncipherment', 'dataEncipherment']);
    expect(tomcat.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    // CallManager covers CUCM nodes only: its own row
    expect(step(plan, 'CallManager/csr/cs-ccm-pub', 'generate-csr').keyUsage).toEqual(['digitalSignature', 'dataEncipherment']);
  });

  it('is signed by its issuer with exactly the CSR names, into a chain file next to plan.json', () => {
    const sign = step(plan, 'tomcat/sign/cs-ccm-pub', 'sign');
    expect(sign.issuer).toBe('corp-acme');
    expect(sign.issuerKind).toBe('acme');
    expect(sign.altNames).toEqual(step(plan, 'tomcat/csr/cs-ccm-pub', 'generate-csr').altNames);
    expect(sign.csrFile).toBe('issued/tomcat-g0.csr');
    expect(sign.chainFile).toBe('issued/tomcat-g0.pem');
    expect(sign.caChain.map((c) => c.file)).toEqual(['ca/corp-root.pem', 'ca/corp-intermediate-1.pem']);
    expect(sign.dependsOn).toContain('tomcat/csr/cs-ccm-pub');
  });

  it('comes before the identity upload, which takes the chain file and no planned leaf', () => {
    const upload = step(plan, 'tomcat/identity/cs-ccm-pub', 'upload-identity');
    expect(upload.certificate).toBeUndefined();
    expect(upload.issued).toEqual({ chainFile: 'issued/tomcat-g0.pem', csrFile: 'issued/tomcat-g0.csr' });
    expect(upload.dependsOn).toContain('tomcat/sign/cs-ccm-pub');
    expect(reaches(plan, 'tomcat/identity/cs-ccm-pub', 'tomcat/csr/cs-ccm-pub')).toBe(true);
  });

  it('is made and signed before the maintenance window, after the preflights; CallManager is signed once the phones trust TVS', () => {
    const csr = step(plan, 'CallManager/csr/cs-ccm-pub', 'generate-csr');
    expect(csr.dependsOn).toEqual(['preflight/cs-ccm-pub', 'preflight/cs-ccm-sub', 'preflight/cs-ccm-sub2', 'preflight/cs-imp', 'preflight/cs-imp-sub']);
    expect(reaches(plan, 'CallManager/csr/cs-ccm-pub', 'manual/maintenance-window')).toBe(false);
    expect(reaches(plan, 'tomcat/sign/cs-ccm-pub', 'manual/maintenance-window')).toBe(false);
    expect(step(plan, 'CallManager/sign/cs-ccm-pub').dependsOn).toContain('CallManager/manual/phones-trust-tvs');
    expect(cucmPhase(step(plan, 'tomcat/sign/cs-ccm-pub'))).toBe('before');
    expect(cucmPhase(step(plan, 'tomcat/csr/cs-ccm-pub'))).toBe('before');
  });

  it('has its verify steps read the leaf from the chain file, the intermediates planned', () => {
    for (const v of stepsOf(plan, 'verify', (s) => s.purpose === 'tomcat')) {
      expect(v.leafFrom).toEqual({ chainFile: 'issued/tomcat-g0.pem' });
      expect(v.expectChain).toHaveLength(1);
    }
  });

  it('carries the issuers it uses (names of variables, no secret) and their folder; not the unused one', () => {
    expect(plan.issuers!.map((i) => i.name)).toEqual(['corp-acme']);
    expect(plan.issuerBaseDir).toBe('.');
    const json = renderPlanJson(plan);
    expect(json).toContain('"hmacEnv": "ACME_EAB_HMAC"');
    const cert = plan.certificates.find((c) => c.purpose === 'tomcat')!;
    expect(cert.issued).toMatchObject({ issuer: 'corp-acme', issuerKind: 'acme', csrNode: PUB, commonName: 'cs-ccm-pub-ms.example.com', renewalGeneration: 0, rehearsalOnly: false });
  });

  it('says in PLAN.md what is requested from whom', () => {
    const md = renderReview(plan);
    expect(md).toMatch(/### tomcat \(multi-server\) — issued by `corp-acme` \(acme\)/);
    expect(md).toContain('requested from: ACME directory https://acme.corp.example/dir (DNS-01 through ./dns-hook.sh, external account k1)');
    expect(md).toContain(`CN cs-ccm-pub-ms.example.com; SAN: cs-ccm-pub-ms.example.com, ${PUB}, ${SUB}, ${SUB2}, ${IMP}, ${IMP_SUB}, uc.example.com`);
    expect(md).toMatch(/the CSR is generated on cs-ccm-pub\.example\.com, which keeps the key/);
    expect(md).toMatch(/\| Steps \| \d+: 5 preflight, \d+ manual, 2 generate-csr, 2 sign,/);
  });
});

describe('the request is the trigger', () => {
  const certs = [{ purpose: 'tomcat' }, { purpose: 'CallManager' }];
  const triggers = (p: ClusterPlan) => new Map(p.steps.map((s) => [s.id, s.trigger]));

  it('gives byte-identical plans for the same declarations', () => {
    expect(renderPlanJson(issued(certs))).toBe(renderPlanJson(issued(certs)));
  });

  it('re-runs exactly the certificate steps of tomcat (and the preflights) when its renewal generation is raised, with new files', () => {
    const before = triggers(issued(certs));
    const next = issued(certs, { tomcat: { renewalGeneration: 1 } });
    const changed = next.steps.filter((s) => before.get(s.id) !== s.trigger).map((s) => s.id);
    expect(changed).toContain('tomcat/csr/cs-ccm-pub');
    expect(changed).toContain('tomcat/sign/cs-ccm-pub');
    expect(changed).toContain('tomcat/identity/cs-ccm-pub');
    expect(changed.filter((id) => !id.startsWith('tomcat/') && !id.startsWith('preflight/'))).toEqual([]);
    expect(step(next, 'tomcat/sign/cs-ccm-pub', 'sign').chainFile).toBe('issued/tomcat-g1.pem');
  });

  it('re-runs the certificate when its issuer changes, and not when an unused issuer does', () => {
    const before = triggers(issued(certs));
    const other = issued(certs, { tomcat: { issuer: 'lab' } });
    expect(before.get('tomcat/sign/cs-ccm-pub')).not.toBe(other.steps.find((s) => s.id === 'tomcat/sign/cs-ccm-pub')!.trigger);
    expect(before.get('CallManager/sign/cs-ccm-pub')).toBe(other.steps.find((s) => s.id === 'CallManager/sign/cs-ccm-pub')!.trigger);
  });

  it('marks a lab issuer as for rehearsals only', () => {
    const p = issued(certs, { tomcat: { issuer: 'lab' } });
    expect(p.certificates.find((c) => c.purpose === 'tomcat')!.issued!.rehearsalOnly).toBe(true);
    const md = renderReview(p);
    expect(md).toMatch(/issued by `lab` \(lab\) — LAB ISSUER, FOR REHEARSALS ONLY \(NOT FOR PRODUCTION\)/);
    expect(md).toMatch(/- LAB ISSUER: tomcat \(issuer lab\) is signed by a lab CA: for rehearsals on the digital twin only/);
  });
});

describe('an issued single-server certificate', () => {
  it('is generated on its node, over the admin CLI when it asks for the node name only', () => {
    const p = issued([{ purpose: 'ipsec', distribution: 'single-server', node: SUB }]);
    const csr = step(p, 'ipsec/csr/cs-ccm-sub', 'generate-csr');
    expect([csr.node, csr.api, csr.commonName, csr.altNames]).toEqual([SUB, 'cli', SUB, [SUB]]);
    expect(csr.command).toBe('set csr gen ipsec; show csr own ipsec');
    expect(csr.csrFile).toBe('issued/ipsec-cs-ccm-sub-g0.csr');
    expect(csr.distributeTo).toBeUndefined();
  });

  it('is generated over the REST API when it asks for other names or another CN', () => {
    const p = issued([{ purpose: 'ipsec', distribution: 'single-server', node: SUB }], { ipsec: { extraNames: ['vpn.example.com'] } });
    expect(step(p, 'ipsec/csr/cs-ccm-sub', 'generate-csr').api).toBe('rest');
    expect(step(p, 'ipsec/csr/cs-ccm-sub', 'generate-csr').altNames).toEqual([SUB, 'vpn.example.com']);
  });
});

describe('refusals', () => {
  it('refuses a multi-server CSR on a release without the REST API, saying what to do instead', () => {
    const s = scenario({ certs: [{ purpose: 'tomcat' }] });
    const old = s.decls.clusters[0].nodes.map((n) => ({ ...n, version: '12.5' }));
    const decls: Declarations = {
      ...s.decls,
      clusters: [{ ...s.decls.clusters[0], nodes: old }],
      certificates: s.decls.certificates.map(({ certificate: _f, ...c }) => ({ ...c, issuer: 'corp-acme', renewalGeneration: 0 })),
      issuers: [ACME],
    };
    expect(() => planOf({ ...s, decls })).toThrow(/cs-ccm-pub\.example\.com runs 12\.5: a multi-server CSR is generated over the certificate REST API \(release 14 and later\)\. Generate the CSR in Cisco Unified OS Administration/);
  });

  it('refuses an issuer that is not declared', () => {
    const s = scenario({ certs: [{ purpose: 'tomcat' }] });
    const decls: Declarations = { ...s.decls, certificates: s.decls.certificates.map(({ certificate: _f, ...c }) => ({ ...c, issuer: 'nope' })), issuers: [ACME] };
    expect(() => planOf({ ...s, decls })).toThrow(/issuer 'nope' is not declared: declare it under issuers \(corp-acme\)/);
  });

  it('keeps plans of signed files as they were: no issuers, no generate-csr or sign steps', () => {
    const p = planOf(scenario({ certs: [{ purpose: 'tomcat' }] }));
    expect(p.issuers).toBeUndefined();
    expect(p.steps.filter(isKind('generate-csr', 'sign'))).toEqual([]);
  });
});
