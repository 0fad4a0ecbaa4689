/**
 * A Meeting Server key made on the server and signed by a declared issuer (lib/issuers): phase 1
 * has a sign step instead of the manual signing step; the plan carries the issuers as a CUCM plan
 * does; PLAN.md says what is requested from whom; phase 2 plans the change as for a signed file.
 */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CertificateAuthority, CmsCertificate, CmsCertificateSource, CmsCluster, CmsService, Issuer, IssuerSource, RolloutStack } from '../../constructs';
import type { IssuerDecl } from '../../lib/issuers';
import { Declarations } from '../../lib/model';
import { planCmsCluster, renderCmsReview, CmsSignStep, validateCmsDeclarations } from '../../lib/platforms/cms';
import { CMS1, CMS2, CMS3, CLUSTER_FQDN, DOMAIN, CertSpec, FakeMaterial, declarations, errorOf, inOrder, step } from './helpers';

const VAULT: IssuerDecl = { kind: 'vault', name: 'corp-vault', address: 'https://vault.example.com:8200', mount: 'pki', role: 'cms', tokenEnv: 'VAULT_TOKEN' };
const UNUSED: IssuerDecl = { kind: 'command', name: 'unused', run: ['./sign.sh'] } as IssuerDecl;
const CA_CHAIN = [
  { file: 'ca/root.pem', sha256: 'a'.repeat(64), subject: 'CN=Corp Root CA' },
  { file: 'ca/issuing.pem', sha256: 'b'.repeat(64), subject: 'CN=Corp Issuing CA' },
];

function decls(certs: readonly CertSpec[]): Declarations {
  return { ...declarations(certs), issuers: [VAULT, UNUSED] };
}

function planned(certs: readonly CertSpec[], unsigned: readonly string[]) {
  const material = new FakeMaterial();
  for (const f of unsigned) material.unsigned.add(f);
  return planCmsCluster(decls(certs), 'meet', { material: material.lookup, fileRef: (p) => p, caChain: () => CA_CHAIN });
}

const WEBADMIN: CertSpec = { service: 'webadmin', server: CMS1, source: 'server-csr', certificate: 'certs/wa1.pem', issuer: 'corp-vault' };
const XMPP: CertSpec = { service: 'xmpp', scope: 'clustered', source: 'server-csr', certificate: 'certs/xmpp.pem', issuer: 'corp-vault' };

describe('a server-made key signed by an issuer', () => {
  it('phase 1: pki csr, the CSR fetched, then a sign step (no manual step) that writes the declared certificate', () => {
    const p = planned([WEBADMIN, XMPP], ['certs/wa1.pem', 'certs/xmpp.pem']);
    expect(p.steps.some((s) => s.kind === 'manual')).toBe(false);
    const wa = p.certificates.find((c) => c.service === 'webadmin')!;
    const sign = step(p, 'webadmin/sign/cms1') as CmsSignStep;
    expect(sign).toMatchObject({
      kind: 'sign',
      node: CMS1,
      purpose: 'webadmin',
      issuer: 'corp-vault',
      issuerKind: 'vault',
      commonName: CMS1,
      // A CA signs the SAN list: the webadmin rule has none, so the CN is the only SAN.
      altNames: [CMS1],
      csrFile: `cms-csr/${wa.basename}.csr`,
      chainFile: 'certs/wa1.pem',
      caChain: CA_CHAIN,
    });
    expect(step(p, 'webadmin/csr/cms1', 'mmp').mmp[0].command).toBe(`pki csr ${wa.basename} CN:${CMS1} subjectAltName:${CMS1}`);
    const x = step(p, 'xmpp/sign/cms1') as CmsSignStep;
    expect(x.altNames).toEqual([CLUSTER_FQDN, DOMAIN, CMS1, CMS2, CMS3]);
    inOrder(p, ['webadmin/csr/cms1', 'webadmin/download-csr/cms1', 'webadmin/sign/cms1']);
    // Phase 1 holds no upload yet; the plan carries the issuers it uses (no secret), not the unused one.
    expect(p.steps.some((s) => s.kind === 'upload-file')).toBe(false);
    expect(p.issuers).toEqual([VAULT]);
    expect(p.issuerBaseDir).toBe('.');
    expect(wa).toMatchObject({ awaitingSignature: true, issuer: 'corp-vault' });
  });

  it('PLAN.md says what is requested from whom, and that the sign steps write the certificates', () => {
    const md = renderCmsReview(planned([WEBADMIN], ['certs/wa1.pem']));
    expect(md).toContain('## Certificates requested from issuers');
    expect(md).toContain('issued by `corp-vault` (vault)');
    expect(md).toContain('requested from: Vault PKI https://vault.example.com:8200/v1/pki/sign/cms (token from VAULT_TOKEN)');
    expect(md).toContain(`CN ${CMS1}; SAN: ${CMS1}`);
    expect(md).toContain('written to `certs/wa1.pem`');
    expect(md).toMatch(/PHASE 1 OF 2: .*its sign steps have issuer corp-vault sign webadmin and write the certificates/);
    expect(md).not.toContain('VAULT_TOKEN=');
    expect(md).toMatch(/\| Manual steps \| 0 \|/);
  });

  it('phase 2: the sign step keeps its id and trigger; the change is planned after it', () => {
    const one = planned([WEBADMIN], ['certs/wa1.pem']);
    const two = planned([WEBADMIN], []);
    expect(step(two, 'webadmin/sign/cms1', 'sign').trigger).toBe(step(one, 'webadmin/sign/cms1', 'sign').trigger);
    inOrder(two, ['webadmin/sign/cms1', 'webadmin/upload/cms1', 'webadmin/assign/cms1']);
    expect(two.certificates[0].awaitingSignature).toBe(false);
  });

  it('refuses an issuer that is not declared, or on a certificate from your CA', () => {
    expect(errorOf(() => validateCmsDeclarations(decls([{ ...WEBADMIN, issuer: 'nope' }]))).message).toMatch(/issuer 'nope' is not declared/);
    expect(errorOf(() => validateCmsDeclarations(decls([{ service: 'callbridge', scope: 'clustered', key: 'k.key', issuer: 'corp-vault' }]))).message).toMatch(/only for source server-csr/);
  });
});

describe('the CmsCertificate construct with an issuer', () => {
  it('declares the issuer by name; a certificate signed by hand has none', () => {
    const app = Testing.app();
    const stack = new RolloutStack(app, 'meet', { baseDir: __dirname });
    const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
    const cluster = new CmsCluster(stack, 'meet', { version: '2.9', servers: [{ fqdn: CMS1, services: [CmsService.WEBADMIN] }] });
    const issuer = new Issuer(stack, 'corp-cmd', { source: IssuerSource.command({ run: ['./sign.sh'] }) });
    const issued = new CmsCertificate(stack, 'Webadmin', { cluster, ca, issuer, service: CmsService.WEBADMIN, server: CMS1, source: CmsCertificateSource.SERVER_CSR, certificate: 'certs/wa.pem' });
    const byHand = new CmsCertificate(stack, 'Webadmin2', { cluster, ca, service: CmsService.WEBADMIN, server: CMS1, source: CmsCertificateSource.SERVER_CSR, certificate: 'certs/wa2.pem', renewal: '2027' });
    expect(issued._decl.issuer).toBe('corp-cmd');
    expect(byHand._decl.issuer).toBeUndefined();
  });
});
