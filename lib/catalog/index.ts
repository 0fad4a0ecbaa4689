export * from './services';
export * from './key-usage';
export * from './purposes';
export * from './coverage';
export * from './cms';
export * from './availability';
