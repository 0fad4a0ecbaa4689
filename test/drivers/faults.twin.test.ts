/**
 * Steps against a twin with injected faults: each fails naming the node and what happened,
 * and once the fault is cleared the same step finishes doing only what was left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFailure } from '../../lib/executor/errors';
import { writeNodeFaults } from '../../lib/simulator';
import { ENV, IMP, Lab, PUB, SUB, startLab } from './helpers';

describe('steps against twin faults', () => {
  let lab: Lab;
  const fault = (fqdn: string, faults: Parameters<typeof writeNodeFaults>[2]) => writeNodeFaults(lab.twin.ready.stateDir, fqdn, faults);
  const failure = (p: Promise<unknown>) => p.then(
    () => {
      throw new Error('expected the step to fail');
    },
    (e: Error) => {
      expect(e).toBeInstanceOf(StepFailure);
      return e.message;
    },
  );

  beforeAll(async () => {
    lab = await startLab('127.0.8.2');
    // Everything up to the identity upload.
    for (const s of lab.plan.steps) {
      if (s.id === 'tomcat/identity/cs-ccm-pub') break;
      await lab.run(s.id, { env: { ...ENV, UCROLLOUT_CONFIRM_ALL: '1' } });
    }
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('a multi-server upload that misses a node fails naming it; after the fix it completes', async () => {
    fault(SUB, { refuseUpload: true });
    const message = await failure(lab.run('tomcat/identity/cs-ccm-pub'));
    expect(message).toMatch(new RegExp(`^${PUB}: 'set cert import own tomcat' was refused: ERROR: .*\\(${SUB}: .*\\)$`));
    fault(SUB, undefined);
    expect((await lab.run('tomcat/identity/cs-ccm-pub')).summary).toMatch(new RegExp(`^installed tomcat .* on ${PUB}, ${SUB}, ${IMP}$`));
  });

  it('a Tomcat restart that hangs is bounded; once it can finish, the step restarts it', async () => {
    fault(PUB, { restartHangs: ['Cisco Tomcat'] });
    const message = await failure(lab.run('tomcat/restart/cs-ccm-pub/cisco-tomcat', { timeouts: { restartMs: 1500 } }));
    expect(message).toMatch(new RegExp(`^${PUB}: Cisco Tomcat did not finish restarting \\(timed out after \\d+ s waiting for the end of 'utils service restart Cisco Tomcat'; last output: .*STARTING`));
    fault(PUB, undefined);
    expect((await lab.run('tomcat/restart/cs-ccm-pub/cisco-tomcat')).summary).toBe(`restarted Cisco Tomcat on ${PUB}; https present the new certificate`);
  });

  it('a SOAP restart that fails reports the node reason; it is redone after the fix', async () => {
    fault(PUB, { restartFails: ['Cisco UDS Tomcat'] });
    const message = await failure(lab.run('tomcat/restart/cs-ccm-pub/cisco-uds-tomcat'));
    expect(message).toMatch(new RegExp(`^${PUB}: restart of Cisco UDS Tomcat ended Stopped`));
    fault(PUB, undefined);
    expect((await lab.run('tomcat/restart/cs-ccm-pub/cisco-uds-tomcat')).summary).toBe(`restarted Cisco UDS Tomcat on ${PUB}`);
    expect((await lab.run('tomcat/restart/cs-ccm-pub/cisco-uds-tomcat')).summary).toBe('already done');
  });

  it('an unreachable node stops the step with its name', async () => {
    fault(SUB, { unreachable: true });
    const message = await failure(lab.run('preflight/cs-ccm-sub', { timeouts: { connectMs: 3000 } }));
    expect(message).toMatch(new RegExp(`^${SUB}: `));
    fault(SUB, undefined);
    expect((await lab.run('preflight/cs-ccm-sub')).summary).toMatch(/^checked/);
  });

  it('a slow node is waited for, within bounds', async () => {
    fault(IMP, { slowMillis: 300 });
    expect((await lab.run('trust/cup-xmpp-trust/corp-root')).summary).toBe('already done');
    fault(IMP, undefined);
  });
});
