/**
 * NTLMv2 ([MS-NLMP] 3.3.2): the response key from the password, the proof of it over the
 * server's challenge, the session key, and the MIC over the three messages. NTLMv1 and LM are
 * not here: current Windows refuses them (LmCompatibilityLevel 5).
 */
import { createHmac } from 'node:crypto';
import { md4 } from './md4';

export function hmacMd5(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** NTOWFv2 = HMAC_MD5(MD4(UNICODE(password)), UNICODE(Uppercase(user) ‖ domain)): ResponseKeyNT (and LM). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(md4(Buffer.from(password, 'utf16le')), Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/** Windows time: 100 ns ticks since 1601-01-01, as MsvAvTimestamp and the response carry it. */
export function fileTime(date: Date): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n, 0);
  return out;
}

export interface Ntlmv2Input {
  readonly responseKey: Buffer;
  readonly serverChallenge: Buffer;
  readonly clientChallenge: Buffer;
  /** FILETIME, 8 bytes: the server's MsvAvTimestamp when it sent one. */
  readonly time: Buffer;
  /** The AV pairs the client signs, ending with MsvAvEOL. */
  readonly targetInfo: Buffer;
}

export interface Ntlmv2Response {
  readonly ntProofStr: Buffer;
  /** NTProofStr ‖ temp: the NtChallengeResponse. */
  readonly ntResponse: Buffer;
  readonly sessionBaseKey: Buffer;
}

/** temp = 1, 1, Z(6), time, client challenge, Z(4), target info, Z(4); NTProofStr = HMAC_MD5(key, server challenge ‖ temp). */
export function ntlmv2Response(input: Ntlmv2Input): Ntlmv2Response {
  const temp = Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(6), input.time, input.clientChallenge, Buffer.alloc(4), input.targetInfo, Buffer.alloc(4)]);
  const ntProofStr = hmacMd5(input.responseKey, input.serverChallenge, temp);
  return { ntProofStr, ntResponse: Buffer.concat([ntProofStr, temp]), sessionBaseKey: hmacMd5(input.responseKey, ntProofStr) };
}

/** LMv2 = HMAC_MD5(key, server challenge ‖ client challenge) ‖ client challenge (sent only when the server gave no timestamp). */
export function lmv2Response(responseKey: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
  return Buffer.concat([hmacMd5(responseKey, serverChallenge, clientChallenge), clientChallenge]);
}

/**
 * MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with a zero MIC). Without
 * key exchange the exported key is the NTLMv2 SessionBaseKey.
 */
export function messageIntegrity(sessionKey: Buffer, negotiate: Buffer, challenge: Buffer, authenticateZeroMic: Buffer): Buffer {
  return hmacMd5(sessionKey, negotiate, challenge, authenticateZeroMic);
}
