/**
 * The AV pairs of NTLM target information ([MS-NLMP] 2.2.2.1): what a CHALLENGE names about the
 * server (its names, its clock), and what the client adds to the copy it signs in its NTLMv2
 * response (that a MIC is sent, the TLS channel it is bound to).
 */
import { NtlmError } from './errors';

export const AvId = {
  EOL: 0,
  NB_COMPUTER_NAME: 1,
  NB_DOMAIN_NAME: 2,
  DNS_COMPUTER_NAME: 3,
  DNS_DOMAIN_NAME: 4,
  DNS_TREE_NAME: 5,
  FLAGS: 6,
  TIMESTAMP: 7,
  TARGET_NAME: 9,
  CHANNEL_BINDINGS: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC = 0x2;

export interface AvPair {
  readonly id: number;
  readonly value: Buffer;
}

/** The pairs before MsvAvEOL; a list that runs past its buffer or has no EOL is refused. */
export function readAvPairs(data: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const id = data.readUInt16LE(at);
    const length = data.readUInt16LE(at + 2);
    if (at + 4 + length > data.length) break;
    if (id === AvId.EOL) return pairs;
    pairs.push({ id, value: data.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  throw new NtlmError('the target information of the CHALLENGE message is cut short');
}

/** The pairs, then MsvAvEOL. */
export function writeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts = pairs.flatMap((p) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(p.id, 0);
    head.writeUInt16LE(p.value.length, 2);
    return [head, p.value];
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

export function avString(id: number, text: string): AvPair {
  return { id, value: Buffer.from(text, 'utf16le') };
}

export function avFlags(flags: number): AvPair {
  const value = Buffer.alloc(4);
  value.writeUInt32LE(flags >>> 0, 0);
  return { id: AvId.FLAGS, value };
}

/** MsvAvFlags of a list of pairs (0 when absent). */
export function flagsOf(pairs: readonly AvPair[]): number {
  const flags = pairs.find((p) => p.id === AvId.FLAGS);
  return flags && flags.value.length >= 4 ? flags.value.readUInt32LE(0) : 0;
}

/**
 * The target information the client signs: the server's pairs, MsvAvFlags with the MIC bit set
 * when a MIC is sent (merged with the server's flags), and the channel binding hash when there
 * is one. Both are inside NTProofStr, so the server learns of them untampered.
 */
export function clientTargetInfo(server: readonly AvPair[], mic: boolean, channelBindings?: Buffer): Buffer {
  const kept = server.filter((p) => p.id !== AvId.FLAGS && p.id !== AvId.CHANNEL_BINDINGS);
  const flags = flagsOf(server) | (mic ? AV_FLAG_MIC : 0);
  return writeAvPairs([...kept, ...(flags ? [avFlags(flags)] : []), ...(channelBindings ? [{ id: AvId.CHANNEL_BINDINGS, value: channelBindings }] : [])]);
}
