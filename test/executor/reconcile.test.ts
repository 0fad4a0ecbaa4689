/**
 * reconcile after the stack finished: a node that now presents another certificate (another stack
 * or a person installed one since) is one failure naming the node and port, with every likely
 * cause and the way out of each, not "not restarted since the upload, or the upload missed this node".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { reconcile } from '../../lib/executor/reconcile';
import { stateDir, writeJournal } from '../../lib/executor/state-files';
import { shortFingerprint, sha256Fingerprint } from '../../lib/pki/fingerprint';
import { issueSelfSigned } from '../../lib/pki/self-signed';
import { ClusterPlan, PLAN_FORMAT_VERSION, VerifyStep, renderPlanJson } from '../../lib/platforms';

const FQDN = 'cs-ccm-pub.example.com';
let server: Server;
let port = 0;
/** What the node presents now: installed by another change since the stack finished. */
let presented = '';
/** What this stack installed and verified. */
let planned = '';

beforeAll(async () => {
  const other = await issueSelfSigned({ commonName: FQDN, dnsNames: [FQDN], keyType: 'EC' });
  const ours = await issueSelfSigned({ commonName: FQDN, dnsNames: [FQDN], keyType: 'EC' });
  presented = sha256Fingerprint(other.certPem);
  planned = sha256Fingerprint(ours.certPem);
  server = createServer({ cert: other.certPem, key: other.keyPem }, (socket) => socket.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());

function verifyStep(): VerifyStep {
  return {
    id: `tomcat/verify/${FQDN.split('.')[0]}/https`,
    kind: 'verify',
    cluster: 'lab',
    node: FQDN,
    purpose: 'tomcat',
    dependsOn: [],
    description: `Check ${FQDN}:8443 (https) presents the new tomcat chain`,
    command: 'openssl s_client',
    reason: 'DOMAIN.md §3 install 5',
    trigger: 't-verify',
    port: { name: 'https', port: 8443, handshake: 'tls', keyType: 'EC' },
    expectChain: [planned],
  };
}

function finishedStack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  const plan: ClusterPlan = {
    formatVersion: PLAN_FORMAT_VERSION,
    platform: 'cucm',
    cluster: {
      name: 'lab',
      securityMode: 'non-secure',
      sso: false,
      credentials: { usernameEnv: 'U', passwordEnv: 'P' },
      interclusterPeers: [],
      nodes: [{ fqdn: FQDN, role: 'publisher', platform: 'cucm', address: '127.0.0.1', api: 'cli', services: [], sshHostKeys: [], ports: { https: port } }],
    },
    purposes: [],
    certificates: [],
    warnings: [],
    steps: [verifyStep()],
  };
  writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
  const loaded = loadPlanFile(join(dir, 'plan.json'));
  // The stack had finished: its verify step passed.
  writeJournal(loaded, loaded.plan.steps[0], false, 'presents the new chain', new Date('2026-03-01T10:00:00.000Z'));
  return loaded.path;
}

describe('reconcile after another change installed another certificate', () => {
  it('fails once, naming the node and port, with the likely causes and the way out of each', async () => {
    const planPath = finishedStack();
    const err = await reconcile({ planPath, env: {}, sleep: async () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    const message = (err as Error).message;
    // The node and the port, as the verify step names them.
    expect(message.startsWith(`${FQDN}:8443 (https) presents the tomcat leaf ${shortFingerprint(presented)}…`)).toBe(true);
    expect(message).toContain(`expected ${shortFingerprint(planned)}…`);
    expect(message).toContain(`although ${verifyStep().id} had passed for this plan at 2026-03-01T10:00:00.000Z`);
    // Neither of the verify step's own causes: they are not what happened after the stack finished.
    expect(message).not.toMatch(/was not restarted since the upload, or the upload missed this node/);
    expect(message).toContain('(1) another change installed another certificate since');
    expect(message).toContain('(2) the node was restored or rebuilt');
    expect(message).toContain('plan again from the current declarations and apply');
    expect(message).toContain("'ucrollout status --inventory FILE' shows what each node holds");
    expect(message).toContain(`move away the journal entries (${join(stateDir(loadPlanFile(planPath)), 'journal')}) of its tomcat trust, identity and restart steps`);
    // One failure: one message, one sentence about the observation.
    expect(message.match(/presents the tomcat leaf/g)).toHaveLength(1);
  });

  it('a node that cannot be reached is the verify step failure as it was', async () => {
    const planPath = finishedStack();
    const plan = JSON.parse(readFileSync(planPath, 'utf8')) as ClusterPlan;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    writeFileSync(planPath, renderPlanJson({ ...plan, cluster: { ...plan.cluster, nodes: plan.cluster.nodes.map((n) => ({ ...n, ports: { https: closedPort } })) } }));
    const err = await reconcile({ planPath, env: {}, sleep: async () => undefined, timeouts: { probeMs: 2000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toMatch(/another change installed/);
  });
});
