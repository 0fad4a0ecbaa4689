/**
 * First boot of the simulated Meeting Servers: an SSH host key, for every declared service a
 * self-signed key and certificate in the MMP folder (`selfsigned-<service>.key/.crt`), configured
 * and presented; and a working database cluster as the declarations describe it (the declared
 * primary connected, replicas joined, connect-only servers connected) with certificates of an
 * earlier built-in CA (dbca, dbserver, dbclient). Known servers keep their state; a restart
 * interrupted by the twin's stop leaves the service failed.
 */
import { CmsService } from '../../model';
import { generateKeyPem } from '../../pki/keys';
import { nodeSelfSigned, parseCert } from '../core/certificate';
import { sshHostKey } from '../core/cli-shell';
import { StateStore, TwinState } from '../core/state';
import { CmsFileStore } from './files';
import { makeCsr, makeSelfSigned, signCsr } from './pki';
import { CmsServerState } from './state';
import { CmsServerSpec } from './topology';

export async function provisionCms(store: StateStore, state: TwinState, specs: readonly CmsServerSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const servers = (state.cmsServers ??= {});
  const databases = (state.cmsDatabases ??= {});
  const files = new CmsFileStore(store, (fqdn) => servers[fqdn], () => undefined);
  const now = new Date().toISOString();

  for (const spec of specs) {
    const server: CmsServerState = servers[spec.fqdn] ?? {
      fqdn: spec.fqdn,
      cluster: spec.cluster.name,
      sshHostKeyFile: store.writeKey(`${spec.fqdn}.ssh_host_ecdsa_key`, sshHostKey()),
      files: {},
      services: {},
      database: { membership: 'none' },
    };
    servers[spec.fqdn] = server;
    for (const service of spec.decl.services) {
      const record = server.services[service];
      if (!record) {
        server.services[service] = await selfSignedService(files, spec, service, now);
      } else if (record.restarting) {
        record.restarting = false;
        record.failure = 'restart interrupted: the twin stopped while it ran';
      }
    }
  }

  const clusters = [...new Set(specs.map((s) => s.cluster.name))];
  for (const name of clusters) {
    if (databases[name]) continue;
    const members = specs.filter((s) => s.cluster.name === name);
    databases[name] = { epoch: 0 };
    const primary = members.find((s) => s.decl.databaseRole === 'primary');
    if (primary) await formDatabaseCluster(files, state, members, primary, now);
  }
  store.save(state);
}

async function selfSignedService(files: CmsFileStore, spec: CmsServerSpec, service: CmsService, now: string): Promise<NonNullable<CmsServerState['services'][CmsService]>> {
  const key = await generateKeyPem({ keyType: 'EC' });
  const certificate = await nodeSelfSigned(spec.fqdn, [spec.fqdn], { pem: key, type: 'EC' });
  const keyName = `selfsigned-${service}.key`;
  const certName = `selfsigned-${service}.crt`;
  const keyFile = files.write(spec.fqdn, keyName, Buffer.from(key));
  files.write(spec.fqdn, certName, Buffer.from(certificate));
  const cert = parseCert(certificate);
  return { enabled: true, key: keyName, certificate: certName, presents: { keyPath: keyFile.path, chain: [cert.pem], leafSha256: cert.sha256, since: now } };
}

/** The database cluster as it was before this change: made once per CMS cluster, at first boot. */
async function formDatabaseCluster(files: CmsFileStore, state: TwinState, members: readonly CmsServerSpec[], primary: CmsServerSpec, now: string): Promise<void> {
  const cores = members.filter((s) => s.decl.databaseRole !== 'none');
  const dbNodes = cores.filter((s) => s.decl.databaseRole === 'primary' || s.decl.databaseRole === 'replica');
  const caKey = await generateKeyPem({ keyType: 'EC' });
  const ca = await makeSelfSigned(caKey, { CN: `${primary.cluster.name} database CA` }, []);
  const issue = async (cn: string, sans: string[]): Promise<{ key: string; cert: string }> => {
    const key = await generateKeyPem({ keyType: 'EC' });
    const signed = await signCsr(await makeCsr(key, { CN: cn }, sans), ca, caKey);
    if (!signed.ok) throw new Error(`database certificates of ${primary.cluster.name}: ${signed.error}`);
    return { key, cert: signed.pem };
  };
  const server = await issue(primary.fqdn, dbNodes.map((s) => s.fqdn));
  const client = await issue('postgres', []);
  const database = state.cmsDatabases![primary.cluster.name];
  database.epoch = 1;
  database.primary = primary.fqdn;
  for (const spec of cores) {
    const node = spec.decl.databaseRole !== 'connect-only';
    const put = (name: string, text: string): void => void files.write(spec.fqdn, name, Buffer.from(text));
    if (node) {
      put('dbserver.key', server.key);
      put('dbserver.crt', server.cert);
    }
    put('dbclient.key', client.key);
    put('dbclient.crt', client.cert);
    put('dbca.crt', ca);
    const db = state.cmsServers![spec.fqdn].database;
    db.certs = node
      ? { serverKey: 'dbserver.key', serverCertificate: 'dbserver.crt', clientKey: 'dbclient.key', clientCertificate: 'dbclient.crt', caCertificate: 'dbca.crt' }
      : { clientKey: 'dbclient.key', clientCertificate: 'dbclient.crt', caCertificate: 'dbca.crt' };
    db.localnode = spec.decl.databaseInterface;
    db.epoch = 1;
    db.primary = primary.fqdn;
    db.membership = spec === primary ? 'primary' : node ? 'replica' : 'connected';
    if (spec === primary) db.connectedAt = now;
  }
}
