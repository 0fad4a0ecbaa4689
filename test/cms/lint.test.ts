/**
 * The CMS lint (lib/pki/cms-lint.ts): the SAN rules of DOMAIN.md §4 and the bundle format
 * (entity first, intermediates, root last, PEM only, exactly one trailing newline), on real
 * certificates made in memory; then lintCmsDeclarations on files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmsExpectedNames } from '../../lib/catalog';
import { buildCmsCluster } from '../../lib/inventory/cms-input';
import { findCmsServer } from '../../lib/model';
import { cmsBundle, cmsCaBundle, parseCertificate } from '../../lib/pki';
import { CMS_LINT_CODES, lintCmsBundle, lintCmsDeclarations, lintCmsNames } from '../../lib/platforms';
import { CLUSTER_FQDN, CMS1, CMS2, CMS3, DOMAIN, JOIN, clusterInput, declarations } from './helpers';
import { TestPki, makePki, tempDir } from './pki';

const cluster = buildCmsCluster(clusterInput(), 'test');
const codes = (findings: readonly { code: string }[]) => findings.map((f) => f.code).sort();
const names = (cn: string, dns: string[]) => ({ commonName: cn, dnsNames: dns });
const want = (service: Parameters<typeof cmsExpectedNames>[1], scope: 'per-server' | 'clustered') =>
  cmsExpectedNames(cluster, service, scope, scope === 'per-server' ? findCmsServer(cluster, CMS1) : undefined);

describe('CMS SAN rules', () => {
  it('accepts the names the CSR table gives', () => {
    expect(lintCmsNames(names(CMS1, []), want('webadmin', 'per-server'), { service: 'webadmin', scope: 'per-server', label: 'a.pem' })).toEqual([]);
    expect(lintCmsNames(names(CMS1, [CMS1, JOIN, DOMAIN]), want('webbridge', 'per-server'), { service: 'webbridge', scope: 'per-server', label: 'a.pem' })).toEqual([]);
    expect(lintCmsNames(names(CLUSTER_FQDN, [CLUSTER_FQDN, DOMAIN, CMS1, CMS2, CMS3]), want('xmpp', 'clustered'), { service: 'xmpp', scope: 'clustered', label: 'a.pem' })).toEqual([]);
  });

  it('webbridge: the SANs must include the join URL and the XMPP domain', () => {
    const f = lintCmsNames(names(CMS1, [CMS1]), want('webbridge', 'per-server'), { service: 'webbridge', scope: 'per-server', label: 'wb.pem' });
    expect(codes(f)).toEqual(['CMS_WEBBRIDGE_SAN_JOIN_URL', 'CMS_WEBBRIDGE_SAN_XMPP_DOMAIN']);
    expect(f.find((x) => x.code === 'CMS_WEBBRIDGE_SAN_JOIN_URL')!.message).toMatch(/wb\.pem \(per-server webbridge\): its SANs do not name the join URL 'join\.example\.com'.*re-issue it with subjectAltName:cms1\.example\.com,join\.example\.com,example\.com/);
    expect(f.every((x) => x.severity === 'error')).toBe(true);
  });

  it('clustered callbridge and xmpp: the SANs must include every peer (and xmpp the domain)', () => {
    const cb = lintCmsNames(names(CLUSTER_FQDN, [CLUSTER_FQDN, CMS1, CMS2]), want('callbridge', 'clustered'), { service: 'callbridge', scope: 'clustered', label: 'cb.pem' });
    expect(codes(cb)).toEqual(['CMS_CLUSTER_SAN_PEER']);
    expect(cb[0]).toMatchObject({ node: CMS3, severity: 'error' });
    const x = lintCmsNames(names(CLUSTER_FQDN, [CLUSTER_FQDN, CMS1, CMS2, CMS3]), want('xmpp', 'clustered'), { service: 'xmpp', scope: 'clustered', label: 'x.pem' });
    expect(codes(x)).toEqual(['CMS_XMPP_SAN_DOMAIN']);
  });

  it('the CN must be in the SAN list whenever there is one', () => {
    const f = lintCmsNames(names(CMS1, [JOIN, DOMAIN]), want('webbridge', 'per-server'), { service: 'webbridge', scope: 'per-server', label: 'wb.pem' });
    expect(codes(f)).toEqual(['CMS_CN_NOT_IN_SAN']);
    expect(f[0].severity).toBe('error');
    // No SAN list at all (webadmin): nothing to hold the CN
    expect(lintCmsNames(names(CMS1, []), want('webadmin', 'per-server'), { service: 'webadmin', scope: 'per-server', label: 'a' })).toEqual([]);
  });

  it('warns when the CN is not the server or cluster FQDN', () => {
    const f = lintCmsNames(names(CMS1, [CMS1, CMS1, CMS2, CMS3]), want('callbridge', 'clustered'), { service: 'callbridge', scope: 'clustered', label: 'cb.pem' });
    expect(codes(f)).toEqual(['CMS_CN_UNEXPECTED']);
    expect(f[0].severity).toBe('warning');
  });

  it('lets a wildcard SAN cover a peer, never the bare domain', () => {
    const cb = lintCmsNames(names(CLUSTER_FQDN, [CLUSTER_FQDN, '*.example.com']), want('callbridge', 'clustered'), { service: 'callbridge', scope: 'clustered', label: 'cb.pem' });
    expect(cb).toEqual([]);
    const wb = lintCmsNames(names(CMS1, [CMS1, '*.example.com']), want('webbridge', 'per-server'), { service: 'webbridge', scope: 'per-server', label: 'wb.pem' });
    expect(codes(wb)).toEqual(['CMS_WEBBRIDGE_SAN_XMPP_DOMAIN']);
  });
});

describe('CMS bundle format', () => {
  let pki: TestPki;
  let leafPem: string;
  let leafSha: string;
  beforeAll(async () => {
    pki = await makePki();
    const leaf = await pki.leaf(CMS1, [CMS1]);
    leafPem = leaf.pem;
    leafSha = parseCertificate(leaf.der, 'leaf').sha256;
  });
  const ca = () => pki.issuing.pem + pki.root.pem;
  const lint = (text: string, kind: 'ca-bundle' | 'full-chain' = 'ca-bundle') =>
    lintCmsBundle(Buffer.from(text, 'latin1'), { kind, label: 'bundle.crt', root: parseCertificate(pki.root.der, 'root'), entitySha256: kind === 'full-chain' ? leafSha : undefined });

  it('accepts what lib/pki builds: cmsCaBundle and cmsBundle', () => {
    expect(lint(cmsCaBundle([pki.issuing.der], pki.root.der))).toEqual([]);
    expect(lint(cmsBundle(leafPem, [pki.issuing.pem], pki.root.pem), 'full-chain')).toEqual([]);
  });

  it('finds a missing trailing newline, and more than one', () => {
    expect(codes(lint(ca().trimEnd()))).toEqual(['CMS_BUNDLE_TRAILING_NEWLINE']);
    expect(codes(lint(ca() + '\n'))).toEqual(['CMS_BUNDLE_TRAILING_NEWLINE']);
    expect(lint(ca() + '\n\n')[0].message).toMatch(/ends with "\\n\\n\\n" after the last block: end it with exactly one newline/);
  });

  it('finds the root first (wrong order) and a missing root', () => {
    expect(codes(lint(pki.root.pem + pki.issuing.pem))).toEqual(['CMS_BUNDLE_ORDER', 'CMS_BUNDLE_ROOT_NOT_LAST']);
    expect(codes(lint(pki.issuing.pem))).toEqual(['CMS_BUNDLE_ROOT_NOT_LAST']);
    expect(codes(lint(leafPem + pki.root.pem + pki.issuing.pem, 'full-chain'))).toEqual(['CMS_BUNDLE_ORDER', 'CMS_BUNDLE_ROOT_NOT_LAST']);
  });

  it('finds an entity in a CA bundle, and a full chain that does not start with the entity', () => {
    expect(codes(lint(leafPem + ca()))).toEqual(['CMS_BUNDLE_ENTITY']);
    expect(codes(lint(ca(), 'full-chain'))).toEqual(['CMS_BUNDLE_ENTITY']);
  });

  it('finds DER, keys and text around the blocks', async () => {
    expect(codes(lintCmsBundle(pki.root.der, { kind: 'ca-bundle', label: 'b' }))).toEqual(['CMS_BUNDLE_NOT_PEM']);
    expect(codes(lint(ca() + (await pki.root.keyPem())))).toContain('CMS_BUNDLE_NOT_PEM');
    expect(codes(lint('subject=CN = Test Issuing CA\n' + ca()))).toEqual(['CMS_BUNDLE_NOT_PEM']);
  });

  it('warns of CRLF line ends', () => {
    expect(codes(lint(ca().replace(/\n/g, '\r\n')))).toEqual(['CMS_BUNDLE_CRLF']);
  });

  it('finds a bundle of another CA', async () => {
    const other = await makePki('Other');
    expect(codes(lint(other.issuing.pem + other.root.pem))).toEqual(['CMS_BUNDLE_CA_MISMATCH']);
  });

  it('gives every CMS code a severity and a meaning', () => {
    for (const [code, [severity, meaning]] of Object.entries(CMS_LINT_CODES)) {
      expect(code).toMatch(/^CMS_[A-Z_]+$/);
      expect(['error', 'warning']).toContain(severity);
      expect(meaning.length).toBeGreaterThan(20);
    }
  });
});

describe('lintCmsDeclarations on files', () => {
  let dir: string;
  let remove: () => void;
  beforeAll(async () => {
    ({ dir, remove } = tempDir());
    const pki = await makePki();
    mkdirSync(join(dir, 'ca'));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'ca/root.pem'), pki.root.pem);
    writeFileSync(join(dir, 'ca/issuing.pem'), pki.issuing.pem);
    const good = await pki.leaf(CLUSTER_FQDN, [CLUSTER_FQDN, CMS1, CMS2, CMS3]);
    writeFileSync(join(dir, 'certs/callbridge.pem'), good.pem);
    writeFileSync(join(dir, 'keys.pem'), await good.keyPem());
    const wb = await pki.leaf(CMS1, [CMS1, JOIN]);
    writeFileSync(join(dir, 'certs/webbridge-cms1.pem'), wb.pem);
    writeFileSync(join(dir, 'bundle-root-first.crt'), pki.root.pem + pki.issuing.pem);
  });
  afterAll(() => remove());

  it('accepts a good clustered callbridge certificate with its key', () => {
    const decls = declarations([{ service: 'callbridge', scope: 'clustered', key: 'keys.pem' }]);
    expect(lintCmsDeclarations(decls, { baseDir: dir })).toEqual([]);
  });

  it('finds a missing XMPP domain, a wrong key and a badly ordered supplied bundle', () => {
    const decls = declarations([
      { service: 'webbridge', server: CMS1, key: 'keys.pem', bundle: 'bundle-root-first.crt' },
    ]);
    const f = lintCmsDeclarations(decls, { baseDir: dir });
    expect(codes(f)).toEqual(['CMS_BUNDLE_ORDER', 'CMS_BUNDLE_ROOT_NOT_LAST', 'CMS_WEBBRIDGE_SAN_XMPP_DOMAIN', 'KEY_MISMATCH']);
  });

  it('skips a server-made certificate that is not signed yet, and a key file that is not there', () => {
    const decls = declarations([
      { service: 'xmpp', scope: 'clustered', source: 'server-csr', certificate: 'certs/not-yet.pem' },
      { service: 'callbridge', scope: 'clustered', key: 'keys/elsewhere.key' },
    ]);
    expect(lintCmsDeclarations(decls, { baseDir: dir })).toEqual([]);
  });

  it('reports an unreadable certificate of the CA source', () => {
    const decls = declarations([{ service: 'webadmin', server: CMS1, certificate: 'certs/missing.pem' }]);
    expect(codes(lintCmsDeclarations(decls, { baseDir: dir }))).toEqual(['CERT_UNREADABLE']);
  });
});
