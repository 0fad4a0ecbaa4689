/** lintDeclarations: every declared certificate against its CA and cluster, files read relative to the inventory. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { Declarations } from '../../lib/model';
import { lintDeclarations } from '../../lib/platforms';
import { IMP, MS_CN, PUB, SUB, TestCa, codes, labCluster, makeCa, makeLeaf, tempDir } from './support';

const TFTP = 'cs-tftp.example.com';
let root: TestCa;
let issuing: TestCa;
const tmp = tempDir();

beforeAll(async () => {
  root = await makeCa({ name: 'CN=Decl Root, O=Test' });
  issuing = await makeCa({ name: 'CN=Decl Issuing, O=Test', issuer: root });
  writeFileSync(join(tmp.dir, 'root.pem'), root.pem);
  writeFileSync(join(tmp.dir, 'issuing.pem'), issuing.pem);
});
afterAll(() => tmp.remove());

function decls(certificates: Declarations['certificates'], extra: Partial<Declarations> = {}): Declarations {
  return {
    clusters: [labCluster({ subscribers: [SUB, { fqdn: TFTP, services: ['Cisco TFTP'] }], callManagerIncludeInactiveNodes: false })],
    certificateAuthorities: [{ name: 'corp', root: 'root.pem', intermediates: ['issuing.pem'] }],
    certificates,
    trustEntries: [],
    ...extra,
  };
}

describe('lintDeclarations', () => {
  it('GIVEN CallManager dropping the node without the service WHEN its certificate covers the CallManager nodes THEN there is no finding', async () => {
    writeFileSync(join(tmp.dir, 'cm.pem'), await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB] }));
    expect(lintDeclarations(decls([{ cluster: 'lab', purpose: 'CallManager', distribution: 'multi-server', certificate: 'cm.pem', ca: 'corp' }]), { baseDir: tmp.dir })).toEqual([]);
  });

  it('GIVEN a tomcat certificate that misses two nodes WHEN linted THEN one SAN_MISSING_NODE per node, each naming it', async () => {
    // GIVEN
    writeFileSync(join(tmp.dir, 'tomcat.pem'), await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB] }));
    // WHEN
    const findings = lintDeclarations(decls([{ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'tomcat.pem', ca: 'corp' }]), { baseDir: tmp.dir });
    // THEN
    expect(findings.map((f) => [f.code, f.node, f.certificate])).toEqual([
      ['SAN_MISSING_NODE', TFTP, 'tomcat.pem'],
      ['SAN_MISSING_NODE', IMP, 'tomcat.pem'],
    ]);
    expect(findings[0].message).toBe(
      `tomcat.pem: SAN list misses node ${TFTP}, which a multi-server tomcat certificate must cover: generate a new CSR that lists it and have it signed again`,
    );
  });

  it('GIVEN a single-server cup certificate for the IM&P node WHEN linted THEN the node is its CN and SAN, no finding', async () => {
    writeFileSync(join(tmp.dir, 'cup.pem'), await makeLeaf({ issuer: issuing, cn: IMP, dns: [IMP], eku: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.5'], keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] }));
    expect(lintDeclarations(decls([{ cluster: 'lab', purpose: 'cup', distribution: 'single-server', node: IMP, certificate: 'cup.pem', ca: 'corp' }]), { baseDir: tmp.dir })).toEqual([]);
  });

  it('GIVEN intermediates declared in the wrong order WHEN linted THEN CHAIN_ORDER names the CA declaration', async () => {
    const policy = await makeCa({ name: 'CN=Decl Policy, O=Test', issuer: root });
    const deep = await makeCa({ name: 'CN=Decl Deep Issuing, O=Test', issuer: policy });
    writeFileSync(join(tmp.dir, 'policy.pem'), policy.pem);
    writeFileSync(join(tmp.dir, 'deep.pem'), deep.pem);
    writeFileSync(join(tmp.dir, 'deep-leaf.pem'), await makeLeaf({ issuer: deep, dns: [MS_CN, PUB, SUB, TFTP, IMP] }));
    const cert = { cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server' as const, certificate: 'deep-leaf.pem', ca: 'deep' };
    const ca = (intermediates: string[]) => ({ certificateAuthorities: [{ name: 'deep', root: 'root.pem', intermediates }] });
    expect(lintDeclarations(decls([cert], ca(['policy.pem', 'deep.pem'])), { baseDir: tmp.dir })).toEqual([]);
    const findings = lintDeclarations(decls([cert], ca(['deep.pem', 'policy.pem'])), { baseDir: tmp.dir });
    expect(codes(findings)).toEqual(['CHAIN_ORDER']);
    expect(findings[0].certificate).toBe("intermediates of certificate authority 'deep'");
  });

  it('GIVEN a missing certificate file and an expired trust entry WHEN linted THEN CERT_UNREADABLE names the path and CERT_EXPIRED the entry', async () => {
    writeFileSync(join(tmp.dir, 'old-root.pem'), (await makeCa({ name: 'CN=Old, O=Test', notBefore: new Date(Date.now() - 9e9), notAfter: new Date(Date.now() - 1e9) })).pem);
    const findings = lintDeclarations(
      decls([{ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'certs/none.pem', ca: 'corp' }], {
        trustEntries: [{ cluster: 'lab', name: 'old', certificate: 'old-root.pem', stores: ['tomcat-trust'] }],
      }),
      { baseDir: tmp.dir },
    );
    expect(codes(findings)).toEqual(['CERT_UNREADABLE', 'CERT_EXPIRED']);
    expect(findings[0].message).toBe(`certs/none.pem: cannot read the file (ENOENT): check the path, relative to ${tmp.dir}`);
    expect(findings[1].certificate).toBe('old-root.pem');
  });

  it('GIVEN two certificates of the same CA with a broken root file WHEN linted THEN ROOT_UNREADABLE is reported once', async () => {
    writeFileSync(join(tmp.dir, 'broken-root.pem'), 'broken');
    writeFileSync(join(tmp.dir, 'a.pem'), await makeLeaf({ issuer: issuing, dns: [MS_CN, PUB, SUB, TFTP, IMP] }));
    const cert = { cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server' as const, certificate: 'a.pem', ca: 'broken' };
    const findings = lintDeclarations(
      decls([cert, { ...cert, purpose: 'tomcat' }], { certificateAuthorities: [{ name: 'broken', root: 'broken-root.pem', intermediates: ['issuing.pem'] }] }),
      { baseDir: tmp.dir },
    );
    expect(codes(findings)).toEqual(['ROOT_UNREADABLE']);
  });

  it('GIVEN the example inventories WHEN linted THEN they are clean', () => {
    for (const file of ['examples/lab.yaml', 'examples/large.yaml']) {
      if (!existsSync(file)) continue;
      const { declarations, baseDir } = loadInventory(file);
      expect({ file, findings: lintDeclarations(declarations, { baseDir }) }).toEqual({ file, findings: [] });
    }
  });
});
