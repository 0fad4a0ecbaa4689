/**
 * One validation path: the same bad input through the inventory loader and through the
 * construct gives the same problem text; only the location differs (the path in the file,
 * or the construct and its prop).
 */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  CertificateAuthority,
  CertificatePurpose,
  CmsCertificate,
  CmsCluster,
  CmsService,
  CucmCluster,
  Distribution,
  RolloutStack,
  ServiceCertificate,
  TrustEntry,
  TrustStore,
} from '../../constructs';
import { inventoryToDeclarations } from '../../lib/inventory';
import { DeclarationError } from '../../lib/model';

const PUB = 'cs-ccm-pub.example.com';
const CMS1 = 'cms1.example.com';

function inventory(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clusters: [{ name: 'lab', publisher: PUB }],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
    certificates: [{ cluster: 'lab', purpose: 'tomcat', certificate: 'certs/tomcat.pem', ca: 'corp' }],
    cmsClusters: [{ name: 'meet', version: '3.8', servers: [{ fqdn: CMS1, services: ['webadmin'] }] }],
    cmsCertificates: [{ cluster: 'meet', service: 'webadmin', server: CMS1, certificate: 'c.pem', key: 'k.key', ca: 'corp' }],
    ...over,
  };
}

/** The problems an inventory gives, each without its location `inv.yaml: <path>`. */
function inventoryProblems(data: unknown, path: string): string[] {
  try {
    inventoryToDeclarations(data, 'inv.yaml');
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    const prefix = `inv.yaml: ${path}`;
    return e.problems.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  }
  throw new Error('the inventory was accepted');
}

/** The problems a construct throws, each without its location `<Construct> '<id>'`. */
function constructProblems(declare: () => unknown, at: string): string[] {
  try {
    declare();
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    expect(e.problems.every((p) => p.startsWith(at)), e.problems.join('\n')).toBe(true);
    return e.problems.map((p) => p.slice(at.length));
  }
  throw new Error('the construct was accepted');
}

function cucmScope() {
  const stack = new RolloutStack(Testing.app(), 'lab');
  const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem' });
  const cluster = new CucmCluster(stack, 'lab', { publisher: { fqdn: PUB } });
  return { stack, ca, cluster };
}

function cmsScope() {
  const stack = new RolloutStack(Testing.app(), 'meet');
  const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem' });
  const cluster = new CmsCluster(stack, 'meet', { version: '3.8', servers: [{ fqdn: CMS1, services: [CmsService.WEBADMIN] }] });
  return { stack, ca, cluster };
}

describe('the inventory and the constructs give the same problem text', () => {
  it('a bad CA name', () => {
    // GIVEN the CA name '1corp' in the inventory and in the construct
    const fromFile = inventoryProblems(inventory({ certificateAuthorities: [{ name: '1corp', root: 'ca/root.pem' }] }), 'certificateAuthorities[0]');
    const fromConstruct = constructProblems(
      () => new CertificateAuthority(new RolloutStack(Testing.app(), 's'), 'corp', { name: '1corp', root: 'ca/root.pem' }),
      "CertificateAuthority 'corp'",
    );
    // THEN the same problem, naming the field
    expect(fromFile).toEqual(['.name must start with a letter and hold only letters, digits, \'-\' and \'_\' (at most 63), got "1corp"']);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a missing CA root', () => {
    const fromFile = inventoryProblems(inventory({ certificateAuthorities: [{ name: 'corp' }] }), 'certificateAuthorities[0]');
    const fromConstruct = constructProblems(
      () => new CertificateAuthority(new RolloutStack(Testing.app(), 's'), 'corp', { root: undefined as unknown as string }),
      "CertificateAuthority 'corp'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]).toMatch(/^\.root must be a file path/);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a missing certificate path', () => {
    const fromFile = inventoryProblems(inventory({ certificates: [{ cluster: 'lab', purpose: 'tomcat', ca: 'corp' }] }), 'certificates[0]');
    const { stack, ca, cluster } = cucmScope();
    const fromConstruct = constructProblems(
      () => new ServiceCertificate(stack, 'Tomcat', { cluster, ca, purpose: CertificatePurpose.TOMCAT, certificate: undefined as unknown as string }),
      "ServiceCertificate 'Tomcat'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]).toMatch(/^\.certificate must be a file path/);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a bad distribution', () => {
    const fromFile = inventoryProblems(
      inventory({ certificates: [{ cluster: 'lab', purpose: 'tomcat', distribution: 'san', certificate: 'c.pem', ca: 'corp' }] }),
      'certificates[0]',
    );
    const { stack, ca, cluster } = cucmScope();
    const fromConstruct = constructProblems(
      () => new ServiceCertificate(stack, 'Tomcat', { cluster, ca, purpose: CertificatePurpose.TOMCAT, distribution: 'san' as Distribution, certificate: 'c.pem' }),
      "ServiceCertificate 'Tomcat'",
    );
    expect(fromFile).toEqual([".distribution must be one of 'multi-server', 'single-server', got \"san\""]);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('an unknown purpose', () => {
    const fromFile = inventoryProblems(inventory({ certificates: [{ cluster: 'lab', purpose: 'tomcat-rsa', certificate: 'c.pem', ca: 'corp' }] }), 'certificates[0]');
    const { stack, ca, cluster } = cucmScope();
    const fromConstruct = constructProblems(
      () => new ServiceCertificate(stack, 'Tomcat', { cluster, ca, purpose: 'tomcat-rsa' as CertificatePurpose, certificate: 'c.pem' }),
      "ServiceCertificate 'Tomcat'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]).toMatch(/^\.purpose must name a certificate purpose .*got "tomcat-rsa": did you mean 'tomcat'\?/);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a single-server certificate without node', () => {
    const fromFile = inventoryProblems(
      inventory({ certificates: [{ cluster: 'lab', purpose: 'tomcat', distribution: 'single-server', certificate: 'c.pem', ca: 'corp' }] }),
      'certificates[0]',
    );
    const { stack, ca, cluster } = cucmScope();
    const fromConstruct = constructProblems(
      () => new ServiceCertificate(stack, 'Tomcat', { cluster, ca, purpose: CertificatePurpose.TOMCAT, distribution: Distribution.SINGLE_SERVER, certificate: 'c.pem' }),
      "ServiceCertificate 'Tomcat'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('an unknown trust store and an empty store list', () => {
    const bad = inventory({ trustEntries: [{ cluster: 'lab', name: 'exp', certificate: 'x.pem', stores: ['phone-trust'] }] });
    const { stack, cluster } = cucmScope();
    expect(constructProblems(() => new TrustEntry(stack, 'exp', { cluster, certificate: 'x.pem', stores: ['phone-trust' as TrustStore] }), "TrustEntry 'exp'")).toEqual(
      inventoryProblems(bad, 'trustEntries[0]'),
    );
    const empty = inventory({ trustEntries: [{ cluster: 'lab', name: 'exp', certificate: 'x.pem', stores: [] }] });
    expect(constructProblems(() => new TrustEntry(stack, 'exp2', { cluster, name: 'exp', certificate: 'x.pem', stores: [] }), "TrustEntry 'exp2'")).toEqual(
      inventoryProblems(empty, 'trustEntries[0]'),
    );
  });

  it('a CMS certificate for an unknown service', () => {
    const fromFile = inventoryProblems(
      inventory({ cmsCertificates: [{ cluster: 'meet', service: 'webadmn', server: CMS1, certificate: 'c.pem', key: 'k.key', ca: 'corp' }] }),
      'cmsCertificates[0]',
    );
    const { stack, ca, cluster } = cmsScope();
    const fromConstruct = constructProblems(
      () => new CmsCertificate(stack, 'Webadmin', { cluster, ca, service: 'webadmn' as CmsService, server: CMS1, certificate: 'c.pem', key: 'k.key' }),
      "CmsCertificate 'Webadmin'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]).toMatch(/^\.service must be one of 'webadmin'.*got "webadmn": did you mean 'webadmin'\?/);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a CMS server with an unknown service', () => {
    const fromFile = inventoryProblems(
      inventory({ cmsClusters: [{ name: 'meet', version: '3.8', servers: [{ fqdn: CMS1, services: ['callbrige'] }] }], cmsCertificates: [] }),
      'cmsClusters[0]',
    );
    const fromConstruct = constructProblems(
      () => new CmsCluster(new RolloutStack(Testing.app(), 'm'), 'meet', { version: '3.8', servers: [{ fqdn: CMS1, services: ['callbrige' as CmsService] }] }),
      "CmsCluster 'meet'",
    );
    expect(fromFile[0]).toMatch(/^\.servers\[0\]\.services\[0\] must be one of .*"callbrige": did you mean 'callbridge'\?/);
    expect(fromConstruct).toEqual(fromFile);
  });

  it('a CUCM node with an unknown service', () => {
    const fromFile = inventoryProblems(inventory({ clusters: [{ name: 'lab', publisher: { fqdn: PUB, services: ['Cisco TFTP\nutils system restart'] } }] }), 'clusters[0]');
    const fromConstruct = constructProblems(
      () => new CucmCluster(new RolloutStack(Testing.app(), 'l'), 'lab', { publisher: { fqdn: PUB, services: ['Cisco TFTP\nutils system restart'] } }),
      "CucmCluster 'lab'",
    );
    expect(fromFile).toHaveLength(1);
    expect(fromConstruct).toEqual(fromFile);
  });
});
