export * from './declarations';
export * from './certificate-facts';
export * from './cluster';
export * from './names';
export * from './errors';
export * from './cms';
