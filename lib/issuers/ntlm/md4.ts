/**
 * MD4 (RFC 1320), for the NT hash of NTLM only: Node 20's OpenSSL 3 keeps MD4 in its legacy
 * provider, so `createHash('md4')` throws. Not for anything else: MD4 is broken as a hash; NTLM
 * uses it as a fixed password transform, and the secret is in the HMAC-MD5 steps above it.
 */

const ROUND2 = 0x5a827999;
const ROUND3 = 0x6ed9eba1;
/** The message word each step of a round reads (RFC 1320 §3.4). */
const ORDER = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15],
  [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15],
] as const;
const SHIFTS = [
  [3, 7, 11, 19],
  [3, 5, 9, 13],
  [3, 9, 11, 15],
] as const;

type Mix = (x: number, y: number, z: number) => number;
const MIXES: readonly Mix[] = [(x, y, z) => (x & y) | (~x & z), (x, y, z) => (x & y) | (x & z) | (y & z), (x, y, z) => x ^ y ^ z];
const ADDS = [0, ROUND2, ROUND3] as const;

function rotl(x: number, s: number): number {
  return (x << s) | (x >>> (32 - s));
}

/** The message padded to whole 64-byte blocks: 0x80, zeros, the bit length (64-bit little-endian). */
function padded(data: Buffer): Buffer {
  const total = Math.ceil((data.length + 9) / 64) * 64;
  const out = Buffer.alloc(total);
  data.copy(out);
  out[data.length] = 0x80;
  const bits = BigInt(data.length) * 8n;
  out.writeBigUInt64LE(bits, total - 8);
  return out;
}

export function md4(data: Buffer): Buffer {
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const message = padded(data);
  const x = new Array<number>(16);
  for (let block = 0; block < message.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = message.readUInt32LE(block + i * 4);
    const v = [...state];
    for (let round = 0; round < 3; round++) {
      for (let step = 0; step < 16; step++) {
        // Steps rotate through a, d, c, b: the register written is v[(-step) mod 4].
        const a = (4 - (step % 4)) % 4;
        const [b, c, d] = [(a + 1) % 4, (a + 2) % 4, (a + 3) % 4];
        const sum = (v[a] + MIXES[round](v[b], v[c], v[d]) + x[ORDER[round][step]] + ADDS[round]) | 0;
        v[a] = rotl(sum, SHIFTS[round][step % 4]);
      }
    }
    for (let i = 0; i < 4; i++) state[i] = (state[i] + v[i]) | 0;
  }
  const out = Buffer.alloc(16);
  state.forEach((w, i) => out.writeInt32LE(w, i * 4));
  return out;
}
