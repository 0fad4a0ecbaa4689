/**
 * `ucrollout sim status`: what every node of every platform presents now and what waits for
 * a restart (cucm/status.ts, cms/status.ts). Read from the state folder alone, so it works
 * whether the twin runs or not.
 */
import { join } from 'node:path';
import { describeServers } from '../cms/status';
import { describeNodes } from '../cucm/status';
import { READY_FILE, readReadyFile } from './ready-file';
import { StateStore } from './state';

export function describeTwin(stateDir: string): string[] {
  const state = new StateStore(stateDir).load();
  if (!state) return [`No twin state in ${stateDir}: run ucrollout sim start first`];
  const ready = readReadyFile(join(stateDir, READY_FILE));
  return [...describeNodes(state, ready), ...describeServers(state, ready)];
}
