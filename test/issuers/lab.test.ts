import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabIssuer, createIssuer } from '../../lib/issuers';
import { LAB_CA_ORGANIZATION, writeLabCa } from '../../lib/pki/lab-ca';
import { clusterCsr, rejection, sharedLabCa, tempDir, testContext } from './helpers';

const tmp = tempDir('lab');
afterAll(() => tmp.remove());

describe('the lab issuer', () => {
  it("signs with the lab CA of the declared folder, relative to the inventory's", async () => {
    // GIVEN a lab CA written next to the inventory
    const ctx = testContext(tmp.dir);
    const ca = await sharedLabCa();
    writeLabCa(ca, join(ctx.baseDir, 'lab-ca'));
    const issuer = createIssuer({ kind: 'lab', name: 'lab', ca: 'lab-ca', days: 30 });
    expect(issuer).toBeInstanceOf(LabIssuer);
    const { request } = await clusterCsr();
    // WHEN it signs a CUCM CSR
    const result = await issuer.sign(request, ctx);
    // THEN leaf, issuing CA and root, the leaf marked NOT FOR PRODUCTION by its issuer and valid 30 days
    expect(result.status).toBe('issued');
    if (result.status !== 'issued') return;
    const [leaf, issuing, root] = result.chainPem.map((p) => new X509Certificate(p));
    expect(result.chainPem).toHaveLength(3);
    expect(leaf.issuer).toContain(LAB_CA_ORGANIZATION);
    expect(leaf.subjectAltName).toBe('DNS:ucm-pub-ms.corp.test, DNS:ucm-pub.corp.test, DNS:ucm-sub1.corp.test, DNS:imp-pub.corp.test');
    expect(leaf.verify(issuing.publicKey) && issuing.verify(root.publicKey)).toBe(true);
    expect(Math.round((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000)).toBe(30);
    expect(ctx.lines).toEqual(['issuer lab: lab CA (NOT FOR PRODUCTION) signed ucm-pub-ms.corp.test for ucm-pub-ms.corp.test, ucm-pub.corp.test, ucm-sub1.corp.test, imp-pub.corp.test']);
  });

  it('says how to make the CA when its folder is missing, and refuses a purpose of the wrong key type', async () => {
    const ctx = testContext(tmp.dir);
    const { request } = await clusterCsr();
    const missing = await rejection(createIssuer({ kind: 'lab', name: 'lab', ca: 'nowhere' }).sign(request, ctx));
    expect(missing.code).toBe('config');
    expect(missing.message).toMatch(/^issuer lab: lab CA '.*nowhere': cannot read root\.pem \(ENOENT\): create the CA with 'ucrollout ca init --out /);
    writeLabCa(await sharedLabCa(), join(ctx.baseDir, 'lab-ca'));
    const wrong = await rejection(createIssuer({ kind: 'lab', name: 'lab', ca: 'lab-ca' }).sign({ ...request, purpose: 'tomcat' }, ctx));
    expect(wrong.code).toBe('refused');
    expect(wrong.message).toMatch(/has an EC key but purpose tomcat needs RSA/);
  });
});
