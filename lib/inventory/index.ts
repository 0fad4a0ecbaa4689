export * from './load';
export * from './cluster-input';
export * from './certificate-input';
export * from './cms-input';
export * from './input-checks';
