/**
 * The one place @peculiar/x509 is loaded: it needs reflect-metadata first and a WebCrypto
 * provider; Node's own WebCrypto is injected here, not taken from a global. It is loaded at
 * first use: lint reads certificates with Node's own parser, and planning should not pay the
 * ~150 ms this library takes to load.
 */
import type * as X509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

export type { X509 };

export const crypto = webcrypto as unknown as Crypto;

let loaded: typeof X509 | undefined;

function load(): typeof X509 {
  if (!loaded) {
    require('reflect-metadata');
    loaded = require('@peculiar/x509') as typeof X509;
    loaded.cryptoProvider.set(crypto);
  }
  return loaded;
}

/** The library's exports, loaded on first property access. */
export const x509: typeof X509 = new Proxy({} as typeof X509, { get: (_target, key) => Reflect.get(load(), key) });

/** A Buffer as the library's BufferSource type, without copying (Node's Buffer may sit on a shared pool). */
export function bytes(buf: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buf.buffer as ArrayBuffer, buf.byteOffset, buf.byteLength);
}
