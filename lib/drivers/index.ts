/**
 * The node drivers: admin CLI over SSH, certificate REST API, Serviceability SOAP, the
 * Meeting Server MMP over SSH with SFTP for files, and the
 * TLS probe, with the checks that establish a node's identity. ssh2 and https load only
 * when a driver first connects.
 */
export * from './errors';
export * from './credentials';
export * from './host-keys';
export * from './resolve';
export * from './cert-list-parser';
export * from './cli-output';
export * from './ssh-session';
export * from './cli-driver';
export * from './https-request';
export * from './rest-driver';
export * from './soap-xml';
export * from './soap-driver';
export * from './tls-probe';
export * from './mmp-output';
export * from './mmp-driver';
export * from './sftp-driver';
