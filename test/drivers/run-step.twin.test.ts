/**
 * `ucrollout step run` (in-process) for every step of a planned rollout against the twin:
 * each step does its work once, reports `already done` when run again, and the wrong
 * order (leaf before trust, verify before restart) fails naming the node.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwaitingConfirmation, StepFailure } from '../../lib/executor/errors';
import { journalIds } from '../../lib/executor/state-files';
import { loadPlanFile } from '../../lib/executor/plan-file';
import { ClusterPlan } from '../../lib/platforms';
import { ENV, IMP, Lab, PASS_ENV, PUB, SUB, USER_ENV, sha256, startLab } from './helpers';

describe('step run against the twin', () => {
  let lab: Lab;
  const ran = new Map<string, string>();

  const run = async (id: string): Promise<string> => {
    const outcome = await lab.run(id);
    ran.set(id, outcome.summary);
    return outcome.summary;
  };
  /** A copy of the plan (same folder, so its file references hold) with a change. */
  const planVariant = (name: string, change: (p: ClusterPlan) => ClusterPlan): string => {
    const file = join(lab.dir, 'out', `${name}.json`);
    writeFileSync(file, JSON.stringify(change(lab.plan)));
    return file;
  };

  beforeAll(async () => {
    lab = await startLab('127.0.6.2');
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('names an unknown step and the plan', async () => {
    await expect(lab.run('tomcat/identity/nowhere')).rejects.toThrow(/^No step 'tomcat\/identity\/nowhere' in .*plan\.json; similar: tomcat\/identity\/cs-ccm-pub/);
  });

  it('preflight checks services and security mode, and refuses a plan that assumed another mode', async () => {
    expect(await run('preflight/cs-ccm-pub')).toBe(`checked ${PUB}: 2 service(s) running, security mode non-secure`);
    expect(await run('preflight/cs-ccm-sub')).toBe(`checked ${SUB}: 2 service(s) running`);
    expect(await run('preflight/cs-imp')).toBe(`checked ${IMP}: 2 service(s) running`);

    const mixed = planVariant('plan-mixed', (p) => ({ ...p, steps: p.steps.map((s) => (s.kind === 'preflight' && s.expectSecurityMode ? { ...s, expectSecurityMode: 'mixed' } : s)) }));
    await expect(lab.run('preflight/cs-ccm-pub', { planPath: mixed })).rejects.toThrow(
      `${PUB}: the cluster security mode is non-secure, the plan assumes mixed: fix securityMode in the declarations and re-plan`,
    );
  });

  it('refuses the leaf before its CA chain is trusted (a wrong plan fails on the twin)', async () => {
    const err = await lab.run('tomcat/identity/cs-ccm-pub').catch((e: Error) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toBe(`${PUB}: 'set cert import own tomcat' was refused: ERROR: CA Certificate is Not Available in the Trust-Store`);
  });

  it('uploads the CA chain over the CLI (publisher) and REST (IM&P), once', async () => {
    for (const id of ['trust/tomcat-trust/corp-root', 'trust/tomcat-trust/corp-intermediate-1', 'trust/cup-xmpp-trust/corp-root', 'trust/cup-xmpp-trust/corp-intermediate-1']) {
      expect(await run(id)).toMatch(/^uploaded CN=Driver Test (Root|Issuing) CA, O=Test to (tomcat|cup-xmpp)-trust on cs-/);
      expect(await run(id)).toBe('already done');
    }
    // Distributed cluster-wide: the 14.0 subscriber holds the root too
    expect(lab.twin.world.node(SUB).trust['tomcat-trust'].map((t) => t.sha256)).toContain(sha256(lab.certs.root));
  });

  it('restarts the Intercluster Sync Agent over SOAP; then knows it did by its start time', async () => {
    expect(await run('isa/restart/cs-imp')).toBe(`restarted Cisco Intercluster Sync Agent on ${IMP}`);
    expect(await run('isa/restart/cs-imp')).toBe('already done');
  });

  it('installs the multi-server leaf on the publisher and checks every SAN node got it', async () => {
    expect(await run('tomcat/identity/cs-ccm-pub')).toMatch(new RegExp(`^installed tomcat [0-9a-f]{16}… on ${PUB}, ${SUB}, ${IMP}$`));
    expect(await run('tomcat/identity/cs-ccm-pub')).toBe('already done');
    expect(await run('cup-xmpp/identity/cs-imp')).toMatch(new RegExp(`^installed cup-xmpp [0-9a-f]{16}… on ${IMP}$`));
  });

  it('fails a verify whose restart was skipped, naming node, port and both leaves', async () => {
    const err = await lab.run('tomcat/verify/cs-ccm-pub/https').catch((e: Error) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toMatch(
      new RegExp(`^${PUB}:\\d+ \\(https\\) presents the tomcat leaf [0-9a-f]{16}… \\(CN=${PUB}.*\\), expected ${sha256(lab.certs.tomcat).slice(0, 16)}…: the service serving it was not restarted`),
    );
  });

  it('restarts Cisco Tomcat over the CLI, the others over SOAP; each only once', async () => {
    expect(await run('tomcat/restart/cs-ccm-pub/cisco-tomcat')).toBe(`restarted Cisco Tomcat on ${PUB}; https present the new certificate`);
    expect(await run('tomcat/restart/cs-ccm-pub/cisco-tomcat')).toBe('already done');
    expect(await run('tomcat/restart/cs-ccm-pub/cisco-uds-tomcat')).toBe(`restarted Cisco UDS Tomcat on ${PUB}`);
    expect(await run('tomcat/restart/cs-ccm-pub/cisco-uds-tomcat')).toBe('already done');
    expect(await run('cup-xmpp/restart/cs-imp/cisco-xcp-router')).toBe(`restarted Cisco XCP Router on ${IMP}; xmpp-client present the new certificate`);
  });

  it('runs the rest of the plan in order; a manual step blocks until confirmed', async () => {
    for (const step of lab.plan.steps) {
      if (ran.has(step.id)) continue;
      if (step.kind === 'manual') {
        const err = await lab.run(step.id).catch((e: Error) => e);
        expect(err).toBeInstanceOf(AwaitingConfirmation);
        expect((err as Error).message).toMatch(new RegExp(`^manual step '${step.id}' is not confirmed\\. .*ucrollout confirm ${step.id} --plan `));
        const { run: confirm } = await import('../../lib/cli/commands/confirm');
        expect(await confirm([step.id, '--plan', lab.planPath])).toBe(0);
      }
      ran.set(step.id, (await lab.run(step.id)).summary);
    }
    expect(ran.get('tomcat/verify/cs-imp/https')).toMatch(new RegExp(`^${IMP}:\\d+ \\(https\\) presents the new chain \\(2 certificate\\(s\\), leaf ${sha256(lab.certs.tomcat).slice(0, 16)}…\\)$`));
    expect(ran.get('cup-xmpp/verify/cs-imp/xmpp-client')).toMatch(/presents the new chain/);
    expect(ran.get('tomcat/cleanup/cs-ccm-sub')).toBe(`deleted 1 self-signed certificate(s) from tomcat-trust on ${SUB}: tomcat-trust/${SUB}.pem`);
    for (const fqdn of [PUB, SUB, IMP]) {
      expect(lab.twin.world.node(fqdn).trust['tomcat-trust'].map((t) => t.fileName)).not.toContain(`${fqdn}.pem`);
    }
    expect(ran.get('tomcat/manual/drf-backup')).toMatch(/^confirmed by .* at \d{4}-/);
    // The CA chain stays
    expect(lab.twin.world.node(SUB).trust['tomcat-trust'].map((t) => t.sha256)).toEqual(expect.arrayContaining([sha256(lab.certs.root), sha256(lab.certs.issuing)]));
    expect(journalIds(loadPlanFile(lab.planPath))).toHaveLength(lab.plan.steps.length);
  });

  it('re-running every step changes nothing: checks pass, the rest is already done', async () => {
    for (const step of lab.plan.steps) {
      const { summary, changed } = await lab.run(step.id);
      expect(changed, step.id).toBe(false);
      if (['upload-trust', 'upload-identity', 'restart-service', 'cleanup'].includes(step.kind)) expect(summary, step.id).toBe('already done');
    }
  });

  it('refuses a cleanup that would delete a certificate still in service', async () => {
    // GIVEN a (wrong) plan that cleans the IM&P node's own self-signed cup certificate, which it still presents
    const variant = planVariant('plan-cup-cleanup', (p) => ({
      ...p,
      steps: [...p.steps, { ...p.steps.find((s) => s.id === 'cup-xmpp/cleanup/cs-imp')!, id: 'cup/cleanup/cs-imp', purpose: 'cup', store: 'cup-trust', dependsOn: [] }],
    }));
    // WHEN it runs THEN it refuses, naming the file and the node whose identity it is
    await expect(lab.run('cup/cleanup/cs-imp', { planPath: variant })).rejects.toThrow(
      `${IMP}: refusing to delete from cup-trust: cup-trust/${IMP}.pem is the cup identity of ${IMP}. Finish that node's rollout (upload, restart) first`,
    );
    expect(lab.twin.world.node(IMP).trust['cup-trust'].map((t) => t.fileName)).toContain(`${IMP}.pem`);
  });

  it('never deletes what the plan keeps; a deleted CA certificate is put back by its upload step', async () => {
    // GIVEN a plan whose cleanup names the root CA as a replaced self-signed subject but keeps nothing
    const variant = planVariant('plan-keep-nothing', (p) => ({
      ...p,
      steps: p.steps.map((s) => (s.id === 'tomcat/cleanup/cs-ccm-pub' ? { ...s, keep: [], selfSignedSubjects: ['Driver Test Root CA'] } : s)),
    }));
    // WHEN the real plan's cleanup runs, the root stays (it is in keep)
    expect((await lab.run('tomcat/cleanup/cs-ccm-pub')).summary).toBe('already done');
    // WHEN the variant runs, the root goes from the publisher
    expect((await lab.run('tomcat/cleanup/cs-ccm-pub', { planPath: variant })).summary).toBe(
      `deleted 1 self-signed certificate(s) from tomcat-trust on ${PUB}: tomcat-trust/Driver_Test_Root_CA.pem`,
    );
    // THEN the plan's own upload step sees it missing and puts it back
    expect(await run('trust/tomcat-trust/corp-root')).toMatch(/^uploaded/);
  });

  describe('identity checks and configuration errors', () => {
    const resolveVariant = (name: string, change: (r: Record<string, unknown>) => Record<string, unknown>): string => {
      const file = join(lab.dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(lab.readyFile, 'utf8')))));
      return file;
    };

    it('stops on a node without a pinned SSH key, and on a key that differs from its pin', async () => {
      const noPins = resolveVariant('ready-no-known-hosts', (r) => ({ ...r, knownHosts: undefined }));
      await expect(lab.run('preflight/cs-ccm-sub', { resolvePath: noPins })).rejects.toThrow(new RegExp(`^${SUB}: SSH host key ecdsa-sha2-nistp256 SHA256:\\S+ is not pinned`));
      const wrongPin = planVariant('plan-wrong-pin', (p) => ({
        ...p,
        cluster: { ...p.cluster, nodes: p.cluster.nodes.map((n) => (n.fqdn === SUB ? { ...n, sshHostKeys: ['SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8'] } : n)) },
      }));
      await expect(lab.run('preflight/cs-ccm-sub', { planPath: wrongPin, resolvePath: noPins })).rejects.toThrow(
        new RegExp(`^${SUB}: SSH host key ecdsa-sha2-nistp256 ${lab.twin.ready.nodes[SUB].sshHostKey.replace(/[+/]/g, '\\$&')} does not match the pinned key\\(s\\) SHA256:nThbg6kX`),
      );
    });

    it('accepts the pin from the plan itself (production form) and records first contact only when allowed', async () => {
      const noPins = resolveVariant('ready-no-known-hosts-2', (r) => ({ ...r, knownHosts: undefined }));
      const pinned = planVariant('plan-pinned', (p) => ({
        ...p,
        cluster: { ...p.cluster, nodes: p.cluster.nodes.map((n) => ({ ...n, sshHostKeys: [lab.twin.ready.nodes[n.fqdn].sshHostKey] })) },
      }));
      expect((await lab.run('preflight/cs-ccm-sub', { planPath: pinned, resolvePath: noPins })).summary).toMatch(/^checked/);
      const fresh = planVariant('plan-first-contact', (p) => p);
      expect((await lab.run('preflight/cs-imp', { planPath: fresh, resolvePath: noPins, insecureFirstContact: true })).summary).toMatch(/^checked/);
      // Recorded: the next run needs no flag
      expect((await lab.run('preflight/cs-imp', { planPath: fresh, resolvePath: noPins })).summary).toMatch(/^checked/);
      expect(readFileSync(join(lab.dir, 'out', 'plan-first-contact.state', 'known_hosts.first-contact'), 'utf8')).toMatch(/^cs-imp\.example\.com ecdsa-sha2-nistp256 /);
    });

    it('never reaches a node the resolve map lacks', async () => {
      const partial = resolveVariant('ready-partial', (r) => ({ ...r, nodes: { [PUB]: (r.nodes as Record<string, unknown>)[PUB] } }));
      await expect(lab.run('preflight/cs-imp', { resolvePath: partial })).rejects.toThrow(`Node ${IMP} is not in the resolve map`);
    });

    it('names the credential variables to export, never a value', async () => {
      await expect(lab.run('preflight/cs-imp', { env: { [USER_ENV]: ENV[USER_ENV] } })).rejects.toThrow(
        `No platform admin credentials: ${PASS_ENV} not set and no credentials file is declared: export ${USER_ENV} and ${PASS_ENV}, or declare a JSON file {"username": …, "password": …} as the cluster's credentials.file`,
      );
    });

    it('refuses a certificate file that changed since the plan', async () => {
      const copy = join(lab.dir, 'certs', 'tomcat.pem');
      const saved = readFileSync(copy);
      try {
        copyFileSync(join(lab.dir, 'ca', 'root.pem'), copy);
        await expect(lab.run('tomcat/identity/cs-ccm-pub')).rejects.toThrow(/Certificate file '..\/certs\/tomcat.pem' changed since the plan was made .* re-run 'ucrollout plan'/);
      } finally {
        writeFileSync(copy, saved);
      }
    });
  });
});
