/**
 * The three NTLM messages on the wire ([MS-NLMP] 2.2.1): NEGOTIATE (type 1) from the client,
 * CHALLENGE (type 2) from the server, AUTHENTICATE (type 3) from the client. Only their layout
 * is here; what goes in them is client.ts's (and the twin's) business. Strings are UTF-16LE:
 * the client negotiates Unicode only.
 */
import { NtlmError } from './errors';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const NtlmFlag = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  NEGOTIATE_128: 0x20000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** What the client asks for: Unicode, NTLM with extended session security (NTLMv2), 128-bit. */
export const CLIENT_FLAGS =
  (NtlmFlag.UNICODE | NtlmFlag.REQUEST_TARGET | NtlmFlag.NTLM | NtlmFlag.ALWAYS_SIGN | NtlmFlag.EXTENDED_SESSIONSECURITY | NtlmFlag.TARGET_INFO | NtlmFlag.NEGOTIATE_128 | NtlmFlag.NEGOTIATE_56) >>> 0;

/** AUTHENTICATE's fixed part: up to the MIC (offset 72, 16 bytes), after the 8-byte Version. */
const AUTHENTICATE_HEADER = 88;
export const MIC_OFFSET = 72;

function header(type: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  SIGNATURE.copy(out, 0);
  out.writeUInt32LE(type, 8);
  return out;
}

/** Reads a message's signature and type, refusing anything else. */
function expectMessage(data: Buffer, type: number, minLength: number, what: string): void {
  if (data.length < minLength || !data.subarray(0, 8).equals(SIGNATURE) || data.readUInt32LE(8) !== type) {
    throw new NtlmError(`the ${what} message is not an NTLM type ${type} message`);
  }
}

/** A payload field: length, max length, offset (the fields' common 8-byte form). */
function readField(data: Buffer, at: number, what: string): Buffer {
  const length = data.readUInt16LE(at);
  const offset = data.readUInt32LE(at + 4);
  if (offset + length > data.length) throw new NtlmError(`the ${what} field runs past the end of the message`);
  return data.subarray(offset, offset + length);
}

/** Lays out payload fields after a fixed header, filling their descriptors. */
function withPayload(fixed: Buffer, fields: readonly (readonly [number, Buffer])[]): Buffer {
  let offset = fixed.length;
  for (const [at, value] of fields) {
    fixed.writeUInt16LE(value.length, at);
    fixed.writeUInt16LE(value.length, at + 2);
    fixed.writeUInt32LE(offset, at + 4);
    offset += value.length;
  }
  return Buffer.concat([fixed, ...fields.map(([, v]) => v)]);
}

/** NEGOTIATE: flags only, no domain or workstation (the AUTHENTICATE carries them). */
export function writeNegotiate(flags = CLIENT_FLAGS): Buffer {
  const out = header(1, 32);
  out.writeUInt32LE(flags >>> 0, 12);
  // Empty domain and workstation fields point just past the header.
  out.writeUInt32LE(32, 20);
  out.writeUInt32LE(32, 28);
  return out;
}

export function readNegotiateFlags(data: Buffer): number {
  expectMessage(data, 1, 16, 'NEGOTIATE');
  return data.readUInt32LE(12);
}

export interface Challenge {
  readonly flags: number;
  readonly serverChallenge: Buffer;
  /** The server's AV pairs as sent (MsvAvEOL included). */
  readonly targetInfo: Buffer;
  readonly targetName: string;
}

export function readChallenge(data: Buffer): Challenge {
  expectMessage(data, 2, 48, 'CHALLENGE');
  const flags = data.readUInt32LE(20);
  return {
    flags,
    serverChallenge: Buffer.from(data.subarray(24, 32)),
    targetInfo: flags & NtlmFlag.TARGET_INFO ? Buffer.from(readField(data, 40, 'TargetInfo')) : Buffer.alloc(0),
    targetName: readField(data, 12, 'TargetName').toString(flags & NtlmFlag.UNICODE ? 'utf16le' : 'latin1'),
  };
}

export function writeChallenge(c: Challenge): Buffer {
  const fixed = header(2, 48);
  fixed.writeUInt32LE(c.flags >>> 0, 20);
  c.serverChallenge.copy(fixed, 24);
  return withPayload(fixed, [
    [12, Buffer.from(c.targetName, 'utf16le')],
    [40, c.targetInfo],
  ]);
}

export interface Authenticate {
  readonly flags: number;
  readonly lmResponse: Buffer;
  readonly ntResponse: Buffer;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  /** 16 bytes; zeros when none is sent. */
  readonly mic: Buffer;
}

/** AUTHENTICATE with the MIC field as given (zeros while the MIC is computed over it). */
export function writeAuthenticate(a: Authenticate): Buffer {
  const fixed = header(3, AUTHENTICATE_HEADER);
  fixed.writeUInt32LE(a.flags >>> 0, 60);
  a.mic.copy(fixed, MIC_OFFSET);
  return withPayload(fixed, [
    [12, a.lmResponse],
    [20, a.ntResponse],
    [28, Buffer.from(a.domain, 'utf16le')],
    [36, Buffer.from(a.user, 'utf16le')],
    [44, Buffer.from(a.workstation, 'utf16le')],
    [52, Buffer.alloc(0)],
  ]);
}

export function readAuthenticate(data: Buffer): Authenticate {
  expectMessage(data, 3, 64, 'AUTHENTICATE');
  const flags = data.readUInt32LE(60);
  const text = (at: number, what: string) => readField(data, at, what).toString(flags & NtlmFlag.UNICODE ? 'utf16le' : 'latin1');
  const firstPayload = Math.min(...[12, 20, 28, 36, 44].map((at) => (data.readUInt16LE(at) > 0 ? data.readUInt32LE(at + 4) : data.length)));
  return {
    flags,
    lmResponse: readField(data, 12, 'LmChallengeResponse'),
    ntResponse: readField(data, 20, 'NtChallengeResponse'),
    domain: text(28, 'DomainName'),
    user: text(36, 'UserName'),
    workstation: text(44, 'Workstation'),
    mic: firstPayload >= AUTHENTICATE_HEADER ? Buffer.from(data.subarray(MIC_OFFSET, MIC_OFFSET + 16)) : Buffer.alloc(16),
  };
}

/** The message with its MIC field zeroed: what the MIC is computed over. */
export function withZeroMic(authenticate: Buffer): Buffer {
  const copy = Buffer.from(authenticate);
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
  return copy;
}
