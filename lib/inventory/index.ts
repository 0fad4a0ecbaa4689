export * from './load';
export * from './cluster-input';
