export * from './stable-json';
export * from './runner';
export * from './stack-json';
export * from './write-stacks';
export * from './stack-launcher';
