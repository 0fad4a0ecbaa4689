/**
 * Issue 9, declarations: `issuers:` in an inventory and `issuer:` on a certificate, through the
 * same normalizers as the constructs (lib/issuers buildIssuers, lib/inventory buildCertificate).
 */
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { inventoryToDeclarations, loadInventory } from '../../lib/inventory';
import { buildCertificate } from '../../lib/inventory/certificate-input';
import { prepareRolloutPlan } from '../../lib/platforms';

const ROOT = join(__dirname, '..', '..');
const base = () => ({
  issuers: [{ name: 'corp-acme', acme: { directory: 'https://acme.corp.example/dir', dns01Hook: './dns-hook.sh' } }],
  clusters: [{ name: 'dc1', publisher: 'cs-ccm-pub.example.com' }],
  certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }],
  certificates: [{ cluster: 'dc1', purpose: 'tomcat', issuer: 'corp-acme', ca: 'corp' } as Record<string, unknown>],
});
const problems = (data: unknown): string[] => {
  try {
    inventoryToDeclarations(data, 'inv.yaml');
  } catch (e) {
    return ((e as { problems?: string[] }).problems ?? [(e as Error).message]).map(String);
  }
  throw new Error('the inventory was accepted');
};

describe('issuers in an inventory', () => {
  it('loads the issuers and a certificate that names one: no file, generation 0', () => {
    const d = inventoryToDeclarations(base(), 'inv.yaml');
    expect(d.issuers).toEqual([{ kind: 'acme', name: 'corp-acme', directory: 'https://acme.corp.example/dir', dns01Hook: ['./dns-hook.sh'] }]);
    expect(d.certificates[0]).toMatchObject({ issuer: 'corp-acme', renewalGeneration: 0, ca: 'corp' });
    expect(d.certificates[0].certificate).toBeUndefined();
  });

  it('keeps renewalGeneration, commonName and extraNames (lower case, once)', () => {
    const data = base();
    Object.assign(data.certificates[0], { renewalGeneration: 3, commonName: 'UC-MS.example.com', extraNames: ['UC.example.com', 'uc.example.com', 'jabber.example.com'] });
    expect(inventoryToDeclarations(data, 'inv.yaml').certificates[0]).toMatchObject({ renewalGeneration: 3, commonName: 'uc-ms.example.com', extraNames: ['uc.example.com', 'jabber.example.com'] });
  });

  it.each([
    ['both a file and an issuer', { certificate: 'certs/t.pem' }, /certificates\[0\] has both certificate and issuer/],
    ['a CSR with an issuer (the node makes it)', { csr: 'x.csr' }, /certificates\[0\]\.csr is for signed files/],
    ['a negative generation', { renewalGeneration: -1 }, /certificates\[0\]\.renewalGeneration must be a whole number from 0/],
    ['a generation as text', { renewalGeneration: '1' }, /certificates\[0\]\.renewalGeneration must be a whole number/],
    ['a wildcard extra name', { extraNames: ['*.example.com'] }, /certificates\[0\]\.extraNames\[0\] must be a fully qualified domain name .*no wildcards/],
    ['extra names as text', { extraNames: 'uc.example.com' }, /certificates\[0\]\.extraNames must be a list of DNS names/],
  ])('refuses %s', (_what, change, message) => {
    const data = base();
    Object.assign(data.certificates[0], change);
    expect(problems(data).join('\n')).toMatch(message);
  });

  it('refuses renewalGeneration or extraNames on a signed file, and a certificate with neither source', () => {
    const data = base();
    data.certificates = [
      { cluster: 'dc1', purpose: 'tomcat', certificate: 'c.pem', renewalGeneration: 1, ca: 'corp' },
      { cluster: 'dc1', purpose: 'CallManager', ca: 'corp' },
    ];
    const text = problems(data).join('\n');
    expect(text).toMatch(/certificates\[0\]\.renewalGeneration is for issued certificates/);
    expect(text).toMatch(/certificates\[1\]\.certificate must be a file path .*or give issuer/);
  });

  it('names every problem of an issuer by its path, beside the others', () => {
    const data = {
      ...base(),
      issuers: [...base().issuers, { name: 'corp-acme', lab: { ca: 'lab' } }, { name: 'other', acme: { directory: 'http://acme.corp.example/dir', dns01Hook: './h.sh' } }],
    };
    const text = problems(data).join('\n');
    expect(text).toMatch(/issuers\[2\]\.acme\.directory must be an https URL/);
    expect(text).toMatch(/issuers\[1\]\.name: issuer 'corp-acme' is declared twice/);
  });

  it('is planned from examples/issued.yaml: one issuer of each kind, the schema accepts it', () => {
    const file = join(ROOT, 'examples', 'issued.yaml');
    const { declarations, baseDir } = loadInventory(file);
    expect(declarations.issuers!.map((i) => i.kind)).toEqual(['acme', 'adcs', 'vault', 'command', 'lab']);
    const { plan } = prepareRolloutPlan(declarations, 'dc1', { baseDir, planDir: join(baseDir, 'out') });
    expect(plan.platform === 'cucm' && plan.issuers!.map((i) => i.name)).toEqual(['corp-acme', 'corp-adcs', 'corp-cmd', 'corp-vault']);
    expect(plan.steps.filter((s) => s.kind === 'sign').map((s) => s.id)).toEqual(
      expect.arrayContaining(['tomcat/sign/cucm-pub', 'CallManager/sign/cucm-pub', 'cup-xmpp/sign/imp-pub', 'ipsec/sign/cucm-pub']),
    );
    const schema = JSON.parse(readFileSync(join(ROOT, 'lib', 'inventory', 'inventory.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(parse(readFileSync(file, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    // and the schema refuses what the loader refuses: both sources, a CSR with an issuer, an issuer of two kinds
    const data = parse(readFileSync(file, 'utf8'));
    expect(validate({ ...data, certificates: [{ ...data.certificates[0], certificate: 'c.pem' }] })).toBe(false);
    expect(validate({ ...data, certificates: [{ ...data.certificates[0], csr: 'c.csr' }] })).toBe(false);
    expect(validate({ ...data, issuers: [{ name: 'x', lab: { ca: 'a' }, command: { run: ['b'] } }] })).toBe(false);
  });

  it('is the same normalizer for the constructs (buildCertificate)', () => {
    expect(() => buildCertificate({ cluster: 'dc1', purpose: 'tomcat', ca: 'corp', issuer: 'corp-acme', certificate: 'c.pem' }, "ServiceCertificate 'T'")).toThrow(
      /ServiceCertificate 'T' has both certificate and issuer/,
    );
  });
});
