import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'lib', 'inventory', 'inventory.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

describe('the published inventory JSON Schema', () => {
  it.each(['lab.yaml', 'large.yaml'])('accepts examples/%s', (file) => {
    // GIVEN an example inventory  WHEN validated against the schema  THEN it conforms
    const data = parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses what the loader refuses: an unknown key, a bad purpose, a node without fqdn', () => {
    expect(validate({ clusters: [], extra: 1 })).toBe(false);
    expect(validate({ certificates: [{ cluster: 'a', purpose: 'tomcat-rsa', certificate: 'x', ca: 'c' }] })).toBe(false);
    expect(validate({ clusters: [{ name: 'a', publisher: { address: '10.0.0.1' } }] })).toBe(false);
  });

  it('lists every catalog purpose and trust store', async () => {
    const { purposeNames, trustStoreNames } = await import('../../lib/catalog');
    expect([...schema.$defs.certificate.properties.purpose.enum].sort()).toEqual(purposeNames().sort());
    expect([...schema.$defs.trustEntry.properties.stores.items.enum].sort()).toEqual(trustStoreNames());
  });

  it('refuses the wrong types the loader refuses', () => {
    // GIVEN a valid inventory with one field of the wrong type  WHEN validated  THEN refused
    const node = (over: Record<string, unknown>) => ({ clusters: [{ name: 'a', publisher: { fqdn: 'a.example.com', ...over } }] });
    expect(validate(node({}))).toBe(true);
    expect(validate(node({ services: 'Cisco TFTP' }))).toBe(false);
    expect(validate(node({ services: ['Cisco TFTP\nutils system restart'] }))).toBe(false);
    expect(validate(node({ services: ['Cisco TFPT'] }))).toBe(false);
    expect(validate(node({ sshHostKeys: 'SHA256:abc' }))).toBe(false);
    expect(validate(node({ ports: { https: '8443' } }))).toBe(false);
    expect(validate(node({ ports: [22] }))).toBe(false);
    expect(validate(node({ xmppFederation: 'yes' }))).toBe(false);
    expect(validate(node({ address: '10.0.0.1 10.0.0.2' }))).toBe(false);
    expect(validate({ clusters: [{ name: 'a', publisher: 'a.example.com', sso: 'false' }] })).toBe(false);
    expect(validate({ clusters: [{ name: 'a', publisher: 'a.example.com', callManagerIncludeInactiveNodes: 'no' }] })).toBe(false);
    expect(validate({ clusters: [{ name: 'a', publisher: 'a.example.com', interclusterPeers: 'b.example.com' }] })).toBe(false);
    const withCert = (certificate: string) => ({ clusters: [{ name: 'a', publisher: 'a.example.com' }], certificates: [{ cluster: 'a', purpose: 'tomcat', certificate, ca: 'c' }] });
    expect(validate(withCert('c.pem'))).toBe(true);
    expect(validate(withCert('c.pem\nx'))).toBe(false);
  });

  it('refuses an inventory with nothing to plan, as the loader does', () => {
    expect(validate({ clusters: [], certificateAuthorities: [], certificates: [] })).toBe(false);
    expect(validate({ certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem' }] })).toBe(false);
    expect(validate({ clusters: [], cmsClusters: [{ name: 'm', version: '3.8', servers: [{ fqdn: 'cms1.example.com' }] }] })).toBe(true);
  });

  it('takes the keys of each issuer kind the loader takes, NTLM for AD CS included', async () => {
    const { ISSUER_KEYS } = await import('../../lib/issuers/normalize');
    for (const [kind, keys] of Object.entries(ISSUER_KEYS)) {
      expect(Object.keys(schema.$defs.issuer.properties[kind].properties).sort(), kind).toEqual([...keys].sort());
    }
    const adcs = (body: Record<string, unknown>) => ({
      clusters: [{ name: 'a', publisher: 'a.example.com' }],
      issuers: [{ name: 'corp-adcs', adcs: { url: 'https://ca.corp.example/certsrv', template: 'CUCMWebServer', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' }, ...body } }],
    });
    expect(validate(adcs({})), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(adcs({ authentication: 'ntlm', credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD', domain: 'CORP' } }))).toBe(true);
    expect(validate(adcs({ authentication: 'kerberos' }))).toBe(false);
    expect(validate(adcs({ credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD', domain: 'CORP\\x' } }))).toBe(false);
  });

  it('lists every catalog service name for node services', async () => {
    const { Service } = await import('../../lib/catalog');
    expect([...schema.$defs.service.enum].sort()).toEqual(Object.values(Service).sort());
  });
});
