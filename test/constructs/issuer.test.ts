/**
 * Issue 9, constructs: an Issuer (IssuerSource.acme | adcs | vault | command | lab) and a
 * ServiceCertificate with `issuer` synthesize to the plan the inventory gives.
 */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { AdcsAuthentication, CertificateAuthority, CertificatePurpose, CucmCluster, Issuer, IssuerSource, RolloutStack, ServiceCertificate } from '../../constructs';
import { inventoryToDeclarations } from '../../lib/inventory';
import { ClusterPlan, prepareRolloutPlan } from '../../lib/platforms';
import { EXAMPLES } from './helpers';

function issuedStack(source: IssuerSource) {
  const app = Testing.app();
  const stack = new RolloutStack(app, 'lab', { baseDir: EXAMPLES, runner: 'ucrollout' });
  const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
  const issuer = new Issuer(stack, 'CorpIssuer', { name: 'corp-issuer', source });
  const cluster = new CucmCluster(stack, 'lab', {
    publisher: { fqdn: 'cs-ccm-pub.example.com' },
    subscribers: [{ fqdn: 'cs-ccm-sub.example.com' }],
    imPresence: { databasePublisher: { fqdn: 'cs-imp.example.com' } },
  });
  new ServiceCertificate(stack, 'Tomcat', { cluster, purpose: CertificatePurpose.TOMCAT, issuer, ca, renewalGeneration: 2, extraNames: ['uc.example.com'] });
  return { stack, issuer };
}

describe('Issuer and ServiceCertificate with issuer', () => {
  it('plans the CSR on the publisher and the sign step, as the inventory does', () => {
    // GIVEN an ACME issuer and a tomcat certificate it issues, declared with constructs
    const { stack, issuer } = issuedStack(
      IssuerSource.acme({ directory: 'https://acme.corp.example/dir', dns01Hook: ['./issuers/dns-hook.sh'], externalAccountBinding: { kid: 'k1', hmacEnv: 'ACME_EAB_HMAC' } }),
    );
    expect([issuer.name, issuer.kind]).toEqual(['corp-issuer', 'acme']);
    // WHEN synthesized
    const tf = JSON.parse(Testing.synth(stack, true));
    const plan = stack._rolloutPlan() as ClusterPlan;
    // THEN the plan has the generate-csr and sign steps, each a resource
    expect(plan.steps.filter((s) => s.kind === 'generate-csr' || s.kind === 'sign').map((s) => s.id)).toEqual(['tomcat/csr/cs-ccm-pub', 'tomcat/sign/cs-ccm-pub']);
    expect(Object.keys(tf.resource.terraform_data)).toContain('tomcat__sign__cs-ccm-pub');
    // AND it is the plan of the same inventory
    const decls = inventoryToDeclarations({
      issuers: [{ name: 'corp-issuer', acme: { directory: 'https://acme.corp.example/dir', dns01Hook: ['./issuers/dns-hook.sh'], externalAccountBinding: { kid: 'k1', hmacEnv: 'ACME_EAB_HMAC' } } }],
      clusters: [{ name: 'lab', publisher: 'cs-ccm-pub.example.com', subscribers: ['cs-ccm-sub.example.com'], imPresence: { databasePublisher: 'cs-imp.example.com' } }],
      certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }],
      certificates: [{ cluster: 'lab', purpose: 'tomcat', issuer: 'corp-issuer', ca: 'corp', renewalGeneration: 2, extraNames: ['uc.example.com'] }],
    });
    const fromInventory = prepareRolloutPlan(decls, 'lab', { baseDir: EXAMPLES, planDir: (stack as unknown as { stackDir(): string }).stackDir() }).plan;
    expect(plan.steps.map((s) => `${s.id} ${s.trigger}`)).toEqual(fromInventory.steps.map((s) => `${s.id} ${s.trigger}`));
  });

  it('maps the AD CS credentials to their variables, and checks every source with the issuer normalizer', () => {
    const { issuer } = issuedStack(IssuerSource.adcs({ url: 'https://ca.corp.example/certsrv', template: 'CUCMWebServer', usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' }));
    expect(issuer._decl).toEqual({ kind: 'adcs', name: 'corp-issuer', url: 'https://ca.corp.example/certsrv', template: 'CUCMWebServer', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' } });
    const ntlm = issuedStack(IssuerSource.adcs({ url: 'https://ca.corp.example/certsrv', template: 'CUCMWebServer', authentication: AdcsAuthentication.NTLM, usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD', domain: 'CORP' }));
    expect(ntlm.issuer._decl).toMatchObject({ authentication: 'ntlm', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD', domain: 'CORP' } });
    expect(() => issuedStack(IssuerSource.vault({ address: 'http://vault.example.com', mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN' }))).toThrow(/Issuer 'CorpIssuer'\.vault\.address must be an https URL/);
    expect(() => issuedStack(IssuerSource.command({ run: [] }))).toThrow(/Issuer 'CorpIssuer'\.command\.run must be a list \[program, arguments…\]/);
    expect(issuedStack(IssuerSource.lab({ ca: 'lab-ca' })).issuer.kind).toBe('lab');
  });

  it('refuses a ServiceCertificate with both a file and an issuer, naming the props', () => {
    const app = Testing.app();
    const stack = new RolloutStack(app, 'lab', { baseDir: EXAMPLES });
    const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem' });
    const issuer = new Issuer(stack, 'Lab', { source: IssuerSource.lab({ ca: 'lab-ca' }) });
    const cluster = new CucmCluster(stack, 'lab', { publisher: { fqdn: 'cs-ccm-pub.example.com' } });
    expect(() => new ServiceCertificate(stack, 'T', { cluster, purpose: CertificatePurpose.TOMCAT, certificate: 'certs/lab-tomcat.pem', issuer, ca })).toThrow(/ServiceCertificate 'T' has both certificate and issuer/);
    expect(() => new ServiceCertificate(stack, 'U', { cluster, purpose: CertificatePurpose.TOMCAT, ca })).toThrow(/ServiceCertificate 'U'\.certificate must be a file path .*or give issuer/);
  });
});
