/**
 * The digital twin: core/ is what every platform's twin shares (listeners, state, faults,
 * ready file, credentials, daemon, the twin itself), cucm/ the CUCM / IM&P nodes, cms/ the
 * Cisco Meeting Servers.
 */
export { startTwin, DEFAULT_RESTART_MILLIS } from './core/twin';
export { timeScaleProblem, twinTiming } from './core/timing';
export type { TwinTiming } from './core/timing';
export type { TwinOptions, RunningTwin } from './core/twin';
export type { ReadyFile, ReadyNode } from './core/ready-file';
export { READY_FILE, KNOWN_HOSTS_FILE, HTTPS_CA_FILE, readReadyFile } from './core/ready-file';
export type { NodeFaults, FaultsFile } from './core/faults';
export { FAULTS_FILE, readFaults, readNodeFaults, writeNodeFaults } from './core/faults';
export type { TwinState } from './core/state';
export type { NodeState, IdentityRecord, TrustRecord, ServiceRecord, ServiceStatus } from './cucm/state';
export { STATE_FILE } from './core/state';
export { describeTwin } from './core/status';
export type { CmsServerState, CmsServiceRecord, CmsDatabaseRecord, CmsFileRecord, CmsPresented, CmsClusterDatabase } from './cms/state';
export type { CmsWorld } from './cms/world';
export type { CmsServerSpec, CmsTwinPort } from './cms/topology';
