/**
 * The database cluster certificates with the built-in CA of the primary (DOMAIN.md §4), in the
 * seed's order. An outage of the database cluster from `database cluster remove` until every
 * replica joined and every connecting server connected again.
 */
import { CmsDatabaseFiles, cmsDatabaseCertsCommand } from '../../catalog';
import { CmsClusterDecl, CmsServerDecl, cmsDatabasePrimary, cmsShortName } from '../../model';
import { CmsStepGraph, sha256 } from './graph';
import { StepCheck, StepFile } from './types';

export const DATABASE_OUTAGE = 'database cluster';
/** The manual confirmation that starts the database outage. */
export const DATABASE_OUTAGE_STEP = 'manual/database-outage';

/** `(me)` is this server's own line of `database cluster status`. */
export const PRIMARY_LINE = '\\(me\\)[^\\n]*Primary';
export const CONNECTED_PRIMARY = '\\(me\\)\\s*:\\s*Connected Primary';
/** `database cluster status` on a replica that joined: its own row says Connected Replica. */
export const JOINED_REPLICA = '\\(me\\)\\s*:\\s*Connected Replica';
/** … on a core that only connects: `This server: Connected (no local database)` ("Disconnected" does not match \\b). */
export const CONNECTED_CLIENT = 'This server\\s*:\\s*\\bConnected\\b';
const WAIT_FOR_PRIMARY_SECONDS = 300;

export interface DatabasePlanInput {
  readonly graph: CmsStepGraph;
  readonly cluster: CmsClusterDecl;
  /** Steps the procedure waits for (preflights, CSR signatures). */
  readonly after: readonly string[];
}

/** Adds the procedure; returns the id of its last step (the final status check). */
export function addDatabaseProcedure({ graph, cluster, after }: DatabasePlanInput): string {
  const dbca = cluster.databaseCertificates!;
  const primary = cmsDatabasePrimary(cluster)!;
  const cores = cluster.servers.filter((s) => s.databaseRole !== 'none');
  const databaseNodes = cores.filter((s) => s.databaseRole === 'primary' || s.databaseRole === 'replica');
  const replicas = cores.filter((s) => s.databaseRole === 'replica');
  const connecting = cores.filter((s) => s.databaseRole === 'connect-only');
  const short = (s: CmsServerDecl) => cmsShortName(cluster, s);
  const p = short(primary);
  const fingerprints = [sha256(JSON.stringify([dbca.caCommonName, cores.map((s) => [s.fqdn, s.databaseRole, s.databaseInterface])]))];
  const { CA, SERVER, CLIENT } = CmsDatabaseFiles;
  const step = (
    id: string,
    server: CmsServerDecl,
    commands: readonly { command: string; expect?: string[]; waitSeconds?: number }[],
    description: string,
    reason: string,
    deps: readonly string[],
    doneWhen?: StepCheck,
  ) =>
    graph.addStep(
      {
        id,
        kind: 'mmp',
        node: server.fqdn,
        purpose: 'database',
        description,
        command: commands.map((c) => c.command).join('; '),
        reason,
        mmp: commands,
        ...(doneWhen ? { doneWhen } : {}),
        outage: DATABASE_OUTAGE,
        once: true,
        fingerprints,
      },
      deps,
    );

  const status = graph.addStep(
    {
      id: `database/status/${p}`,
      kind: 'mmp',
      node: primary.fqdn,
      purpose: 'database',
      description: `Note the database primary before the change: ${primary.fqdn} must be it (database cluster status)`,
      command: 'database cluster status',
      reason: 'DOMAIN.md §4 database step 1: note first which node is primary; the plan refuses to go on when the declared primary is not',
      mmp: [{ command: 'database cluster status', expect: [PRIMARY_LINE] }],
      // The check before the procedure: after the cores were removed it can no longer pass.
      once: true,
      fingerprints,
    },
    after,
  );
  const outage = graph.addStep(
    {
      id: DATABASE_OUTAGE_STEP,
      kind: 'manual',
      node: primary.fqdn,
      purpose: 'database',
      description: `Confirm the outage window of the database cluster (${cores.map((s) => s.fqdn).join(', ')}): from database cluster remove until every server joined or connected again`,
      command: 'Confirm the Meeting Server database outage window is open and users were told',
      reason: 'DOMAIN.md §4: re-creating the database cluster certificates removes the database cluster on every core',
      outage: DATABASE_OUTAGE,
      fingerprints,
    },
    [status],
  );
  const removes = cores.map((s) =>
    step(`database/remove/${short(s)}`, s, [{ command: 'database cluster remove' }], `Remove ${s.fqdn} from the database cluster`, 'DOMAIN.md §4 database step 1: database cluster remove on every core', [outage]),
  );
  const ca = step(`database/dbca/${p}`, primary, [{ command: `pki selfsigned ${CA} CN:${dbca.caCommonName}` }], `Make the built-in database CA ${CA} on the primary ${primary.fqdn}`, 'DOMAIN.md §4 database step 2: pki selfsigned dbca on the primary', removes);
  const sans = databaseNodes.map((s) => s.fqdn).join(',');
  const csrServer = step(
    `database/csr-dbserver/${p}`,
    primary,
    [{ command: `pki csr ${SERVER} CN:${primary.fqdn} subjectAltName:${sans}` }],
    `Make the ${SERVER} key and CSR on the primary, the database nodes as SANs (the CN among them)`,
    'DOMAIN.md §4 database step 3: dbserver CSR with the database nodes as SANs; the CN goes into the SAN list',
    [ca],
  );
  const csrClient = step(`database/csr-dbclient/${p}`, primary, [{ command: `pki csr ${CLIENT} CN:postgres` }], `Make the ${CLIENT} key and CSR (CN:postgres) on the primary`, 'DOMAIN.md §4 database step 4: dbclient CN:postgres', [csrServer]);
  const sign = step(
    `database/sign/${p}`,
    primary,
    [{ command: `pki sign ${SERVER} ${CA}` }, { command: `pki sign ${CLIENT} ${CA}` }],
    `Sign ${SERVER} and ${CLIENT} with ${CA} on the primary`,
    'DOMAIN.md §4 database step 5: pki sign dbserver dbca; pki sign dbclient dbca',
    [csrClient],
  );

  const copies = cores
    .filter((s) => s !== primary)
    .map((s) => {
      const node = s.databaseRole === 'replica';
      const names = [...(node ? [`${SERVER}.key`, `${SERVER}.crt`] : []), `${CLIENT}.key`, `${CLIENT}.crt`, `${CA}.crt`];
      const files: StepFile[] = names.map((name) => ({
        name,
        content: name.endsWith('.key') ? 'private-key' : 'certificate',
        fromNode: primary.fqdn,
        overwrite: true,
      }));
      return graph.addStep(
        {
          id: `database/copy/${short(s)}`,
          kind: 'upload-file',
          node: s.fqdn,
          purpose: 'database',
          description: `Copy ${names.join(', ')} from the primary ${primary.fqdn} to ${s.fqdn} (${s.databaseRole}) over SFTP`,
          command: `sftp ${s.fqdn}: ${names.map((n) => `copy ${primary.fqdn}:${n} ${n}`).join('; ')}`,
          reason: `DOMAIN.md §4 database step 6: dbserver.crt to every database node, dbclient.crt to every connecting server, dbca.crt to all; their keys too, which ${node ? 'database cluster certs on a replica' : 'database cluster certs on a connecting server'} names (step ${node ? 8 : 9})`,
          files,
          outage: DATABASE_OUTAGE,
          once: true,
          fingerprints,
        },
        [sign],
      );
    });

  const localnode = (s: CmsServerDecl) => ({ command: `database cluster localnode ${s.databaseInterface}` });
  const init = step(
    `database/initialize/${p}`,
    primary,
    [{ command: cmsDatabaseCertsCommand(true) }, localnode(primary), { command: 'database cluster initialize' }],
    `Give the primary ${primary.fqdn} its database certificates and initialize the database cluster`,
    'DOMAIN.md §4 database step 7: certs + localnode + initialize on the primary, after the files were copied',
    [sign, ...copies],
    // Run after every core was removed: Connected Primary now means this initialize already happened
    // (an apply killed right after it must not initialize again).
    { mmp: 'database cluster status', matches: [CONNECTED_PRIMARY] },
  );
  const connected = step(
    `database/check-primary/${p}`,
    primary,
    [{ command: 'database cluster status', expect: [CONNECTED_PRIMARY], waitSeconds: WAIT_FOR_PRIMARY_SECONDS }],
    `Check ${primary.fqdn} reports itself as Connected Primary before the others join`,
    'DOMAIN.md §4 database step 7: database cluster status must show Node: (me): Connected Primary',
    [init],
  );
  const joins = replicas.map((s) =>
    step(
      `database/join/${short(s)}`,
      s,
      [{ command: cmsDatabaseCertsCommand(true) }, localnode(s), { command: `database cluster join ${primary.fqdn}` }],
      `Join ${s.fqdn} (replica) to the database cluster of ${primary.fqdn}`,
      'DOMAIN.md §4 database step 8: certs + localnode + join on the other database cores',
      [connected, `database/copy/${short(s)}`],
      // After the remove, a replica in sync has joined: a second join is refused by the server.
      { mmp: 'database cluster status', matches: [JOINED_REPLICA] },
    ),
  );
  const connects = connecting.map((s) =>
    step(
      `database/connect/${short(s)}`,
      s,
      [{ command: cmsDatabaseCertsCommand(false) }, localnode(s), { command: `database cluster connect ${primary.fqdn}` }],
      `Connect ${s.fqdn} to the database cluster of ${primary.fqdn}`,
      'DOMAIN.md §4 database step 9: certs + localnode + connect on cores that only connect',
      [connected, `database/copy/${short(s)}`],
      { mmp: 'database cluster status', matches: [CONNECTED_CLIENT] },
    ),
  );
  return step(
    `database/verify/${p}`,
    primary,
    [{ command: 'database cluster status', expect: [CONNECTED_PRIMARY], waitSeconds: WAIT_FOR_PRIMARY_SECONDS }],
    `Check the database cluster is whole again: ${primary.fqdn} Connected Primary after every join and connect (end of the outage)`,
    'DOMAIN.md §4: the outage ends when the primary is connected with its replicas and connecting servers',
    [connected, ...joins, ...connects],
  );
}
