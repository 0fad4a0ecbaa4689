/**
 * Fixtures for the pure CMS planner: declarations built with the inventory normalizers (the
 * same defaults as users get), made-up certificate material (no files), graph queries.
 *
 * The expected names and orders in the tests are written from DOMAIN.md §4, not taken from
 * lib/catalog, so a wrong catalog row shows up as a failing test.
 */
import { createHash } from 'node:crypto';
import { CmsCertificateInput, CmsClusterInput, buildCmsCertificate, buildCmsCluster } from '../../lib/inventory/cms-input';
import { CmsCertificateDecl, Declarations } from '../../lib/model';
import { CmsCertificateMaterial, CmsClusterPlan, CmsStep, planCmsCluster } from '../../lib/platforms';
import { StepOf, stepOf } from '../plan/helpers';

export { StepOf, isKind, stepOf, stepsOf } from '../plan/helpers';

export const CMS1 = 'cms1.example.com';
export const CMS2 = 'cms2.example.com';
export const CMS3 = 'cms3.example.com';
export const CLUSTER_FQDN = 'cms.example.com';
export const JOIN = 'join.example.com';
export const DOMAIN = 'example.com';

/** The example deployment: three servers in the database cluster, callbridge on all, webbridge on two, xmpp on all. */
export function clusterInput(over: Partial<CmsClusterInput> = {}): CmsClusterInput {
  return {
    name: 'meet',
    version: '2.9',
    clusterFqdn: CLUSTER_FQDN,
    joinUrl: JOIN,
    xmppDomains: [DOMAIN],
    databaseCertificates: { caCommonName: DOMAIN },
    servers: [
      { fqdn: CMS1, services: ['webadmin', 'callbridge', 'webbridge', 'xmpp'], databaseRole: 'primary', ports: { 'webadmin-https': 445 } },
      { fqdn: CMS2, services: ['webadmin', 'callbridge', 'webbridge', 'xmpp'], databaseRole: 'replica', ports: { 'webadmin-https': 445 } },
      { fqdn: CMS3, services: ['webadmin', 'callbridge', 'xmpp'], databaseRole: 'replica' },
    ],
    ...over,
  };
}

export type CertSpec = Partial<CmsCertificateInput> & Pick<CmsCertificateInput, 'service'>;

/** A certificate with sensible defaults: from CA `corp`, with a key file when from the CA. */
export function certInput(spec: CertSpec): CmsCertificateInput {
  const source = spec.source ?? 'ca';
  const where = spec.server ? `-${spec.server.split('.')[0]}` : '';
  return {
    cluster: 'meet',
    ca: 'corp',
    certificate: `certs/${spec.service}${where}.pem`,
    ...(source === 'ca' ? { key: `keys/${spec.service}${where}.key` } : {}),
    ...spec,
  };
}

export function declarations(certs: readonly CertSpec[], cluster: Partial<CmsClusterInput> = {}): Declarations {
  return {
    clusters: [],
    certificateAuthorities: [{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }],
    certificates: [],
    trustEntries: [],
    cmsClusters: [buildCmsCluster(clusterInput(cluster), 'test')],
    cmsCertificates: certs.map((c, i) => buildCmsCertificate(certInput(c), `cert ${i}`)),
  };
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Made-up material: fingerprints from the file name and a generation (a re-issued file gets a
 * new one). `unsigned` lists server-csr certificate files that do not exist yet.
 */
export class FakeMaterial {
  private readonly generation = new Map<string, number>();
  readonly unsigned = new Set<string>();

  reissue(file: string): void {
    this.generation.set(file, (this.generation.get(file) ?? 0) + 1);
  }

  readonly lookup = (cert: CmsCertificateDecl): CmsCertificateMaterial | undefined => {
    if (this.unsigned.has(cert.certificate)) return undefined;
    const leafSha = hex(`${cert.certificate}#${this.generation.get(cert.certificate) ?? 0}`);
    const stem = `cms-files/${cert.service}-${leafSha.slice(0, 8)}`;
    return {
      leaf: { sha256: leafSha, subject: `CN=${cert.server ?? CLUSTER_FQDN}, O=Example`, file: cert.certificate },
      keyType: 'RSA',
      intermediates: [{ sha256: hex('ca/issuing.pem'), subject: 'CN=Corp Issuing CA', file: 'ca/issuing.pem' }],
      root: { sha256: hex('ca/root.pem'), subject: 'CN=Corp Root CA', file: 'ca/root.pem' },
      certificateFile: { file: `${stem}.crt`, sha256: hex(`${stem}.crt`) },
      caBundleFile: { file: 'cms-files/ca-corp-bundle.crt', sha256: hex('bundle') },
      fullChainFile: cert.service === 'webbridge3' ? { file: `${stem}-fullchain.crt`, sha256: hex(`${stem}-fullchain`) } : undefined,
    };
  };
}

export function planOf(decls: Declarations, material = new FakeMaterial()): CmsClusterPlan {
  return planCmsCluster(decls, 'meet', { material: material.lookup, fileRef: (p) => p });
}

export function plan(certs: readonly CertSpec[], cluster: Partial<CmsClusterInput> = {}): CmsClusterPlan {
  return planOf(declarations(certs, cluster));
}

/** The certificates of the example: webadmin per server, callbridge clustered, webbridge on two, xmpp clustered. */
export const EXAMPLE_CERTS: readonly CertSpec[] = [
  { service: 'webadmin', server: CMS1, source: 'server-csr' },
  { service: 'webadmin', server: CMS2, source: 'server-csr' },
  { service: 'webadmin', server: CMS3, source: 'server-csr' },
  { service: 'callbridge', scope: 'clustered' },
  { service: 'webbridge', server: CMS1 },
  { service: 'webbridge', server: CMS2 },
  { service: 'xmpp', scope: 'clustered', source: 'server-csr' },
];

// ---- graph queries --------------------------------------------------------------------------

/** The step of this id; with a kind, it must be of that kind and is narrowed to it. */
export function step(p: CmsClusterPlan, id: string): CmsStep;
export function step<K extends CmsStep['kind']>(p: CmsClusterPlan, id: string, kind: K): StepOf<K>;
export function step(p: CmsClusterPlan, id: string, kind?: CmsStep['kind']): CmsStep {
  if (kind !== undefined) return stepOf(p, id, kind) as CmsStep;
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step '${id}' in the plan; steps: ${p.steps.map((x) => x.id).join(', ')}`);
  return s;
}

export function has(p: CmsClusterPlan, id: string): boolean {
  return p.steps.some((s) => s.id === id);
}

/** `b` is a transitive dependency of `a`: a runs after b. */
export function reaches(p: CmsClusterPlan, a: string, b: string): boolean {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  if (!byId.has(a)) throw new Error(`no step '${a}' in the plan`);
  if (!byId.has(b)) throw new Error(`no step '${b}' in the plan`);
  const seen = new Set<string>();
  const stack = [...byId.get(a)!.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === b) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}

/** Each step of the list runs after the one before it (transitively). */
export function inOrder(p: CmsClusterPlan, ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) {
    if (!reaches(p, ids[i], ids[i - 1])) throw new Error(`'${ids[i]}' does not run after '${ids[i - 1]}'`);
    if (reaches(p, ids[i - 1], ids[i])) throw new Error(`'${ids[i - 1]}' runs after '${ids[i]}'`);
  }
}

/** The MMP command lines of a step. */
export function commands(p: CmsClusterPlan, id: string): string[] {
  const s = step(p, id);
  return s.kind === 'mmp' ? s.mmp.map((c) => c.command) : [];
}

export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
