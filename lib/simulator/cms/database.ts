/**
 * `database cluster …` on the MMP: one database cluster per CMS cluster, shared by its servers.
 * `initialize` on the declared primary starts a new cluster (Connected Primary after the
 * configured restart time); replicas `join` it and connect-only servers `connect` to it once
 * the primary is connected, with certificates from the same database CA; `remove` takes a server
 * out (on the primary: every member is disconnected). Refused as a real server refuses:
 * `initialize` on a server that is not the declared primary, join / connect before the primary
 * initialized, certificates whose files are missing or whose key does not match.
 */
import { mmpCommandSeconds } from '../core/timing';
import { certificatesOf, keyMatchesCertificate, verifyAgainstBundle } from './pki';
import { CmsResult } from './services';
import { CmsDatabaseCerts, CmsDatabaseRecord } from './state';
import { CmsServerSpec } from './topology';
import { CmsWorld } from './world';

const INTERFACES = /^[a-e]$/;
const PAD = 20;
const row = (label: string, value: string): string => `${label.padEnd(PAD)}: ${value}`;
const nodeRow = (label: string, value: string): string => `    ${label.padEnd(PAD + 8)}: ${value}`;

/** The primary's cluster is whole: it initialized the current epoch, the wait is over and nothing broke. */
export function primaryConnected(cw: CmsWorld, spec: CmsServerSpec, now = Date.now()): boolean {
  const cluster = cw.database(spec.cluster.name);
  const db = cw.server(spec.fqdn).database;
  return (
    cluster.primary === spec.fqdn &&
    db.membership === 'primary' &&
    db.epoch === cluster.epoch &&
    !db.failure &&
    !!db.connectedAt &&
    now >= Date.parse(db.connectedAt)
  );
}

/** A replica or connecting server reaches the current primary. */
function memberConnected(cw: CmsWorld, spec: CmsServerSpec): boolean {
  const cluster = cw.database(spec.cluster.name);
  const db = cw.server(spec.fqdn).database;
  if (db.failure || db.epoch !== cluster.epoch || !db.primary || db.primary !== cluster.primary) return false;
  return primaryConnected(cw, cw.spec(db.primary));
}

export function databaseStatus(cw: CmsWorld, fqdn: string): string[] {
  const spec = cw.spec(fqdn);
  const db = cw.server(fqdn).database;
  const lines: string[] = [row('Status', db.membership === 'none' ? 'Disabled' : 'Enabled')];
  if (db.membership === 'none') {
    lines.push('Nodes: none');
  } else {
    const primary = db.primary ? cw.find(db.primary) : undefined;
    lines.push('Nodes:');
    if (primary) {
      const me = primary.fqdn === spec.fqdn;
      const state = primaryConnected(cw, primary)
        ? 'Connected Primary'
        : cw.server(primary.fqdn).database.membership === 'primary' && !cw.server(primary.fqdn).database.failure && cw.server(primary.fqdn).database.epoch === db.epoch
          ? 'Initializing'
          : 'Disconnected';
      lines.push(nodeRow(`${primary.fqdn}${me ? ' (me)' : ''}`, me && db.failure ? 'Disconnected' : state));
      const replicas = cw.clusterOf(spec).filter((s) => {
        const other = cw.server(s.fqdn).database;
        return other.membership === 'replica' && other.primary === primary.fqdn && other.epoch === db.epoch;
      });
      for (const r of replicas) {
        lines.push(nodeRow(`${r.fqdn}${r.fqdn === spec.fqdn ? ' (me)' : ''}`, memberConnected(cw, r) ? 'Connected Replica ( In Sync )' : 'Disconnected'));
      }
    }
    if (db.membership === 'connected') lines.push(row('This server', `${memberConnected(cw, spec) ? 'Connected' : 'Disconnected'} (no local database)`));
    lines.push(row('Node in use', primary?.fqdn ?? 'none'));
  }
  lines.push(row('Interface', db.localnode ?? 'none'));
  lines.push('Certificates');
  const c = db.certs;
  lines.push(nodeRow('Server Key', c?.serverKey ?? 'none'), nodeRow('Server Certificate', c?.serverCertificate ?? 'none'));
  lines.push(nodeRow('Client Key', c?.clientKey ?? 'none'), nodeRow('Client Certificate', c?.clientCertificate ?? 'none'), nodeRow('CA Certificate', c?.caCertificate ?? 'none'));
  if (db.failure) lines.push(row('Failure', db.failure));
  if (db.lastCommand) lines.push(row('Last command', db.lastCommand));
  return lines;
}

function done(cw: CmsWorld, db: CmsDatabaseRecord, command: string): CmsResult {
  db.lastCommand = `'${command}' (Success)`;
  cw.save();
  return { ok: true };
}

function refuse(cw: CmsWorld, db: CmsDatabaseRecord, command: string, error: string): CmsResult {
  db.lastCommand = `'${command}' (Failed)`;
  cw.save();
  return { ok: false, error };
}

export function databaseRemove(cw: CmsWorld, fqdn: string): CmsResult {
  const spec = cw.spec(fqdn);
  const db = cw.server(fqdn).database;
  const cluster = cw.database(spec.cluster.name);
  if (cluster.primary === spec.fqdn) {
    cluster.primary = undefined;
    cluster.epoch += 1;
  }
  db.membership = 'none';
  delete db.primary;
  delete db.epoch;
  delete db.connectedAt;
  delete db.failure;
  cw.log(`${spec.fqdn}: database cluster remove`);
  return done(cw, db, 'database cluster remove');
}

export function databaseLocalnode(cw: CmsWorld, fqdn: string, iface: string | undefined): CmsResult {
  const db = cw.server(fqdn).database;
  const command = `database cluster localnode ${iface ?? ''}`.trim();
  if (!iface || !INTERFACES.test(iface)) return refuse(cw, db, command, 'usage: database cluster localnode <a|b|c|d|e>');
  db.localnode = iface;
  return done(cw, db, command);
}

/** Checks the files of `database cluster certs`: there, keys matching, certificates signed by the CA. */
function checkCerts(cw: CmsWorld, fqdn: string, certs: CmsDatabaseCerts): string | undefined {
  const names = [certs.serverKey, certs.serverCertificate, certs.clientKey, certs.clientCertificate, certs.caCertificate].filter((n): n is string => !!n);
  for (const name of names) if (!cw.files.stat(fqdn, name)) return `${name} not found: copy it to this server over SFTP first`;
  const ca = certificatesOf(cw.files.text(fqdn, certs.caCertificate)!);
  if (!ca) return `${certs.caCertificate} holds no readable PEM certificate`;
  const pairs: [string, string][] = [[certs.clientKey, certs.clientCertificate]];
  if (certs.serverKey && certs.serverCertificate) pairs.unshift([certs.serverKey, certs.serverCertificate]);
  for (const [key, crt] of pairs) {
    const keyFile = cw.files.stat(fqdn, key)!;
    if (!keyFile.privateKey) return `${key} is not a private key`;
    const cert = certificatesOf(cw.files.text(fqdn, crt)!);
    if (!cert) return `${crt} holds no readable PEM certificate`;
    if (!keyMatchesCertificate(cw.keyPem(keyFile.path), cert[0].pem)) return `the key ${key} does not match the certificate ${crt}`;
    const problem = verifyAgainstBundle(cert[0], ca);
    if (problem) return `${crt} is not signed by ${certs.caCertificate}: ${problem}`;
  }
  return undefined;
}

/** `database cluster certs <server key> <server crt> <client key> <client crt> <ca crt>` or `<client key> <client crt> <ca crt>`. */
export function databaseCerts(cw: CmsWorld, fqdn: string, args: readonly string[]): CmsResult {
  const db = cw.server(fqdn).database;
  const command = ['database cluster certs', ...args].join(' ');
  let certs: CmsDatabaseCerts;
  if (args.length === 5) certs = { serverKey: args[0], serverCertificate: args[1], clientKey: args[2], clientCertificate: args[3], caCertificate: args[4] };
  else if (args.length === 3) certs = { clientKey: args[0], clientCertificate: args[1], caCertificate: args[2] };
  else return refuse(cw, db, command, 'usage: database cluster certs <server key> <server certificate> <client key> <client certificate> <CA certificate> | <client key> <client certificate> <CA certificate>');
  const problem = checkCerts(cw, fqdn, certs);
  if (problem) return refuse(cw, db, command, problem);
  db.certs = certs;
  cw.log(`${cw.spec(fqdn).fqdn}: database cluster certs ${args.join(' ')}`);
  return done(cw, db, command);
}

export function databaseInitialize(cw: CmsWorld, fqdn: string): CmsResult {
  const spec = cw.spec(fqdn);
  const db = cw.server(fqdn).database;
  const command = 'database cluster initialize';
  if (spec.decl.databaseRole !== 'primary') {
    const primary = spec.cluster.servers.find((s) => s.databaseRole === 'primary')?.fqdn;
    return refuse(cw, db, command, `${spec.fqdn} is not the database primary${primary ? ` (${primary} is)` : ''}: initialize runs on the primary only; use join or connect here`);
  }
  if (db.membership !== 'none') return refuse(cw, db, command, 'this server is in a database cluster: run database cluster remove first');
  if (!db.certs?.serverKey) return refuse(cw, db, command, 'no database server certificates: run database cluster certs <server key> <server certificate> <client key> <client certificate> <CA certificate> first');
  const problem = checkCerts(cw, fqdn, db.certs);
  if (problem) return refuse(cw, db, command, problem);
  const cluster = cw.database(spec.cluster.name);
  cluster.epoch += 1;
  cluster.primary = spec.fqdn;
  db.membership = 'primary';
  db.primary = spec.fqdn;
  db.epoch = cluster.epoch;
  // On the scaled timing model (--time-scale): the model's time of `database cluster initialize`.
  const settles = cw.twin.timing ? cw.twin.timing.scaled(mmpCommandSeconds(command) ?? 0) : cw.restartMillis;
  db.connectedAt = new Date(Date.now() + settles).toISOString();
  delete db.failure;
  cw.log(`${spec.fqdn}: database cluster initialize (epoch ${cluster.epoch})`);
  return done(cw, db, command);
}

/** `database cluster join <primary>` (a replica) or `database cluster connect <primary>` (no local database). */
export function databaseJoin(cw: CmsWorld, fqdn: string, target: string | undefined, how: 'join' | 'connect'): CmsResult {
  const spec = cw.spec(fqdn);
  const db = cw.server(fqdn).database;
  const command = `database cluster ${how} ${target ?? ''}`.trim();
  if (!target) return refuse(cw, db, command, `usage: database cluster ${how} <primary FQDN or address>`);
  const primary = cw.find(target);
  if (!primary || primary.cluster.name !== spec.cluster.name) return refuse(cw, db, command, `cannot reach ${target}: no Meeting Server of this deployment answers there`);
  if (primary.fqdn === spec.fqdn) return refuse(cw, db, command, `${target} is this server`);
  if (db.membership !== 'none') return refuse(cw, db, command, 'this server is in a database cluster: run database cluster remove first');
  if (how === 'join' && !db.certs?.serverKey) {
    return refuse(cw, db, command, 'no database server certificates: run database cluster certs <server key> <server certificate> <client key> <client certificate> <CA certificate> first');
  }
  if (!db.certs) return refuse(cw, db, command, 'no database client certificates: run database cluster certs <client key> <client certificate> <CA certificate> first');
  const problem = checkCerts(cw, fqdn, db.certs);
  if (problem) return refuse(cw, db, command, problem);
  if (!primaryConnected(cw, primary)) {
    return refuse(cw, db, command, `${primary.fqdn} is not a connected database primary: run database cluster initialize there first (and wait for Connected Primary)`);
  }
  const ours = certificatesOf(cw.files.text(fqdn, db.certs.caCertificate)!)![0];
  const theirs = cw.server(primary.fqdn).database.certs;
  const theirCa = theirs ? certificatesOf(cw.files.text(primary.fqdn, theirs.caCertificate) ?? '')?.[0] : undefined;
  if (!theirCa || theirCa.sha256 !== ours.sha256) {
    return refuse(cw, db, command, `certificate verify failed: ${primary.fqdn} uses another database CA than ${db.certs.caCertificate}`);
  }
  const cluster = cw.database(spec.cluster.name);
  db.membership = how === 'join' ? 'replica' : 'connected';
  db.primary = primary.fqdn;
  db.epoch = cluster.epoch;
  delete db.failure;
  cw.log(`${spec.fqdn}: database cluster ${how} ${primary.fqdn}`);
  return done(cw, db, command);
}
