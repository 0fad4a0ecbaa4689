/**
 * Issue 11, points 8 and 9 (lint side): `lint --inventory` expects the multi-server CN of the
 * publisher's release (seed 000), or the declared one; it refuses CallManager and TVS in one change
 * as `plan` does (DOMAIN.md §5); a SAN list of thousands gives one finding per kind, not thousands.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateDecl, Declarations } from '../../lib/model';
import { lintCertificate } from '../../lib/pki';
import { lintDeclarations } from '../../lib/platforms';
import { IMP, LAB_NODES, PUB, SUB, TestCa, codes, labCluster, makeCa, makeLeaf, tempDir } from '../pki/support';

const NEW_CN = 'cs-ccm-pub-ms.example.com';
const OLD_CN = `${PUB}-ms`;
const { dir: tmp, remove } = tempDir();
afterAll(remove);
let root: TestCa;
let issuing: TestCa;

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Seeds Root, O=Test' });
  issuing = await makeCa({ name: 'CN=Seeds Issuing, O=Test', issuer: root, pathLength: 0 });
  writeFileSync(join(tmp, 'root.pem'), root.pem);
  writeFileSync(join(tmp, 'issuing.pem'), issuing.pem);
  for (const [file, cn] of [['new.pem', NEW_CN], ['old.pem', OLD_CN]] as const) {
    writeFileSync(join(tmp, file), await makeLeaf({ issuer: issuing, cn, dns: [cn, ...LAB_NODES] }));
  }
});

function decls(certs: Partial<CertificateDecl>[], version = '15.0'): Declarations {
  return {
    clusters: [labCluster({ nodeDefaults: { version } })],
    certificateAuthorities: [{ name: 'corp', root: 'root.pem', intermediates: ['issuing.pem'] }],
    certificates: certs.map((c) => ({ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'new.pem', ca: 'corp', ...c })),
    trustEntries: [],
  };
}

const lint = (d: Declarations) => lintDeclarations(d, { baseDir: tmp });

describe('lint: the multi-server CN by the declared release (seed 000)', () => {
  it('GIVEN a 15.0 cluster WHEN <host>-ms.<domain> is linted THEN no finding; <publisher FQDN>-ms is CN_UNEXPECTED', () => {
    expect(lint(decls([{}]))).toEqual([]);
    expect(codes(lint(decls([{ certificate: 'old.pem' }])))).toEqual(['CN_UNEXPECTED']);
  });

  it('GIVEN a 10.5 cluster WHEN linted THEN the 10.5 form is the expected one', () => {
    expect(lint(decls([{ certificate: 'old.pem' }], '10.5'))).toEqual([]);
    expect(codes(lint(decls([{}], '10.5')))).toEqual(['CN_UNEXPECTED']);
  });

  it('GIVEN a declared commonName WHEN linted THEN it is the expected CN', () => {
    expect(lint(decls([{ certificate: 'old.pem', commonName: OLD_CN }]))).toEqual([]);
  });
});

describe('lint --inventory refuses CallManager and TVS in one change, as plan does', () => {
  it('GIVEN CallManager and TVS certificates for one cluster WHEN linted THEN one CALLMANAGER_WITH_TVS error naming the cluster', () => {
    const findings = lint(decls([{ purpose: 'CallManager', certificate: 'new.pem' }, { purpose: 'TVS', certificate: 'new.pem' }]));
    const refusal = findings.filter((f) => f.code === 'CALLMANAGER_WITH_TVS');
    expect(refusal).toHaveLength(1);
    expect(refusal[0].severity).toBe('error');
    expect(refusal[0].message).toMatch(/Cluster 'lab' replaces CallManager and TVS in one change/);
  });
});

describe('a SAN list of thousands gives one finding, not thousands', () => {
  it('GIVEN 3000 extra SANs WHEN linted THEN one SAN_UNEXPECTED that counts them and names the first', async () => {
    const extra = Array.from({ length: 3000 }, (_, i) => `host${i}.example.net`);
    const leaf = await makeLeaf({ issuer: issuing, cn: NEW_CN, dns: [NEW_CN, ...LAB_NODES, ...extra] });
    const findings = lintCertificate({ leaf, chain: Buffer.from(issuing.pem), root: Buffer.from(root.pem), purpose: 'tomcat', nodes: [PUB, SUB, IMP], commonName: NEW_CN });
    expect(codes(findings)).toEqual(['SAN_UNEXPECTED']);
    expect(findings[0].message).toMatch(/3000 SANs are not nodes/);
    expect(findings[0].message).toMatch(/'host0\.example\.net'.*and 2995 more/);
    expect(findings[0].message.length).toBeLessThan(600);
  });

  it('GIVEN 3000 wildcard SANs in a tomcat certificate WHEN linted THEN one SAN_WILDCARD', async () => {
    const extra = Array.from({ length: 3000 }, (_, i) => `*.d${i}.example.net`);
    const leaf = await makeLeaf({ issuer: issuing, cn: NEW_CN, dns: [NEW_CN, ...LAB_NODES, ...extra] });
    const findings = lintCertificate({ leaf, chain: Buffer.from(issuing.pem), root: Buffer.from(root.pem), purpose: 'tomcat', nodes: [PUB, SUB, IMP], commonName: NEW_CN });
    expect(codes(findings)).toEqual(['SAN_WILDCARD']);
  });
});
