export { startTwin, DEFAULT_RESTART_MILLIS } from './twin';
export type { TwinOptions, RunningTwin } from './twin';
export type { ReadyFile, ReadyNode } from './ready-file';
export { READY_FILE, KNOWN_HOSTS_FILE, HTTPS_CA_FILE, readReadyFile } from './ready-file';
export type { NodeFaults, FaultsFile } from './faults';
export { FAULTS_FILE, readFaults, readNodeFaults, writeNodeFaults } from './faults';
export type { TwinState, NodeState, IdentityRecord, TrustRecord, ServiceRecord, ServiceStatus } from './state';
export { STATE_FILE } from './state';
export { describeTwin } from './status';
