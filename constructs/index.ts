export * from './enums';
export * from './certificate-authority';
export * from './cucm-cluster';
export * from './service-certificate';
export * from './trust-entry';
export * from './rollout-stack';
