/** NTLMv2 over HTTP for the adcs issuer (and its twin): MD4, the three messages, the client's answer, the TLS channel binding. */
export * from './av-pairs';
export * from './channel-binding';
export * from './client';
export * from './crypto';
export * from './errors';
export * from './messages';
export { md4 } from './md4';
