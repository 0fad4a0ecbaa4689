/**
 * Certificate reads and uploads on one node through the interface the plan declares for it:
 * the admin CLI (any release) or the certificate REST API (`api: 'rest'`, release 14+).
 */
import { shortFingerprint } from '../pki/fingerprint';
import { certificateNames, trustFileName } from '../pki/names';
import { StepContext } from './context';

/** Largest number of same-named trust files inspected one by one on the CLI. */
const MAX_TRUST_CANDIDATES = 50;

/** Fingerprint of the identity certificate of `unit` (a purpose, e.g. `tomcat`) on the node; undefined when none. */
export async function identityFingerprint(ctx: StepContext, fqdn: string, unit: string): Promise<string | undefined> {
  if (ctx.node(fqdn).api === 'rest') return (await ctx.rest(fqdn).identity(unit))?.sha256;
  const cli = await ctx.cli(fqdn);
  // The contract's `show cert own <unit>`; older releases want the file (`tomcat/tomcat.pem`).
  const shown = (await cli.showCertificate('own', unit)) ?? (await cli.showCertificate('own', `${unit}/${unit}.pem`));
  return shown?.sha256;
}

/** The node's trust store holds the certificate (by fingerprint). */
export async function trustStoreHolds(ctx: StepContext, fqdn: string, store: string, pem: string): Promise<boolean> {
  const { sha256, subjectCn } = certificateNames(pem);
  const unit = store.replace(/-trust$/, '');
  if (ctx.node(fqdn).api === 'rest') return (await ctx.rest(fqdn).trust(unit)).some((e) => e.sha256 === sha256);
  const cli = await ctx.cli(fqdn);
  // The file is named after the subject CN: one command answers the common case.
  const expected = `${store}/${trustFileName(subjectCn)}`;
  if ((await cli.showCertificate('trust', expected))?.sha256 === sha256) return true;
  const stem = trustFileName(subjectCn).replace(/\.pem$/, '');
  const candidates = (await cli.listCertificates('trust'))
    .filter((e) => e.unit === store && e.file !== expected && e.file.slice(store.length + 1).startsWith(stem))
    .slice(0, MAX_TRUST_CANDIDATES);
  for (const c of candidates) {
    if ((await cli.showCertificate('trust', c.file))?.sha256 === sha256) return true;
  }
  return false;
}

/** Upload one trust certificate into `store` on the node (cluster-wide distribution is the node's job). */
export async function uploadTrust(ctx: StepContext, fqdn: string, store: string, pem: string): Promise<void> {
  const unit = store.replace(/-trust$/, '');
  if (ctx.node(fqdn).api === 'rest') {
    await ctx.rest(fqdn).uploadTrust(unit, [pem], `ucrollout ${ctx.step.id}`);
  } else {
    await (await ctx.cli(fqdn)).importTrust(unit, pem);
  }
}

export interface IdentityUploadReport {
  /** Nodes the node said it distributed to, lower-case, with their verdict. */
  readonly distribution: readonly { node: string; ok: boolean; detail?: string }[];
}

/**
 * Upload the identity of `unit` on the node. REST takes leaf, intermediates and root; the
 * CLI paste takes the leaf and its intermediates (the root is already trusted).
 */
export async function uploadIdentity(ctx: StepContext, fqdn: string, unit: string, leaf: string, chain: readonly string[]): Promise<IdentityUploadReport> {
  if (ctx.node(fqdn).api === 'rest') {
    const dist = await ctx.rest(fqdn).uploadIdentity(unit, [leaf, ...chain]);
    return { distribution: dist.map((d) => ({ node: d.node, ok: d.ok, detail: d.status })) };
  }
  const intermediates = chain.filter((p) => !certificateNames(p).selfSigned);
  const result = await (await ctx.cli(fqdn)).importOwn(unit, [leaf, ...intermediates]);
  return { distribution: result.distribution.map((d) => ({ node: d.node, ok: d.ok, detail: d.reason })) };
}

export function fp(sha256: string | undefined): string {
  return sha256 ? `${shortFingerprint(sha256)}…` : 'none';
}
