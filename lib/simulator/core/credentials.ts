/**
 * The platform (CUCM) or MMP (CMS) administrator each cluster's twin accepts: the values of the environment
 * variables the cluster names (read once, at start), else its credentials file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ClusterDecl } from '../../model';
import { Credentials } from './cli-shell';

export function clusterCredentials(cluster: Pick<ClusterDecl, 'name' | 'credentials'>, env: NodeJS.ProcessEnv, baseDir: string): Credentials {
  const { usernameEnv, passwordEnv, file } = cluster.credentials;
  const username = env[usernameEnv];
  const password = env[passwordEnv];
  if (username && password) return { username, password };
  if (file) {
    const path = resolve(baseDir, file);
    if (existsSync(path)) {
      const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<Credentials>;
      if (typeof data.username === 'string' && typeof data.password === 'string') return { username: data.username, password: data.password };
    }
  }
  throw new Error(
    `Cluster '${cluster.name}': set ${usernameEnv} and ${passwordEnv} before starting the twin: its nodes accept that user and password`,
  );
}
