/**
 * The public files of an issued certificate next to plan.json (a CSR, a signed chain) and what
 * the node holds of its key: the node's current CSR and its identity. How the generate-csr,
 * sign, upload, restart and verify steps tell whether a CSR is the node's current one, and
 * which leaf an issued upload installed. No private key is ever read or written here.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StepContext } from './context';
import { StepFailure } from './errors';
import { LoadedPlan, planPath } from './plan-file';
import { readBounded } from '../pki/bounded-read';
import { CertificateView, parseCertificate } from '../pki/certificate';
import { decodeSubjectAltNames } from '../pki/certificate-der';
import { readCertificates, readCsr } from '../pki/input';
import { Oid } from '../pki/oids';
import { PemLabel, toPem } from '../pki/pem';

/** What the steps need of a CSR. */
export interface CsrFile {
  readonly pem: string;
  /** SubjectPublicKeyInfo DER, hex: the key the node holds. */
  readonly spki: string;
  readonly commonName?: string;
  /** DNS subjectAltNames, lower case, in CSR order. */
  readonly dnsNames: readonly string[];
}

/** Reads a CSR (PEM text); throws StepFailure naming `label` when it is not one. */
export function parseCsr(pem: string, label: string): CsrFile {
  let csr;
  try {
    csr = readCsr(Buffer.from(pem, 'latin1'), label);
  } catch (e) {
    throw new StepFailure(`${label}: ${(e as Error).message}`);
  }
  const spki = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }).toString('hex');
  const san = csr.getExtension(Oid.SUBJECT_ALT_NAME);
  const dnsNames = san ? decodeSubjectAltNames(Buffer.from(san.value)).dns.map((n) => n.toLowerCase()) : [];
  const commonName = csr.subjectName.getField('CN')[0];
  return { pem: toPem(csr.rawData, PemLabel.CERTIFICATE_REQUEST), spki, ...(commonName !== undefined ? { commonName } : {}), dnsNames };
}

/** The CSR file of the plan, or undefined when it was not written yet. */
export function readCsrFile(loaded: LoadedPlan, ref: string): CsrFile | undefined {
  const path = planPath(loaded, ref);
  if (!existsSync(path)) return undefined;
  return parseCsr(readBounded(path).toString('latin1'), ref);
}

/** What the steps need of a signed chain: the leaf first. */
export interface ChainFile {
  readonly pems: readonly string[];
  readonly leaf: CertificateView;
  readonly spki: string;
}

/** The chain file of the plan, or undefined when no sign step wrote it yet. */
export function readChainFile(loaded: LoadedPlan, ref: string): ChainFile | undefined {
  const path = planPath(loaded, ref);
  if (!existsSync(path)) return undefined;
  let ders: Buffer[];
  try {
    ders = readCertificates(readBounded(path), ref);
  } catch (e) {
    throw new StepFailure(`${ref}: ${(e as Error).message}: delete it and run the sign step again`);
  }
  if (ders.length === 0) throw new StepFailure(`${ref} holds no certificate: delete it and run the sign step again`);
  const leaf = parseCertificate(ders[0], ref);
  return { pems: ders.map((d) => toPem(d, PemLabel.CERTIFICATE)), leaf, spki: leaf.spki.toString('hex') };
}

/** The leaf fingerprint an issued upload installs, read from its chain file; undefined before the sign step. */
export function issuedLeafSha256(loaded: LoadedPlan, chainFile: string): string | undefined {
  try {
    return readChainFile(loaded, chainFile)?.leaf.sha256;
  } catch {
    return undefined;
  }
}

/** Writes a public file next to plan.json (a CSR or a chain): readable, never a key. */
export function writePublicFile(loaded: LoadedPlan, ref: string, text: string): void {
  const path = planPath(loaded, ref);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/** The node's current CSR of the unit (`show csr own`), or undefined when it has none. */
export async function nodeCsr(ctx: StepContext, fqdn: string, unit: string): Promise<CsrFile | undefined> {
  const pem = await (await ctx.cli(fqdn)).showCsr(unit);
  return pem ? parseCsr(pem, `the CSR ${fqdn} shows for ${unit}`) : undefined;
}

/** The public key (SPKI hex) of the node's identity of the unit, or undefined when it shows none. */
export async function identitySpki(ctx: StepContext, fqdn: string, unit: string): Promise<string | undefined> {
  let pem: string | undefined;
  if (ctx.node(fqdn).api === 'rest') pem = (await ctx.rest(fqdn).identity(unit))?.pem;
  else {
    const cli = await ctx.cli(fqdn);
    pem = ((await cli.showCertificate('own', unit)) ?? (await cli.showCertificate('own', `${unit}/${unit}.pem`)))?.pem;
  }
  if (!pem) return undefined;
  try {
    return parseCertificate(readCertificates(Buffer.from(pem, 'latin1'), 'identity')[0], 'identity').spki.toString('hex');
  } catch {
    return undefined;
  }
}

const CSR_BLOCK = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----[\s\S]*?-----END (?:NEW )?CERTIFICATE REQUEST-----/g;

/**
 * The public keys (SPKI hex) of every CSR the node shows for the unit (`show csr own`; the REST
 * API has no read of a CSR, and its POST would replace it, so both APIs read it over the CLI). A
 * node shows one, its current CSR; the digital twin given key folders (`--key-dir`) shows one more
 * per folder key, the keys it accepts a certificate for.
 */
export async function shownCsrKeys(ctx: StepContext, fqdn: string, unit: string): Promise<string[]> {
  const out = await (await ctx.cli(fqdn)).run(`show csr own ${unit}`);
  return [...out.matchAll(CSR_BLOCK)].map((m) => parseCsr(`${m[0].replace(/[ \t]+$/gm, '')}\n`, `the CSR ${fqdn} shows for ${unit}`).spki);
}

/**
 * Whether the node holds the key of `csr` (a CSR file, or any public key): as a CSR it shows (its
 * current one), or as the identity it was installed as. Only then does it accept a certificate for
 * that key: it has no private-key import, and a newer CSR replaced the older one's key (DOMAIN.md §5).
 */
export async function nodeHoldsKey(ctx: StepContext, fqdn: string, unit: string, csr: Pick<CsrFile, 'spki'>): Promise<'csr' | 'identity' | undefined> {
  if ((await shownCsrKeys(ctx, fqdn, unit)).includes(csr.spki)) return 'csr';
  if ((await identitySpki(ctx, fqdn, unit)) === csr.spki) return 'identity';
  return undefined;
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a.map((n) => n.toLowerCase()))].sort();
  const y = [...new Set(b.map((n) => n.toLowerCase()))].sort();
  return x.length === y.length && x.every((n, i) => n === y[i]);
}
