export * from './finding';
export * from './lint-certificate';
export { DEFAULT_RENEWAL_WINDOW_DAYS } from './validity';
