/**
 * The one place @peculiar/x509 is loaded: it needs reflect-metadata first and a WebCrypto
 * provider; Node's own WebCrypto is injected here, not taken from a global.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

export const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

export { x509 };

/** A Buffer as the library's BufferSource type, without copying (Node's Buffer may sit on a shared pool). */
export function bytes(buf: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buf.buffer as ArrayBuffer, buf.byteOffset, buf.byteLength);
}
