/**
 * The CAs an HTTPS connection to a node may chain to, and nothing else: the cluster's declared
 * `httpsCaFile`, the resolve map's (the twin's), and the CA chain of the tomcat certificates this
 * plan installs (after a tomcat rollout the node presents it on 8443). Never a trust entry's
 * CA (a partner's SIP-trunk CA, an Expressway root): a server holding a certificate from one
 * of those for a node's name must not receive the platform password.
 */
import { certificatePems } from '../pki/pem';
import { DriverConfigError } from '../drivers/errors';
import { ResolveMap } from '../drivers/resolve';
import { LoadedPlan, planPath } from './plan-file';
import { readBounded } from '../pki/bounded-read';

const WEB_PURPOSES = new Set(['tomcat', 'tomcat-ECDSA']);

export function httpsTrustAnchors(loaded: LoadedPlan, map?: ResolveMap): string[] {
  const { plan } = loaded;
  const httpsCaFile = plan.platform === 'cucm' ? plan.cluster.httpsCaFile : undefined;
  const files = new Set<string>();
  for (const s of plan.steps) if (s.kind === 'upload-identity' && WEB_PURPOSES.has(s.purpose)) for (const c of s.chain) files.add(c.file);
  return collectHttpsAnchors({
    httpsCaFile: httpsCaFile ? { path: planPath(loaded, httpsCaFile), shown: httpsCaFile } : undefined,
    resolveMap: map,
    webChainFiles: [...files].sort().map((f) => planPath(loaded, f)),
  });
}

export interface HttpsAnchorSources {
  /** The cluster's declared `httpsCaFile` (must be readable). */
  readonly httpsCaFile?: { readonly path: string; readonly shown: string };
  /** The twin's CA bundle, when a resolve map names one (must be readable). */
  readonly resolveMap?: ResolveMap;
  /** Absolute files of the CA chains of the declared tomcat / tomcat-ECDSA certificates (unreadable ones are skipped). */
  readonly webChainFiles: readonly string[];
}

/** The anchors from their sources, whoever asks (a plan step, or a read of the live cluster from an inventory). */
export function collectHttpsAnchors(sources: HttpsAnchorSources): string[] {
  const pems = new Set<string>();
  const required = (file: string, shown: string): void => {
    let data: Buffer;
    try {
      data = readBounded(file);
    } catch (e) {
      throw new DriverConfigError(`Cannot read the HTTPS CA bundle '${shown}' (${(e as NodeJS.ErrnoException).code}): fix the path or write the file`);
    }
    for (const p of certificatePems(data)) pems.add(p);
  };
  if (sources.httpsCaFile) required(sources.httpsCaFile.path, sources.httpsCaFile.shown);
  const map = sources.resolveMap;
  if (map?.httpsCa) required(map.httpsCa, map.httpsCa);
  for (const f of sources.webChainFiles) {
    try {
      for (const p of certificatePems(readBounded(f))) pems.add(p);
    } catch {
      // Its own upload step reports a missing file; other steps still run.
    }
  }
  return [...pems];
}

/** The purposes whose certificate a node presents on 8443, where REST and SOAP answer. */
export const HTTPS_PURPOSES: ReadonlySet<string> = WEB_PURPOSES;
