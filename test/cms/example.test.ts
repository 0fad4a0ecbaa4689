/**
 * examples/cms.yaml end to end, without a server: it lints clean, plans, its generated bundles
 * have the CMS format, `ucrollout plan` writes the stack, and Terraform validates it offline.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory';
import { prepareCmsClusterPlan, readRolloutPlan, renderPlanJson } from '../../lib/platforms';
import { parseCertificate, readCertificates } from '../../lib/pki';
import { lintCmsBundle, lintCmsDeclarations } from '../../lib/platforms';
import { stepsOf } from './helpers';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'cms.yaml');
const out = mkdtempSync(join(tmpdir(), 'ucr-cms-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/cms.yaml', () => {
  const { declarations, baseDir } = loadInventory(EXAMPLE);

  it('lints clean: names, chains and dates of every certificate', () => {
    expect(lintCmsDeclarations(declarations, { baseDir })).toEqual([]);
  });

  it('plans the whole change, byte-identical twice, with bundles in the CMS format', () => {
    const planDir = join(out, 'direct');
    const a = prepareCmsClusterPlan(declarations, 'meet', { baseDir, planDir });
    const b = prepareCmsClusterPlan(declarations, 'meet', { baseDir, planDir });
    expect(renderPlanJson(b.plan)).toBe(renderPlanJson(a.plan));
    expect(a.plan.certificates.every((c) => !c.awaitingSignature)).toBe(true);
    const root = parseCertificate(readCertificates(readFileSync(join(ROOT, 'examples/certs/cms-root.pem')), 'root')[0], 'root');
    const bundles = a.files.filter((f) => f.file.endsWith('-bundle.crt'));
    expect(bundles.map((f) => f.file)).toEqual(['cms-files/ca-meet-ca-bundle.crt']);
    for (const f of bundles) expect(lintCmsBundle(Buffer.from(f.text, 'latin1'), { kind: 'ca-bundle', label: f.file, root })).toEqual([]);
    // AND every public file a step sends is one of the files written, with its fingerprint
    const written = new Map(a.files.map((f) => [f.file, f.text]));
    for (const f of [...stepsOf(a.plan, 'upload-file'), ...stepsOf(a.plan, 'download-file')].flatMap((s) => s.files).filter((x) => x.sha256)) {
      expect(written.has(f.file!), f.file).toBe(true);
    }
  });

  it('synthesizes with `ucrollout plan`, and Terraform validates the stack offline', () => {
    const stdout = execFileSync(join(ROOT, 'bin', 'ucrollout'), ['plan', '--inventory', EXAMPLE, '--out', out], { encoding: 'utf8' });
    expect(stdout).toMatch(/^meet: \d+ steps \(6 manual\) on 3 nodes/m);
    const dir = join(out, 'stacks', 'meet');
    const plan = readRolloutPlan(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(plan.platform).toBe('cms');
    expect(plan.platform === 'cms' && plan.databaseCertificates).toBe(true);
    const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
    execFileSync('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: dir, env, stdio: 'pipe' });
    const validate = execFileSync('terraform', ['validate', '-json'], { cwd: dir, env, encoding: 'utf8' });
    expect(JSON.parse(validate)).toMatchObject({ valid: true, error_count: 0 });
  }, 120_000);
});
