export * from './declarations';
export * from './certificate-facts';
export * from './cluster';
