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
  const { plan } = loaded;
  const httpsCaFile = plan.platform === 'cucm' ? plan.cluster.httpsCaFile : undefined;
  if (httpsCaFile) required(planPath(loaded, httpsCaFile), httpsCaFile);
  if (map?.httpsCa) required(map.httpsCa, map.httpsCa);
  const files = new Set<string>();
  for (const s of plan.steps) if (s.kind === 'upload-identity' && WEB_PURPOSES.has(s.purpose)) for (const c of s.chain) files.add(c.file);
  for (const f of [...files].sort()) {
    try {
      for (const p of certificatePems(readBounded(planPath(loaded, f)))) pems.add(p);
    } catch {
      // Its own upload step reports a missing file; other steps still run.
    }
  }
  return [...pems];
}
