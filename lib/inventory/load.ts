/**
 * The inventory file: the same declarations as the constructs, as YAML or JSON data.
 * Its JSON Schema is inventory.schema.json beside this file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { DeclarationError, Declarations, ProblemList, nodesInSeveralClusters } from '../model';
import { buildCertificate, buildCertificateAuthority, buildTrustEntry } from './certificate-input';
import { buildCluster } from './cluster-input';
import { buildCmsCertificate, buildCmsCluster } from './cms-input';
import { isMapping } from './input-checks';
import { buildIssuers } from '../issuers/normalize';
import type { IssuerDecl } from '../issuers/types';

export interface LoadedInventory {
  readonly declarations: Declarations;
  /** Folder the inventory's relative file paths start from (the inventory file's folder). */
  readonly baseDir: string;
}

/** The largest inventory read: an inventory holds declarations, not data (a 1+5 cluster is about 2 KiB). */
export const INVENTORY_MAX_BYTES = 10 * 1024 * 1024;

/** Entries still normalized (to count their problems) once PROBLEM_LIMIT problems are kept; the rest are skipped. */
const CHECKED_BEYOND_LIMIT = 1000;

const TOP_LEVEL = ['clusters', 'certificateAuthorities', 'certificates', 'trustEntries', 'cmsClusters', 'cmsCertificates', 'issuers'];

export function loadInventory(file: string): LoadedInventory {
  const text = readCapped(file);
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    // The parser's first line ends "at line L, column C:" before a source excerpt; keep the position, drop the colon.
    throw new Error(`Inventory '${file}' is not valid YAML or JSON: ${(e as Error).message.split('\n')[0].replace(/:\s*$/, '')}`);
  }
  return { declarations: inventoryToDeclarations(data, file), baseDir: dirname(resolve(file)) };
}

/** Reads at most INVENTORY_MAX_BYTES + 1 bytes: stat cannot tell (/dev/zero and pipes have size 0). */
function readCapped(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(INVENTORY_MAX_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > INVENTORY_MAX_BYTES) {
      throw new Error(`Inventory '${file}' is larger than ${INVENTORY_MAX_BYTES / 1024 / 1024} MiB: an inventory declares clusters and certificates (a few KiB); check the path`);
    }
    return buffer.toString('utf8', 0, length);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) throw e;
    throw new Error(`Cannot read inventory '${file}' (${code})${code === 'ENOENT' ? ': check the path' : code === 'EISDIR' ? ': give the inventory file, not its folder' : ''}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Turns parsed inventory data into declarations; every problem names its path in the file.
 * At most PROBLEM_LIMIT problems are kept; past it, problems are only counted, and after
 * CHECKED_BEYOND_LIMIT more entries the rest are not checked (400,000 junk entries stay fast).
 */
export function inventoryToDeclarations(data: unknown, label = 'inventory'): Declarations {
  const doc = data ?? {}; // an empty file
  if (!isMapping(doc)) throw new Error(`${label}: expected a mapping with 'clusters', 'certificateAuthorities' and 'certificates'`);
  const problems = new ProblemList();
  let checkedBeyond = 0;
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.includes(key)) problems.add(`unknown key '${key.length > 64 ? `${key.slice(0, 64)}…` : key}': use ${TOP_LEVEL.join(', ')}`);
  }
  /** Each entry of a top-level list through its normalizer; entries past the problem limit are skipped. */
  const entries = <T>(key: string, build: (entry: never, at: string) => T): T[] => {
    const value = doc[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.add(`'${key}' must be a list`);
      return [];
    }
    const built: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const entry = value[i];
      if (!isMapping(entry)) {
        problems.add(`${key}[${i}] must be a mapping`); // cheap: counted past the limit too
        continue;
      }
      if (problems.full && checkedBeyond++ >= CHECKED_BEYOND_LIMIT) {
        problems.skip();
        continue;
      }
      try {
        built.push(build(entry as never, `${key}[${i}]`));
      } catch (e) {
        if (!(e instanceof DeclarationError)) throw e;
        problems.add(...e.problems);
      }
    }
    return built;
  };
  const declarations: Declarations = {
    clusters: entries('clusters', buildCluster),
    certificateAuthorities: entries('certificateAuthorities', buildCertificateAuthority),
    certificates: entries('certificates', buildCertificate),
    trustEntries: entries('trustEntries', buildTrustEntry),
    // Meeting Server: cmsClusters and cmsCertificates (docs/cms.md).
    ...(doc.cmsClusters !== undefined ? { cmsClusters: entries('cmsClusters', buildCmsCluster) } : {}),
    ...(doc.cmsCertificates !== undefined ? { cmsCertificates: entries('cmsCertificates', buildCmsCertificate) } : {}),
    // The CAs that sign CSRs made on the nodes (lib/issuers, docs/inventory.md "Issuers").
    ...(doc.issuers !== undefined && doc.issuers !== null ? { issuers: issuersOf(doc.issuers, problems) } : {}),
  };
  if (!problems.full) problems.add(...nodesInSeveralClusters(declarations));
  const none = (key: string) => doc[key] === undefined || doc[key] === null || (Array.isArray(doc[key]) && (doc[key] as unknown[]).length === 0);
  if (none('clusters') && none('cmsClusters')) {
    problems.add(`nothing to plan: declare at least one cluster under 'clusters' (CUCM / IM and Presence) or 'cmsClusters' (Meeting Server)`);
  }
  problems.throwIfAny(`${label}: `);
  return declarations;
}

/** The `issuers:` list through the one issuer normalizer (lib/issuers), its problems kept with the others. */
function issuersOf(value: unknown, problems: ProblemList): IssuerDecl[] {
  try {
    return buildIssuers(value, 'issuers');
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    problems.add(...e.problems);
    return [];
  }
}
