/**
 * The CAs an HTTPS connection to a node may chain to: the cluster's declared bundle, the
 * resolve map's (the twin's), and the certificates the plan itself uploads as trust (after
 * a tomcat rollout the node presents the new CA-signed certificate on 8443).
 */
import { readFileSync } from 'node:fs';
import { certificatePems } from '../drivers/pem';
import { DriverConfigError } from '../drivers/errors';
import { ResolveMap } from '../drivers/resolve';
import { isCmsPlan } from '../plan/cms-types';
import { LoadedPlan, planPath, planSteps } from './plan-file';

export function httpsTrustAnchors(loaded: LoadedPlan, map?: ResolveMap): string[] {
  const pems = new Set<string>();
  const required = (file: string, shown: string): void => {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      throw new DriverConfigError(`Cannot read the HTTPS CA bundle '${shown}' (${(e as NodeJS.ErrnoException).code}): fix the path or write the file`);
    }
    for (const p of certificatePems(data)) pems.add(p);
  };
  const httpsCaFile = isCmsPlan(loaded.plan) ? undefined : loaded.plan.cluster.httpsCaFile;
  if (httpsCaFile) required(planPath(loaded, httpsCaFile), httpsCaFile);
  if (map?.httpsCa) required(map.httpsCa, map.httpsCa);
  const files = new Set(planSteps(loaded).filter((s) => s.kind === 'upload-trust' && s.certificate).map((s) => s.certificate!.file));
  for (const f of [...files].sort()) {
    try {
      for (const p of certificatePems(readFileSync(planPath(loaded, f)))) pems.add(p);
    } catch {
      // Its own upload step reports a missing file; other steps still run.
    }
  }
  return [...pems];
}
