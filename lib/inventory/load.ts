/**
 * The inventory file: the same declarations as the constructs, as YAML or JSON data.
 * Its JSON Schema is inventory.schema.json beside this file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  CertificateAuthorityDecl,
  CertificateDecl,
  DeclarationError,
  Declarations,
  TrustEntryDecl,
  checkFqdn,
  checkName,
  checkOneOf,
  throwIfProblems,
} from '../model';
import { ClusterInput, buildCluster, unknownKeys } from './cluster-input';
import { CmsCertificateInput, CmsClusterInput, buildCmsCertificate, buildCmsCluster } from './cms-input';

export interface LoadedInventory {
  readonly declarations: Declarations;
  /** Folder the inventory's relative file paths start from (the inventory file's folder). */
  readonly baseDir: string;
}

const TOP_LEVEL = ['clusters', 'certificateAuthorities', 'certificates', 'trustEntries', 'cmsClusters', 'cmsCertificates'];

export function loadInventory(file: string): LoadedInventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read inventory '${file}' (${code ?? (e as Error).message})${code === 'ENOENT' ? ': check the path' : ''}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    // The parser's first line ends "at line L, column C:" before a source excerpt; keep the position, drop the colon.
    throw new Error(`Inventory '${file}' is not valid YAML or JSON: ${(e as Error).message.split('\n')[0].replace(/:\s*$/, '')}`);
  }
  return { declarations: inventoryToDeclarations(data, file), baseDir: dirname(resolve(file)) };
}

/** Turns parsed inventory data into declarations; every problem names its path in the file. */
export function inventoryToDeclarations(data: unknown, label = 'inventory'): Declarations {
  if (!isObject(data)) throw new Error(`${label}: expected a mapping with 'clusters', 'certificateAuthorities' and 'certificates'`);
  const problems: (string | undefined)[] = [];
  for (const key of Object.keys(data)) {
    if (!TOP_LEVEL.includes(key)) problems.push(`${label}: unknown key '${key}': use ${TOP_LEVEL.join(', ')}`);
  }
  const clusters = listOf(data.clusters, 'clusters', problems).map((c, i) => {
    try {
      return buildCluster(c as unknown as ClusterInput, `clusters[${i}]`);
    } catch (e) {
      if (e instanceof DeclarationError) problems.push(...e.problems);
      else throw e;
      return undefined;
    }
  });
  const cas = listOf(data.certificateAuthorities, 'certificateAuthorities', problems).map((c, i): CertificateAuthorityDecl => {
    const at = `certificateAuthorities[${i}]`;
    problems.push(...unknownKeys(c, ['name', 'root', 'intermediates'], at));
    problems.push(checkName(`${at}.name`, c.name), checkPath(`${at}.root`, c.root));
    const intermediates = c.intermediates === undefined ? [] : (c.intermediates as unknown[]);
    if (!Array.isArray(intermediates)) problems.push(`${at}.intermediates must be a list of files, root's child first`);
    else intermediates.forEach((p, j) => problems.push(checkPath(`${at}.intermediates[${j}]`, p)));
    return { name: c.name as string, root: c.root as string, intermediates: Array.isArray(intermediates) ? (intermediates as string[]) : [] };
  });
  const certificates = listOf(data.certificates, 'certificates', problems).map((c, i): CertificateDecl => {
    const at = `certificates[${i}]`;
    problems.push(...unknownKeys(c, ['cluster', 'purpose', 'distribution', 'node', 'certificate', 'ca', 'csr'], at));
    problems.push(
      checkName(`${at}.cluster`, c.cluster),
      checkOneOf(`${at}.distribution`, c.distribution ?? 'multi-server', ['multi-server', 'single-server']),
      checkPath(`${at}.certificate`, c.certificate),
      checkName(`${at}.ca`, c.ca),
    );
    if (typeof c.purpose !== 'string') problems.push(`${at}.purpose must name a certificate purpose such as 'tomcat'`);
    if (c.node !== undefined) problems.push(checkFqdn(`${at}.node`, c.node));
    if (c.csr !== undefined) problems.push(checkPath(`${at}.csr`, c.csr));
    return {
      cluster: c.cluster as string,
      purpose: c.purpose as string,
      distribution: (c.distribution ?? 'multi-server') as CertificateDecl['distribution'],
      node: typeof c.node === 'string' ? c.node.toLowerCase() : undefined,
      certificate: c.certificate as string,
      ca: c.ca as string,
      csr: c.csr as string | undefined,
    };
  });
  const trustEntries = listOf(data.trustEntries, 'trustEntries', problems).map((t, i): TrustEntryDecl => {
    const at = `trustEntries[${i}]`;
    problems.push(...unknownKeys(t, ['cluster', 'name', 'certificate', 'stores'], at));
    problems.push(checkName(`${at}.cluster`, t.cluster), checkName(`${at}.name`, t.name), checkPath(`${at}.certificate`, t.certificate));
    if (!Array.isArray(t.stores) || t.stores.length === 0) problems.push(`${at}.stores must list trust stores such as [tomcat-trust, CallManager-trust]`);
    return { cluster: t.cluster as string, name: t.name as string, certificate: t.certificate as string, stores: Array.isArray(t.stores) ? t.stores : [] };
  });
  // Meeting Server: cmsClusters and cmsCertificates (docs/cms.md), through the same normalizers as the constructs.
  const built = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (e) {
      if (!(e instanceof DeclarationError)) throw e;
      problems.push(...e.problems);
      return undefined;
    }
  };
  const cmsClusters = listOf(data.cmsClusters, 'cmsClusters', problems).map((c, i) => built(() => buildCmsCluster(c as unknown as CmsClusterInput, `cmsClusters[${i}]`)));
  const cmsCertificates = listOf(data.cmsCertificates, 'cmsCertificates', problems).map((c, i) =>
    built(() => buildCmsCertificate(c as unknown as CmsCertificateInput, `cmsCertificates[${i}]`)),
  );
  throwIfProblems(problems.map((p) => (p ? `${label}: ${p}` : undefined)));
  return {
    clusters: clusters.filter((c) => !!c) as Declarations['clusters'],
    certificateAuthorities: cas,
    certificates,
    trustEntries,
    ...(data.cmsClusters !== undefined ? { cmsClusters: cmsClusters.filter((c) => !!c) as NonNullable<Declarations['cmsClusters']> } : {}),
    ...(data.cmsCertificates !== undefined ? { cmsCertificates: cmsCertificates.filter((c) => !!c) as NonNullable<Declarations['cmsCertificates']> } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(v: unknown, key: string, problems: (string | undefined)[]): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`'${key}' must be a list`);
    return [];
  }
  return v.map((item, i) => {
    if (!isObject(item)) {
      problems.push(`${key}[${i}] must be a mapping`);
      return {};
    }
    return item;
  });
}

function checkPath(prop: string, value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? undefined : `${prop} must be a file path (relative to the inventory file), got ${JSON.stringify(value)}`;
}
