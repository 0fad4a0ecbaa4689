/**
 * The Meeting Server sign step (kind `sign`) on the planner's own step: the declared issuer signs
 * the CSR the download step fetched, through the issuer implementation CUCM uses
 * (lib/executor/sign-request.ts); the leaf and the declared CA's chain go to the declared
 * certificate path; a re-run asks for nothing; an answer for another key or from another CA is refused.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import type { IssuerDecl } from '../../lib/issuers';
import { CmsClusterPlan, CmsSignStep, planCmsCluster } from '../../lib/platforms/cms';
import { parseCertificate } from '../../lib/pki/certificate';
import { readCertificates } from '../../lib/pki/input';
import { LabCa, createLabCa, issuingCa, writeLabCa } from '../../lib/pki/lab-ca';
import { CMS1, FakeMaterial, declarations } from '../cms/helpers';
import { FakeBench, fakeBench } from './cms-fakes';

const ISSUERS: IssuerDecl[] = [
  { kind: 'lab', name: 'corp-lab', ca: 'corp-ca' },
  { kind: 'lab', name: 'other-lab', ca: 'other-ca' },
  { kind: 'command', name: 'wrong-key', run: ['./wrong-key.sh'] },
] as IssuerDecl[];

let corp: LabCa;
let other: LabCa;
let bench: FakeBench;

beforeAll(async () => {
  corp = await createLabCa({ commonName: 'Corp', intermediate: true });
  other = await createLabCa({ commonName: 'Other', intermediate: true });
}, 60_000);

afterEach(() => bench && rmSync(bench.dir, { recursive: true, force: true }));

/** The plan of one issued webadmin certificate, its CA files and CSR in place next to plan.json. */
function setUp(issuer: string): { plan: CmsClusterPlan; sign: CmsSignStep } {
  const caChain = [
    { file: 'corp-ca/root.pem', cert: corp.root.certPem },
    { file: 'corp-ca/issuing.pem', cert: issuingCa(corp).certPem },
  ].map(({ file, cert }) => {
    const { sha256, subject } = parseCertificate(readCertificates(Buffer.from(cert), file)[0], file);
    return { file, sha256, subject };
  });
  const material = new FakeMaterial();
  material.unsigned.add('certs/wa1.pem');
  const decls = { ...declarations([{ service: 'webadmin', server: CMS1, source: 'server-csr', certificate: 'certs/wa1.pem', issuer }]), issuers: ISSUERS };
  const plan = planCmsCluster(decls, 'meet', { material: material.lookup, fileRef: (p) => p, caChain: () => caChain });
  bench = fakeBench(plan);
  writeLabCa(corp, join(bench.dir, 'corp-ca'));
  writeLabCa(other, join(bench.dir, 'other-ca'));
  writeFileSync(join(bench.dir, 'corp-ca', 'root.pem'), corp.root.certPem);
  writeFileSync(join(bench.dir, 'corp-ca', 'issuing.pem'), issuingCa(corp).certPem);
  const sign = plan.steps.find((s): s is CmsSignStep => s.kind === 'sign')!;
  const csr = (key: string) =>
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(bench.dir, key), '-subj', `/CN=${CMS1}`, '-addext', `subjectAltName=DNS:${CMS1}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  bench.writeLocal(sign.csrFile, csr('server.key'));
  // An issuer that answers with a certificate for another key (its own CSR), signed by the corp CA
  const otherCsr = join(bench.dir, 'other.csr');
  writeFileSync(otherCsr, csr('other.key'));
  writeFileSync(
    join(bench.dir, 'wrong-key.sh'),
    `#!/bin/sh\nPATH=/usr/bin:/bin\ncat >/dev/null\nopenssl x509 -req -in other.csr -CA corp-ca/root.pem -CAkey corp-ca/root.key -CAcreateserial -CAserial serial -days 30 -copy_extensions copyall 2>/dev/null\n`,
  );
  chmodSync(join(bench.dir, 'wrong-key.sh'), 0o755);
  return { plan, sign };
}

async function failure(run: Promise<unknown>): Promise<string> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return (e as Error).message;
}

describe('the Meeting Server sign step', () => {
  it('signs through the issuer, writes leaf, issuing CA and root to the declared file, and asks nothing on a re-run', async () => {
    const { sign } = setUp('corp-lab');
    const first = await bench.run(sign);
    expect(first.changed).toBe(true);
    expect(first.summary).toMatch(/^issuer corp-lab \(lab\) signed .* saved certs\/wa1\.pem/);
    const pems = readFileSync(join(bench.dir, 'certs/wa1.pem'), 'latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
    expect(pems.length).toBe(3);
    const [leaf, issuing, root] = pems.map((p) => new X509Certificate(p));
    expect(leaf.subjectAltName).toBe(`DNS:${CMS1}`);
    expect(leaf.verify(issuing.publicKey)).toBe(true);
    expect(issuing.fingerprint256).toBe(new X509Certificate(issuingCa(corp).certPem).fingerprint256);
    expect(root.fingerprint256).toBe(new X509Certificate(corp.root.certPem).fingerprint256);
    const again = await bench.run(sign);
    expect(again.changed).toBe(false);
    expect(again.summary).toMatch(/^already done: certs\/wa1\.pem holds the leaf/);
  });

  it('refuses a certificate for another key, and writes nothing', async () => {
    const { sign } = setUp('wrong-key');
    expect(await failure(bench.run(sign))).toMatch(/not for the CSR's key/);
    expect(existsSync(join(bench.dir, 'certs/wa1.pem'))).toBe(false);
  });

  it('refuses a leaf that does not chain to the declared CA, and writes nothing', async () => {
    const { sign } = setUp('other-lab');
    expect(await failure(bench.run(sign))).toMatch(/does not chain to the declared certificate authority/);
    expect(existsSync(join(bench.dir, 'certs/wa1.pem'))).toBe(false);
  });

  it('says which step fetches a missing CSR', async () => {
    const { sign } = setUp('corp-lab');
    rmSync(join(bench.dir, sign.csrFile));
    expect(await failure(bench.run(sign))).toMatch(/does not exist: the download-csr step of cms1\.example\.com writes it/);
  });
});
