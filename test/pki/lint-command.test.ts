import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const broken = join(ROOT, 'examples', '.lint-command-test.yaml');
afterAll(() => rmSync(broken, { force: true }));

function lint(inventory: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'ucrollout'), 'lint', '--inventory', inventory, '--json'], { encoding: 'utf8' });
}

describe('ucrollout lint --inventory', () => {
  it('lints the Meeting Server certificates too', () => {
    // GIVEN the CMS example  WHEN linted  THEN every CMS certificate counts and none has findings
    const r = lint(join(ROOT, 'examples', 'cms.yaml'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ errors: 0 });
  });

  it('fails on a Meeting Server certificate file that is missing', () => {
    // GIVEN a CMS certificate pointing at a missing file
    writeFileSync(broken, readFileSync(join(ROOT, 'examples', 'cms.yaml'), 'utf8').replace('certs/cms-webbridge-cms1.pem', 'certs/missing.pem'));
    // WHEN linted  THEN exit 1 with CERT_UNREADABLE naming the file
    const r = lint(broken);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { code: string }) => f.code)).toContain('CERT_UNREADABLE');
    expect(r.stdout).toContain('certs/missing.pem');
  });
});
