export * from './finding';
export * from './lint-certificate';
export * from './lint-declarations';
export { DEFAULT_RENEWAL_WINDOW_DAYS } from './validity';
