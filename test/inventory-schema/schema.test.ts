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
});
