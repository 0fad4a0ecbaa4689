/**
 * The server's side of NTLMv2 as IIS does it, for the certsrv twin: a CHALLENGE with a random
 * server challenge and target information (names and MsvAvTimestamp), then the AUTHENTICATE
 * checked against the account: its NTProofStr recomputed from the password, the timestamp and
 * the MIC, and the TLS channel binding (Extended Protection). A success authenticates the TCP
 * connection that carried the handshake, and only that one: a new connection starts over.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  AV_FLAG_MIC,
  AvId,
  NtlmAccount,
  NtlmError,
  NtlmFlag,
  avString,
  fileTime,
  flagsOf,
  hmacMd5,
  messageIntegrity,
  ntowfv2,
  readAuthenticate,
  readAvPairs,
  readNegotiateFlags,
  withZeroMic,
  writeAvPairs,
  writeChallenge,
} from '../../issuers/ntlm';

const SERVER_FLAGS = NtlmFlag.UNICODE | NtlmFlag.NTLM | NtlmFlag.ALWAYS_SIGN | NtlmFlag.EXTENDED_SESSIONSECURITY | NtlmFlag.NEGOTIATE_128 | NtlmFlag.NEGOTIATE_56;
/** temp's fixed part before the AV pairs: versions, reserved, time, client challenge, reserved. */
const TEMP_HEAD = 28;

interface Pending {
  readonly negotiate: Buffer;
  readonly challenge: Buffer;
  readonly serverChallenge: Buffer;
  readonly timestamp: Buffer;
}

export type NtlmStep = { readonly kind: 'challenge'; readonly message: Buffer } | { readonly kind: 'accepted' } | { readonly kind: 'refused'; readonly why: string };

export class NtlmAcceptor {
  /** AUTHENTICATE messages accepted (one per connection authenticated). */
  logons = 0;
  /** Why the last AUTHENTICATE was refused (for tests; IIS says no more than 401). */
  lastRefusal?: string;
  private readonly pending = new WeakMap<Socket, Pending>();
  private readonly authenticated = new WeakSet<Socket>();

  /**
   * @param channelBinding the binding of the server's own certificate (tlsServerEndPointBinding),
   *   required in every AUTHENTICATE when given; undefined: Extended Protection off.
   */
  constructor(
    private readonly account: NtlmAccount,
    private readonly computer: string,
    private readonly channelBinding?: Buffer,
  ) {}

  isAuthenticated(socket: Socket): boolean {
    return this.authenticated.has(socket);
  }

  /** One message from the client on this connection: a NEGOTIATE gets a CHALLENGE, an AUTHENTICATE a verdict. */
  step(socket: Socket, token: Buffer): NtlmStep {
    const type = token.length >= 12 ? token.readUInt32LE(8) : 0;
    if (type === 1 && token.length >= 16) return { kind: 'challenge', message: this.challenge(socket, token) };
    const pending = this.pending.get(socket);
    this.pending.delete(socket);
    let why: string | undefined;
    try {
      why = type !== 3 ? 'not a NEGOTIATE or AUTHENTICATE message' : !pending ? 'an AUTHENTICATE on a connection that got no CHALLENGE' : this.verify(pending, token);
    } catch (e) {
      if (!(e instanceof NtlmError)) throw e;
      why = e.message;
    }
    if (why) {
      this.lastRefusal = why;
      return { kind: 'refused', why };
    }
    this.authenticated.add(socket);
    this.logons++;
    return { kind: 'accepted' };
  }

  private challenge(socket: Socket, negotiate: Buffer): Buffer {
    const serverChallenge = randomBytes(8);
    const timestamp = fileTime(new Date());
    const domain = this.account.domain || 'CORP';
    const targetInfo = writeAvPairs([
      avString(AvId.NB_DOMAIN_NAME, domain),
      avString(AvId.NB_COMPUTER_NAME, this.computer),
      avString(AvId.DNS_DOMAIN_NAME, `${domain.toLowerCase()}.example`),
      avString(AvId.DNS_COMPUTER_NAME, `${this.computer.toLowerCase()}.${domain.toLowerCase()}.example`),
      { id: AvId.TIMESTAMP, value: timestamp },
    ]);
    const flags = (readNegotiateFlags(negotiate) & SERVER_FLAGS) | NtlmFlag.TARGET_INFO | NtlmFlag.TARGET_TYPE_DOMAIN | NtlmFlag.REQUEST_TARGET;
    const challenge = writeChallenge({ flags: flags >>> 0, serverChallenge, targetInfo, targetName: domain });
    this.pending.set(socket, { negotiate, challenge, serverChallenge, timestamp });
    return challenge;
  }

  /** Why the AUTHENTICATE is refused, or undefined when it proves the password. */
  private verify(p: Pending, message: Buffer): string | undefined {
    const a = readAuthenticate(message);
    const sameUser = a.user.toUpperCase() === this.account.user.toUpperCase() && a.domain.toUpperCase() === this.account.domain.toUpperCase();
    if (!sameUser) return `unknown account ${a.domain}\\${a.user}`;
    if (a.ntResponse.length < 16 + TEMP_HEAD + 4) return 'not an NTLMv2 response (NTLMv1 and LM are refused)';
    const proof = a.ntResponse.subarray(0, 16);
    const temp = a.ntResponse.subarray(16);
    // The domain as the client sent it is what it hashed (NTOWFv2 keeps the domain's case).
    const key = ntowfv2(this.account.password, a.user, a.domain);
    const expected = hmacMd5(key, p.serverChallenge, temp);
    if (!timingSafeEqual(proof, expected)) return 'wrong password (NTProofStr does not match)';
    if (!temp.subarray(8, 16).equals(p.timestamp)) return 'the response does not carry the CHALLENGE timestamp';
    const pairs = readAvPairs(temp.subarray(TEMP_HEAD));
    if (!(flagsOf(pairs) & AV_FLAG_MIC)) return 'no MIC, though the CHALLENGE carried a timestamp';
    if (!timingSafeEqual(a.mic, messageIntegrity(hmacMd5(key, proof), p.negotiate, p.challenge, withZeroMic(message)))) return 'the MIC does not match the three messages';
    const binding = pairs.find((x) => x.id === AvId.CHANNEL_BINDINGS)?.value;
    if (this.channelBinding && !(binding && binding.equals(this.channelBinding))) return 'the channel binding is not that of this TLS connection (Extended Protection)';
    return undefined;
  }
}
