export * from './types';
export * from './graph';
export * from './validate';
export * from './cluster-plan';
export * from './review';
export * from './render';
export * from './prepare';
export * from './resource-name';
