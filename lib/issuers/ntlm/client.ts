/**
 * The client's side of NTLMv2: its NEGOTIATE, and its AUTHENTICATE in answer to the server's
 * CHALLENGE ([MS-NLMP] 3.1.5.1.2). When the server sends its clock (MsvAvTimestamp, as every
 * Windows server does), the LM response is zeros and a MIC covers the three messages; the TLS
 * channel binding is signed in whenever the caller knows the server's certificate.
 */
import { randomBytes } from 'node:crypto';
import { AvId, clientTargetInfo, readAvPairs } from './av-pairs';
import { fileTime, lmv2Response, messageIntegrity, ntlmv2Response, ntowfv2 } from './crypto';
import { NtlmError } from './errors';
import { CLIENT_FLAGS, MIC_OFFSET, NtlmFlag, readChallenge, writeAuthenticate, writeNegotiate } from './messages';

export interface NtlmAccount {
  readonly user: string;
  /** The NetBIOS (or DNS) domain; empty for a user principal name (`user@corp.example`). */
  readonly domain: string;
  readonly password: string;
}

/**
 * The account as Windows users type it: `DOMAIN\user` names its domain, `user@corp.example` is a
 * UPN (sent whole, with an empty domain, as Windows does), a bare name takes the declared domain.
 */
export function ntlmAccount(username: string, password: string, declaredDomain?: string): NtlmAccount {
  const slash = username.indexOf('\\');
  if (slash > 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1), password };
  if (username.includes('@')) return { domain: '', user: username, password };
  return { domain: declaredDomain ?? '', user: username, password };
}

export function negotiateMessage(): Buffer {
  return writeNegotiate(CLIENT_FLAGS);
}

export interface AnswerOptions {
  /** The MD5 of the TLS channel bindings (channel-binding.ts). @default - none */
  readonly channelBindings?: Buffer;
  /** @default - 8 random bytes */
  readonly clientChallenge?: Buffer;
  /** The time signed when the server sends none. @default - now */
  readonly now?: Date;
}

/** The AUTHENTICATE message answering `challenge` (the server's type 2), after `negotiate` (ours). */
export function answerChallenge(account: NtlmAccount, negotiate: Buffer, challenge: Buffer, opts: AnswerOptions = {}): Buffer {
  const c = readChallenge(challenge);
  if (!(c.flags & NtlmFlag.UNICODE)) throw new NtlmError('the server did not accept Unicode in its CHALLENGE message');
  const pairs = c.targetInfo.length > 0 ? readAvPairs(c.targetInfo) : [];
  const timestamp = pairs.find((p) => p.id === AvId.TIMESTAMP && p.value.length === 8)?.value;
  const clientChallenge = opts.clientChallenge ?? randomBytes(8);
  const responseKey = ntowfv2(account.password, account.user, account.domain);
  // The server's pairs are signed as sent unless the client has a MIC or a binding to add.
  const targetInfo = timestamp || opts.channelBindings ? clientTargetInfo(pairs, !!timestamp, opts.channelBindings) : c.targetInfo;
  const response = ntlmv2Response({ responseKey, serverChallenge: c.serverChallenge, clientChallenge, time: timestamp ?? fileTime(opts.now ?? new Date()), targetInfo });
  const message = writeAuthenticate({
    flags: (c.flags & CLIENT_FLAGS) >>> 0,
    lmResponse: timestamp ? Buffer.alloc(24) : lmv2Response(responseKey, c.serverChallenge, clientChallenge),
    ntResponse: response.ntResponse,
    domain: account.domain,
    user: account.user,
    workstation: '',
    mic: Buffer.alloc(16),
  });
  if (timestamp) messageIntegrity(response.sessionBaseKey, negotiate, challenge, message).copy(message, MIC_OFFSET);
  return message;
}
