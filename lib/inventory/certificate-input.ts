/**
 * One normalizer per declaration of the CUCM / IM&P side besides the cluster (certificate
 * authority, service certificate, trust entry), used by the inventory loader and the
 * constructs alike: the same defaults, the same checks, the same message text. Rules that
 * need the whole declaration (a certificate's cluster exists, …) are the planner's
 * (lib/platforms/cucm/validate.ts).
 */
import { purposeNames, trustStoreNames } from '../catalog';
import {
  CertificateAuthorityDecl,
  CertificateDecl,
  TrustEntryDecl,
  checkFqdn,
  checkName,
  checkOneOf,
  didYouMean,
  parseRenewBefore,
  shown,
  throwIfProblems,
} from '../model';
import { checkPath, unknownKeys } from './input-checks';

export interface CertificateAuthorityInput {
  readonly name: string;
  readonly root: string;
  readonly intermediates?: readonly string[];
}

/** A certificate as the user writes it: the declaration's fields (model/declarations.ts), unchecked, with its defaults left out. */
export interface CertificateInput extends Omit<CertificateDecl, 'distribution' | 'renewBefore'> {
  /** @default multi-server */
  readonly distribution?: string;
  /** Days before expiry (`30`), or the share of the lifetime left (`'25%'`): when status and renew call it due. */
  readonly renewBefore?: number | string;
}

export interface TrustEntryInput {
  readonly cluster: string;
  readonly name: string;
  readonly certificate: string;
  readonly stores: readonly string[];
}

export const CERTIFICATE_AUTHORITY_KEYS = ['name', 'root', 'intermediates'];
export const CERTIFICATE_KEYS = ['cluster', 'purpose', 'distribution', 'node', 'certificate', 'issuer', 'renewalGeneration', 'extraNames', 'ca', 'csr', 'renewBefore', 'commonName'];

/** The largest renewal generation: a counter raised by hand, one per renewal. */
export const MAX_RENEWAL_GENERATION = 1_000_000;
export const TRUST_ENTRY_KEYS = ['cluster', 'name', 'certificate', 'stores'];

export function buildCertificateAuthority(input: CertificateAuthorityInput, where: string): CertificateAuthorityDecl {
  const c = input as unknown as Record<string, unknown>;
  const problems: (string | undefined)[] = [...unknownKeys(c, CERTIFICATE_AUTHORITY_KEYS, where), checkName(`${where}.name`, c.name), checkPath(`${where}.root`, c.root)];
  const intermediates = c.intermediates ?? [];
  if (!Array.isArray(intermediates)) problems.push(`${where}.intermediates must be a list of files, root's child first, got ${shown(intermediates)}`);
  else intermediates.forEach((p, j) => problems.push(checkPath(`${where}.intermediates[${j}]`, p)));
  throwIfProblems(problems);
  return { name: c.name as string, root: c.root as string, intermediates: [...(intermediates as string[])] };
}

export function buildCertificate(input: CertificateInput, where: string): CertificateDecl {
  const c = input as unknown as Record<string, unknown>;
  const distribution = c.distribution ?? 'multi-server';
  const problems: (string | undefined)[] = [
    ...unknownKeys(c, CERTIFICATE_KEYS, where),
    checkName(`${where}.cluster`, c.cluster),
    checkPurpose(`${where}.purpose`, c.purpose),
    checkOneOf(`${where}.distribution`, distribution, ['multi-server', 'single-server']),
    ...checkSource(c, where),
    checkName(`${where}.ca`, c.ca),
  ];
  if (c.node !== undefined) problems.push(checkFqdn(`${where}.node`, c.node));
  else if (distribution === 'single-server') problems.push(`${where}.node is missing: a single-server certificate needs node (the FQDN it is for)`);
  if (c.csr !== undefined) problems.push(checkPath(`${where}.csr`, c.csr));
  if (c.commonName !== undefined && checkFqdn(`${where}.commonName`, c.commonName)) {
    problems.push(`${where}.commonName must be a host name such as 'cs-ccm-pub-ms.example.com', got ${shown(c.commonName)}`);
  }
  const renewBefore = parseRenewBefore(`${where}.renewBefore`, c.renewBefore);
  problems.push(renewBefore.problem);
  throwIfProblems(problems);
  return {
    cluster: c.cluster as string,
    purpose: c.purpose as string,
    distribution: distribution as CertificateDecl['distribution'],
    node: typeof c.node === 'string' ? c.node.toLowerCase() : undefined,
    ...(c.certificate !== undefined ? { certificate: c.certificate as string } : {}),
    ...(c.issuer !== undefined
      ? {
          issuer: c.issuer as string,
          renewalGeneration: (c.renewalGeneration as number | undefined) ?? 0,
          ...(Array.isArray(c.extraNames) && c.extraNames.length > 0 ? { extraNames: [...new Set((c.extraNames as string[]).map((n) => n.toLowerCase()))] } : {}),
        }
      : {}),
    ca: c.ca as string,
    csr: c.csr as string | undefined,
    ...(renewBefore.value ? { renewBefore: renewBefore.value } : {}),
    ...(typeof c.commonName === 'string' ? { commonName: c.commonName.toLowerCase() } : {}),
  };
}

export function buildTrustEntry(input: TrustEntryInput, where: string): TrustEntryDecl {
  const t = input as unknown as Record<string, unknown>;
  const problems: (string | undefined)[] = [
    ...unknownKeys(t, TRUST_ENTRY_KEYS, where),
    checkName(`${where}.cluster`, t.cluster),
    checkName(`${where}.name`, t.name),
    checkPath(`${where}.certificate`, t.certificate),
  ];
  const stores = t.stores;
  if (!Array.isArray(stores) || stores.length === 0) {
    problems.push(`${where}.stores must list trust stores such as [tomcat-trust, CallManager-trust], got ${shown(stores)}`);
  } else {
    stores.forEach((s, i) => problems.push(checkOneOf(`${where}.stores[${i}]`, s, trustStoreNames())));
  }
  throwIfProblems(problems);
  return { cluster: t.cluster as string, name: t.name as string, certificate: t.certificate as string, stores: [...(stores as string[])] };
}

/**
 * Where the leaf comes from: a signed file (`certificate`) or an issuer (`issuer`), exactly one.
 * An issued certificate's CSR is made on the node, so `csr` belongs to signed files only;
 * `renewalGeneration` and `extraNames` to issued ones.
 */
function checkSource(c: Record<string, unknown>, where: string): (string | undefined)[] {
  const hasFile = c.certificate !== undefined;
  const hasIssuer = c.issuer !== undefined;
  if (hasFile && hasIssuer) {
    return [`${where} has both certificate and issuer: give certificate (a file signed from a CSR the node made) or issuer (the plan has the node make the CSR and the issuer sign it), not both`];
  }
  if (!hasFile && !hasIssuer) {
    return [`${where}.certificate must be a file path (signed from a CSR the node made), or give issuer: <a declared issuer> instead (the plan has the node make the CSR and the issuer sign it); neither is given`];
  }
  if (hasFile) {
    return [
      checkPath(`${where}.certificate`, c.certificate),
      c.renewalGeneration !== undefined ? `${where}.renewalGeneration is for issued certificates (issuer:): a signed file changes when the file does` : undefined,
      c.extraNames !== undefined ? `${where}.extraNames is for issued certificates (issuer:): the names of a signed file are in the file` : undefined,
    ];
  }
  const problems: (string | undefined)[] = [
    checkName(`${where}.issuer`, c.issuer),
    c.csr !== undefined ? `${where}.csr is for signed files: an issued certificate's CSR is generated on the node by the plan; remove csr` : undefined,
  ];
  const g = c.renewalGeneration;
  if (g !== undefined && !(typeof g === 'number' && Number.isInteger(g) && g >= 0 && g <= MAX_RENEWAL_GENERATION)) {
    problems.push(`${where}.renewalGeneration must be a whole number from 0 to ${MAX_RENEWAL_GENERATION} (raise it by one to renew), got ${shown(g)}`);
  }
  const names = c.extraNames;
  if (names !== undefined) {
    if (!Array.isArray(names)) problems.push(`${where}.extraNames must be a list of DNS names such as [uc.example.com], got ${shown(names)}`);
    else {
      names.forEach((n, i) => {
        const bad = checkFqdn(`${where}.extraNames[${i}]`, n);
        if (bad) problems.push(`${bad} (no wildcards: CUCM refuses them in a leaf certificate)`);
      });
      if (names.length > 100) problems.push(`${where}.extraNames lists ${names.length} names: at most 100`);
    }
  }
  return problems;
}

/** A certificate purpose of the catalog (DOMAIN.md §2), with the nearest names for a typo. */
function checkPurpose(prop: string, value: unknown): string | undefined {
  const names = purposeNames();
  if (typeof value === 'string' && names.includes(value)) return undefined;
  return `${prop} must name a certificate purpose (${names.join(', ')}), got ${shown(value)}${didYouMean(value, names)}`;
}
