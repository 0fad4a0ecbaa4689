/**
 * Reads every declared CUCM / IM&P node, in parallel with a limit, each bounded by a timeout,
 * through the same connection setup as a plan step (lib/drivers/node-access.ts): the cluster's
 * credentials, its host key pins, the resolve map of `UCROLLOUT_RESOLVE` or `--resolve`, and
 * HTTPS anchored on its `httpsCaFile`, the resolve map's CA and the CA chains of the declared
 * tomcat certificates only. Nothing is written to any node.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadCredentials } from '../drivers/credentials';
import { DriverConfigError } from '../drivers/errors';
import { AccessibleNode, NodeAccess } from '../drivers/node-access';
import { ResolveMap } from '../drivers/resolve';
import { HTTPS_PURPOSES, collectHttpsAnchors } from '../executor/trust-anchors';
import { CertificateDecl, ClusterDecl, CmsCertificateDecl, CmsClusterDecl, Declarations, findCmsServer, findNode } from '../model';
import { readCertificateFacts } from '../pki/facts';
import { readCmsServer } from './cms-live';
import { NodeReading, ReadTimeouts, readNode } from './live';
import { DeclaredFile, EvaluateOptions, Evaluation, evaluateStatus } from './status';

export interface CollectOptions {
  /** Folder the inventory's relative paths start from. */
  readonly baseDir: string;
  readonly resolveMap?: ResolveMap;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra known_hosts files whose lines pin nodes (e.g. a stack's plan.state/known_hosts.first-contact). */
  readonly knownHosts?: readonly string[];
  /** Nodes read at once. @default 8 */
  readonly parallel?: number;
  /** Bound on reading one node, connect to last probe. @default 60000 */
  readonly nodeTimeoutMs?: number;
  readonly timeouts?: ReadTimeouts & { readonly connectMs?: number; readonly httpsMs?: number };
}

export const DEFAULT_PARALLEL = 8;
export const DEFAULT_NODE_TIMEOUT_MS = 60_000;

/** The connection setup of a declared cluster, as a plan step of it would have it. */
export function clusterAccess(decls: Declarations, cluster: ClusterDecl, opts: CollectOptions): NodeAccess {
  const abs = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  return new NodeAccess({
    node: (fqdn) => {
      const n = findNode(cluster, fqdn);
      if (!n) throw new DriverConfigError(`Node ${fqdn} is not declared in cluster '${cluster.name}'`);
      return accessible(n);
    },
    credentials: () => loadCredentials(cluster.credentials, opts.baseDir, opts.env ?? process.env),
    httpsAnchors: () =>
      collectHttpsAnchors({
        httpsCaFile: cluster.httpsCaFile ? { path: abs(cluster.httpsCaFile), shown: cluster.httpsCaFile } : undefined,
        resolveMap: opts.resolveMap,
        webChainFiles: webCaFiles(decls, cluster.name).map(abs),
      }),
    knownHostsFile: cluster.knownHostsFile ? { path: abs(cluster.knownHostsFile), shown: cluster.knownHostsFile } : undefined,
    extraKnownHosts: opts.knownHosts,
    resolveMap: opts.resolveMap,
    connectMs: opts.timeouts?.connectMs ?? 15_000,
    httpsMs: opts.timeouts?.httpsMs ?? 20_000,
  });
}

export function accessible(n: { fqdn: string; address?: string; ports: Readonly<Record<string, number>>; sshHostKeys: readonly string[] }): AccessibleNode {
  return { fqdn: n.fqdn, address: n.address ?? n.fqdn, ports: n.ports, sshHostKeys: n.sshHostKeys };
}

/** The CA files (root, intermediates) of the cluster's declared tomcat / tomcat-ECDSA certificates: what its 8443 presents after a rollout. */
export function webCaFiles(decls: Declarations, cluster: string): string[] {
  const cas = new Set(decls.certificates.filter((c) => c.cluster === cluster && HTTPS_PURPOSES.has(c.purpose)).map((c) => c.ca));
  return decls.certificateAuthorities.filter((ca) => cas.has(ca.name)).flatMap((ca) => [...ca.intermediates, ca.root]);
}

/** The connection setup of a declared Meeting Server cluster, as its plan's steps have it (MMP over SSH, TLS probes). */
export function cmsClusterAccess(cluster: CmsClusterDecl, opts: CollectOptions): NodeAccess {
  const abs = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  return new NodeAccess({
    node: (fqdn) => {
      const s = findCmsServer(cluster, fqdn);
      if (!s) throw new DriverConfigError(`Server ${fqdn} is not declared in Meeting Server cluster '${cluster.name}'`);
      return accessible(s);
    },
    credentials: () => loadCredentials(cluster.credentials, opts.baseDir, opts.env ?? process.env),
    httpsAnchors: () => [],
    knownHostsFile: cluster.knownHostsFile ? { path: abs(cluster.knownHostsFile), shown: cluster.knownHostsFile } : undefined,
    extraKnownHosts: opts.knownHosts,
    resolveMap: opts.resolveMap,
    connectMs: opts.timeouts?.connectMs ?? 15_000,
  });
}

/** Checks what would stop every read before any connection: credentials that are not there. */
export function checkCredentials(decls: Declarations, opts: CollectOptions): void {
  for (const c of [...decls.clusters, ...(decls.cmsClusters ?? [])]) loadCredentials(c.credentials, opts.baseDir, opts.env ?? process.env);
}

/** Reads every node of every declared CUCM / IM&P cluster and every declared Meeting Server; a node that fails is a reading with `reachable: false`. */
export async function readClusters(decls: Declarations, opts: CollectOptions): Promise<Map<string, NodeReading>> {
  type Job = { fqdn: string; read: (onOpen: (close: () => void) => void) => Promise<NodeReading> };
  const jobs: Job[] = decls.clusters.flatMap((cluster) => {
    const access = clusterAccess(decls, cluster, opts);
    return cluster.nodes.map((node) => ({ fqdn: node.fqdn, read: (onOpen: (close: () => void) => void) => readNode(access, node, opts.timeouts ?? {}, onOpen) }));
  });
  for (const cluster of decls.cmsClusters ?? []) {
    const access = cmsClusterAccess(cluster, opts);
    for (const server of cluster.servers) jobs.push({ fqdn: server.fqdn, read: (onOpen) => readCmsServer(access, server, opts.timeouts ?? {}, onOpen) });
  }
  const timeoutMs = opts.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
  const results = await runLimited(jobs, opts.parallel ?? DEFAULT_PARALLEL, async ({ fqdn, read }) => {
    const node = { fqdn };
    const closers: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no complete answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      return await Promise.race([read((close) => closers.push(close)), timedOut]);
    } catch (e) {
      if (e instanceof DriverConfigError) throw e;
      return { fqdn: node.fqdn.toLowerCase(), reachable: false, error: (e as Error).message.replace(`${node.fqdn}: `, ''), identities: [], trust: [] } satisfies NodeReading;
    } finally {
      clearTimeout(timer);
      for (const close of closers) close();
    }
  });
  return new Map(results.map((r) => [r.fqdn.toLowerCase(), r]));
}

/** Reads and judges: the whole status of the declarations. */
export async function collectStatus(decls: Declarations, opts: CollectOptions & Omit<EvaluateOptions, 'declaredFile'>): Promise<Evaluation> {
  const readings = await readClusters(decls, opts);
  const caSubjects = new Map<string, readonly string[] | undefined>();
  return evaluateStatus(decls, readings, {
    ...opts,
    declaredFile: (d) => declaredFileFacts(d, opts.baseDir),
    declaredCmsFile: (d) => declaredCmsFileFacts(d, opts.baseDir),
    declaredCa: (name) => {
      // Asked once per identity judged (every node × purpose): each CA's files are read once.
      if (!caSubjects.has(name)) caSubjects.set(name, declaredCaSubjects(decls, name, opts.baseDir));
      return caSubjects.get(name);
    },
  });
}

/** The subjects of a declared CA's root and intermediates; undefined when it is not declared or a file cannot be read (lint says why). */
export function declaredCaSubjects(decls: Declarations, name: string, baseDir: string): readonly string[] | undefined {
  const ca = decls.certificateAuthorities.find((c) => c.name === name);
  if (!ca) return undefined;
  try {
    return [ca.root, ...ca.intermediates].map((p) => readCertificateFacts(isAbsolute(p) ? p : join(baseDir, p), p).subject);
  } catch {
    return undefined;
  }
}

/** A declared Meeting Server certificate's facts; undefined when the file is not there yet (a server-made key not signed). */
export function declaredCmsFileFacts(decl: CmsCertificateDecl, baseDir: string): DeclaredFile | undefined {
  const path = isAbsolute(decl.certificate) ? decl.certificate : join(baseDir, decl.certificate);
  if (decl.source === 'server-csr' && !existsSync(path)) return undefined;
  const f = readCertificateFacts(path, decl.certificate);
  return { sha256: f.sha256, notBefore: f.notBefore, notAfter: f.notAfter, subject: f.subject };
}

export function declaredFileFacts(decl: CertificateDecl, baseDir: string): DeclaredFile | undefined {
  // An issued certificate has no declared file: its leaf is signed at apply time (lib/issuers).
  if (decl.certificate === undefined) return undefined;
  const path = isAbsolute(decl.certificate) ? decl.certificate : join(baseDir, decl.certificate);
  const f = readCertificateFacts(path, decl.certificate);
  return { sha256: f.sha256, notBefore: f.notBefore, notAfter: f.notAfter, subject: f.subject };
}

/** `work` on every item, at most `limit` at once, results in item order. */
export async function runLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
