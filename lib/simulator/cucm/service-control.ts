/**
 * Service control as `utils service restart` and the Control Center SOAP API do it: a restart
 * goes STOPPING → STARTING → STARTED over the configured time; at STARTED the service takes a
 * snapshot of the node's identities, which is what its ports present until the next start.
 * Faults make a restart fail (ends STOPPED) or hang (stays STARTING while the fault is set).
 */
import { restartFails } from '../core/faults';
import { sleep } from '../core/world';
import { ServiceRecord, ServiceStatus } from './state';
import { TwinWorld } from './world';

export type ControlType = 'Restart' | 'Start' | 'Stop';

export interface ControlResult {
  readonly ok: boolean;
  readonly status: ServiceStatus;
  readonly reason?: string;
}

export const SERVICE_NOT_ACTIVATED = 'Service Not Activated';

/** The service's name as the node knows it (case-insensitive match), or undefined. */
export function knownService(world: TwinWorld, fqdn: string, name: string): string | undefined {
  const want = name.trim().toLowerCase();
  return world.spec(fqdn).services.find((s) => s.name.toLowerCase() === want)?.name;
}

/**
 * Runs one control action; `onStatus` hears every status change. Concurrent actions on the
 * same service run one after the other, as the node's service manager does.
 */
export function controlService(
  world: TwinWorld,
  fqdn: string,
  service: string,
  type: ControlType,
  onStatus: (status: ServiceStatus) => void = () => undefined,
): Promise<ControlResult> {
  const name = knownService(world, fqdn, service);
  if (!name) return Promise.resolve({ ok: false, status: 'STOPPED', reason: `Invalid service name ${service}` });
  const record = world.node(fqdn).services[name];
  if (record.status === 'Not Activated') return Promise.resolve({ ok: false, status: 'Not Activated', reason: SERVICE_NOT_ACTIVATED });
  return world.oneAtATime(`${world.spec(fqdn).fqdn}/${name}`, () => runControl(world, fqdn, name, record, type, onStatus));
}

async function runControl(
  world: TwinWorld,
  fqdn: string,
  name: string,
  record: ServiceRecord,
  type: ControlType,
  onStatus: (status: ServiceStatus) => void,
): Promise<ControlResult> {
  const signal = world.stopping.signal;
  const set = (status: ServiceStatus): void => {
    record.status = status;
    world.save();
    onStatus(status);
  };
  const half = Math.max(0, world.restartMillisOf(world.spec(fqdn).fqdn, name) / 2);
  world.log(`${fqdn}: ${type.toLowerCase()} ${name}`);
  if (type !== 'Start' && record.status !== 'STOPPED') {
    set('STOPPING');
    await sleep(half, signal);
  }
  if (type === 'Stop') {
    set('STOPPED');
    return { ok: true, status: 'STOPPED' };
  }
  set('STARTING');
  await world.serviceStarting(fqdn, name, half);
  if (restartFails(world.faults(fqdn), name)) {
    const reason = `${name} failed to start`;
    record.lastError = reason;
    set('STOPPED');
    world.log(`${fqdn}: ${reason} (injected fault)`);
    return { ok: false, status: 'STOPPED', reason };
  }
  record.startedAt = new Date().toISOString();
  record.presents = { ...world.node(fqdn).identities };
  delete record.lastError;
  set('STARTED');
  return { ok: true, status: 'STARTED' };
}
