/** A certificate declared as a CA's root or intermediate must be a CA certificate (CA:TRUE, keyCertSign). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Declarations } from '../../lib/model';
import { lintAll, lintDeclarations } from '../../lib/platforms';
import { MS_CN, PUB, SUB, IMP, labCluster, makeCa, makeLeaf, tempDir } from './support';

const tmp = tempDir();
afterAll(() => tmp.remove());

function decls(root: string, intermediates: string[] = []): Declarations {
  return {
    clusters: [labCluster()],
    certificateAuthorities: [{ name: 'corp', root, intermediates }],
    certificates: [{ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'leaf.pem', ca: 'corp' }],
    trustEntries: [],
  };
}

describe('declared CA certificates', () => {
  it('GIVEN a CA:FALSE leaf declared as the root THEN lint refuses it with CA_NOT_CA naming the CA', async () => {
    const root = await makeCa({ name: 'CN=Real Root' });
    const notCa = await makeCa({ name: 'CN=Leaf Posing As Root', isCa: false, keyUsage: null });
    writeFileSync(join(tmp.dir, 'root.pem'), root.pem);
    writeFileSync(join(tmp.dir, 'fake-root.pem'), notCa.pem);
    writeFileSync(join(tmp.dir, 'leaf.pem'), await makeLeaf({ issuer: root, dns: [MS_CN, PUB, SUB, IMP] }));
    expect(lintDeclarations(decls('root.pem'), { baseDir: tmp.dir }).filter((f) => f.code.startsWith('CA_'))).toEqual([]);
    const findings = lintAll(decls('fake-root.pem'), { baseDir: tmp.dir });
    const declared = findings.filter((f) => f.code === 'CA_NOT_CA' && /declared as the root of certificate authority 'corp'/.test(f.message));
    expect(declared).toHaveLength(1);
    expect(declared[0].severity).toBe('error');
  });

  it('GIVEN an intermediate without keyCertSign THEN lint says so', async () => {
    const root = await makeCa({ name: 'CN=Root KU' });
    const inter = await makeCa({ name: 'CN=Inter KU', issuer: root, keyUsage: 0x80 /* digitalSignature only */ });
    writeFileSync(join(tmp.dir, 'root2.pem'), root.pem);
    writeFileSync(join(tmp.dir, 'inter2.pem'), inter.pem);
    const findings = lintDeclarations(decls('root2.pem', ['inter2.pem']), { baseDir: tmp.dir });
    expect(findings.some((f) => f.code === 'CA_KEY_CERT_SIGN_MISSING' && /declared as the intermediate/.test(f.message))).toBe(true);
  });
});
