/**
 * The running twin's Meeting Servers: their specs and persistent state, their file folders,
 * and what each service port presents now, on the context every platform shares (state
 * file, faults, log, stop signal, key cache: core/world.ts).
 */
import { SecureContext } from 'node:tls';
import { CmsService } from '../../model';
import { NodeFaults } from '../core/faults';
import { TwinContext, TwinLog } from '../core/world';
import { CmsFileStore } from './files';
import { CmsClusterDatabase, CmsPresented, CmsServerState, CmsServiceRecord } from './state';
import { CmsServerSpec, findCmsSpec } from './topology';

export class CmsWorld {
  readonly files: CmsFileStore;

  constructor(
    readonly twin: TwinContext,
    readonly specs: readonly CmsServerSpec[],
  ) {
    this.files = new CmsFileStore(twin.store, (fqdn) => this.server(fqdn), () => twin.save());
  }

  get restartMillis(): number {
    return this.twin.restartMillis;
  }

  get log(): TwinLog {
    return this.twin.log;
  }

  get signal(): AbortSignal {
    return this.twin.stopping.signal;
  }

  /** By FQDN or declared address. */
  find(fqdnOrAddress: string): CmsServerSpec | undefined {
    return findCmsSpec(this.specs, fqdnOrAddress);
  }

  spec(fqdn: string): CmsServerSpec {
    const spec = this.find(fqdn);
    if (!spec) throw new Error(`Unknown Meeting Server '${fqdn}'`);
    return spec;
  }

  server(fqdn: string): CmsServerState {
    return this.twin.state.cmsServers![this.spec(fqdn).fqdn];
  }

  /** The servers of the same CMS cluster, in declaration order. */
  clusterOf(spec: CmsServerSpec): CmsServerSpec[] {
    return this.specs.filter((s) => s.cluster.name === spec.cluster.name);
  }

  database(cluster: string): CmsClusterDatabase {
    const all = (this.twin.state.cmsDatabases ??= {});
    return (all[cluster] ??= { epoch: 0 });
  }

  /** A service's record; one the server does not run is disabled with nothing configured. */
  service(fqdn: string, service: CmsService): CmsServiceRecord {
    const services = this.server(fqdn).services;
    return (services[service] ??= { enabled: false });
  }

  faults(fqdn: string): NodeFaults {
    return this.twin.faults(fqdn);
  }

  save(): void {
    this.twin.save();
  }

  /** What the service's port presents now; undefined: the port drops the connection. */
  presenting(fqdn: string, service: CmsService): CmsPresented | undefined {
    const record = this.server(fqdn).services[service];
    if (!record || !record.enabled || record.restarting || record.failure) return undefined;
    return record.presents;
  }

  /** TLS context of a presented identity, built once. */
  secureContext(presented: CmsPresented): SecureContext {
    return this.twin.secureContext(`${presented.keyPath}|${presented.chain.join('')}`, () => ({ key: this.keyPem(presented.keyPath), cert: presented.chain.join('') }));
  }

  /** Drops stored bytes that no server's folder lists and no service presents any more (at start). */
  pruneFiles(): void {
    const inUse = new Set<string>();
    for (const server of Object.values(this.twin.state.cmsServers ?? {})) {
      for (const f of Object.values(server.files)) inUse.add(f.path);
      for (const s of Object.values(server.services)) if (s?.presents) inUse.add(s.presents.keyPath);
    }
    this.files.prune(inUse);
  }

  /** A private key of the key store, by its path relative to the state folder. */
  keyPem(path: string): string {
    return this.twin.key(path);
  }
}
