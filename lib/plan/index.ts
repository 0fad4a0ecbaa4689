export * from './types';
export * from './graph';
export * from './step-graph';
export * from './triggers';
export * from './format';
export * from './resource-name';
