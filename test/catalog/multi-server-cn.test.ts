/**
 * Issue 11, point 8: the multi-server common name by release. Seed 000's listings: on 10.5
 * "Common Name* cs-ccm-pub. ....com-ms" (the publisher FQDN with -ms appended), in the 11.5
 * certificate list "tomcat 115pub-ms. ....  CSR Only  Multi-server(SAN)" (-ms after the host name).
 * Keyed on the publisher's declared `version`; a declaration may override it; CSR and lint agree.
 */
import { describe, expect, it } from 'vitest';
import { compareRelease, getPurpose, multiServerCommonName, multiServerCommonNameOf } from '../../lib/catalog';
import { buildCertificate } from '../../lib/inventory/certificate-input';
import { csrContent } from '../../lib/pki';
import { IMP, PUB, cluster } from '../plan/helpers';
import { ClusterDecl } from '../../lib/model';

function at(version: string): ClusterDecl {
  const c = cluster();
  return { ...c, nodes: c.nodes.map((n) => ({ ...n, version })) };
}

describe('multi-server common name by release (seed 000)', () => {
  it.each([
    ['10.5', `${PUB}-ms`],
    ['11.0', `${PUB}-ms`],
    ['11.5', 'cs-ccm-pub-ms.example.com'],
    ['12.5', 'cs-ccm-pub-ms.example.com'],
    ['14.0', 'cs-ccm-pub-ms.example.com'],
    ['15.0', 'cs-ccm-pub-ms.example.com'],
  ])('GIVEN a publisher on %s WHEN the tomcat CN is asked THEN %s', (version, cn) => {
    expect(multiServerCommonName(at(version), getPurpose('tomcat'))).toBe(cn);
  });

  it('GIVEN IM&P purposes WHEN the CN is asked THEN it is the IM&P database publisher, by its own release', () => {
    expect(multiServerCommonName(at('15.0'), getPurpose('cup-xmpp'))).toBe('cs-imp-ms.example.com');
    expect(multiServerCommonName(at('10.5'), getPurpose('cup-xmpp'))).toBe(`${IMP}-ms`);
  });

  it('compares releases number by number', () => {
    expect(compareRelease('14.10', '14.9')).toBeGreaterThan(0);
    expect(compareRelease('11.5', '11.5.1.12900-21')).toBeLessThan(0);
    expect(multiServerCommonNameOf('a.b.example.com', '11.5.1')).toBe('a-ms.b.example.com');
  });

  it('GIVEN a 15.0 cluster WHEN a multi-server CSR is made THEN its CN and first SAN are <host>-ms.<domain>; a declared commonName wins', () => {
    const csr = csrContent({ cluster: at('15.0'), purpose: 'tomcat', distribution: 'multi-server' });
    expect(csr.commonName).toBe('cs-ccm-pub-ms.example.com');
    expect(csr.sans[0]).toBe('cs-ccm-pub-ms.example.com');
    const legacy = csrContent({ cluster: at('15.0'), purpose: 'tomcat', distribution: 'multi-server', commonName: `${PUB}-ms` });
    expect(legacy.commonName).toBe(`${PUB}-ms`);
    expect(legacy.sans[0]).toBe(`${PUB}-ms`);
    expect(csrContent({ cluster: at('10.5'), purpose: 'tomcat', distribution: 'multi-server' }).commonName).toBe(`${PUB}-ms`);
  });

  it('GIVEN commonName in a certificate declaration WHEN normalized THEN it is kept (lower case); a non-name is refused', () => {
    const base = { cluster: 'dc1', purpose: 'tomcat', certificate: 'certs/t.pem', ca: 'corp' };
    expect(buildCertificate({ ...base, commonName: 'CS-CCM-PUB.example.com-ms' }, 'certificates[0]').commonName).toBe('cs-ccm-pub.example.com-ms');
    expect(() => buildCertificate({ ...base, commonName: 'not a name' }, 'certificates[0]')).toThrow(/certificates\[0\]\.commonName must be a host name/);
  });
});
