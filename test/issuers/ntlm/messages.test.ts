/**
 * NTLMv2 against the published example of [MS-NLMP] 4.2.4 (user "User", domain "Domain",
 * password "Password", server challenge 0123456789abcdef, client challenge aa…aa, time 0, target
 * information NbDomainName "Domain" + NbComputerName "Server"), and the messages' layout.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AV_FLAG_MIC,
  AvId,
  NtlmFlag,
  answerChallenge,
  avString,
  fileTime,
  flagsOf,
  lmv2Response,
  messageIntegrity,
  negotiateMessage,
  ntlmAccount,
  ntlmv2Response,
  ntowfv2,
  readAuthenticate,
  readAvPairs,
  readChallenge,
  readNegotiateFlags,
  tlsServerEndPointBinding,
  withZeroMic,
  writeAvPairs,
  writeChallenge,
} from '../../../lib/issuers/ntlm';
import { loopbackTls } from '../../../lib/simulator/issuers';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SERVER_CHALLENGE = hex('0123456789abcdef');
const CLIENT_CHALLENGE = hex('aaaaaaaaaaaaaaaa');
// 4.2.4.1.3 ServerName: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
const TARGET_INFO = hex('02000c0044006f006d00610069006e00 01000c005300650072007600650072000000 0000');
const NTOWFV2 = '0c868a403bfd7a93a3001ef22ef02e3f';
const NT_PROOF_STR = '68cd0ab851e51c96aabc927bebef6a1c';
const TEMP = `0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000 ${TARGET_INFO.toString('hex')} 00000000`;
const LMV2 = '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa';
const SESSION_BASE_KEY = '8de40ccadbc14a82f15cb0ad0de95ca3';
const ACCOUNT = { user: 'User', domain: 'Domain', password: 'Password' };
/** The example's CHALLENGE flags (4.2.4.3), Unicode and target information among them. */
const CHALLENGE_FLAGS = 0xe28a8233;

function specChallenge(targetInfo: Buffer = TARGET_INFO): Buffer {
  return writeChallenge({ flags: CHALLENGE_FLAGS, serverChallenge: SERVER_CHALLENGE, targetInfo, targetName: 'Server' });
}

describe('NTLMv2 ([MS-NLMP] 4.2.4)', () => {
  it('derives NTOWFv2 (ResponseKeyNT) from the password, user and domain (4.2.4.1.1)', () => {
    expect(ntowfv2('Password', 'User', 'Domain').toString('hex')).toBe(NTOWFV2);
    // the user name is case-blind, the domain is not
    expect(ntowfv2('Password', 'user', 'Domain').toString('hex')).toBe(NTOWFV2);
    expect(ntowfv2('Password', 'User', 'DOMAIN').toString('hex')).not.toBe(NTOWFV2);
  });

  it('computes NTProofStr, the NTLMv2 response (NTProofStr ‖ temp), the LMv2 response and the SessionBaseKey (4.2.4.2)', () => {
    const r = ntlmv2Response({ responseKey: hex(NTOWFV2), serverChallenge: SERVER_CHALLENGE, clientChallenge: CLIENT_CHALLENGE, time: Buffer.alloc(8), targetInfo: TARGET_INFO });
    expect(r.ntProofStr.toString('hex')).toBe(NT_PROOF_STR);
    expect(r.ntResponse.toString('hex')).toBe(NT_PROOF_STR + hex(TEMP).toString('hex'));
    expect(r.sessionBaseKey.toString('hex')).toBe(SESSION_BASE_KEY);
    expect(lmv2Response(hex(NTOWFV2), SERVER_CHALLENGE, CLIENT_CHALLENGE).toString('hex')).toBe(LMV2);
  });

  it('answers the example CHALLENGE with the example responses in an AUTHENTICATE message', () => {
    // GIVEN the example's CHALLENGE (no timestamp) and client challenge, at time 0 (1601-01-01)
    const message = answerChallenge(ACCOUNT, negotiateMessage(), specChallenge(), { clientChallenge: CLIENT_CHALLENGE, now: new Date(-11_644_473_600_000) });
    // THEN the AUTHENTICATE carries the published LMv2 and NTLMv2 responses, the names, and no MIC
    const a = readAuthenticate(message);
    expect(a.lmResponse.toString('hex')).toBe(LMV2);
    expect(a.ntResponse.toString('hex')).toBe(NT_PROOF_STR + hex(TEMP).toString('hex'));
    expect(a).toMatchObject({ user: 'User', domain: 'Domain', workstation: '' });
    expect(a.mic.equals(Buffer.alloc(16))).toBe(true);
    expect(a.flags & NtlmFlag.UNICODE).toBeTruthy();
    expect(a.flags & NtlmFlag.EXTENDED_SESSIONSECURITY).toBeTruthy();
  });

  it("with the server's clock: its timestamp signed, LM zeros, MsvAvFlags MIC and a MIC over the three messages; the channel binding signed in", () => {
    // GIVEN a CHALLENGE with MsvAvTimestamp, as Windows sends it
    const stamp = fileTime(new Date('2025-01-02T03:04:05Z'));
    const info = writeAvPairs([...readAvPairs(TARGET_INFO), { id: AvId.TIMESTAMP, value: stamp }]);
    const negotiate = negotiateMessage();
    const challenge = specChallenge(info);
    const binding = Buffer.alloc(16, 0x42);
    // WHEN the client answers it
    const message = answerChallenge(ACCOUNT, negotiate, challenge, { clientChallenge: CLIENT_CHALLENGE, channelBindings: binding });
    const a = readAuthenticate(message);
    // THEN the temp carries the server's time and the client's pairs
    const temp = a.ntResponse.subarray(16);
    expect(temp.subarray(8, 16).equals(stamp)).toBe(true);
    const signed = readAvPairs(temp.subarray(28));
    expect(flagsOf(signed) & AV_FLAG_MIC).toBe(AV_FLAG_MIC);
    expect(signed.find((p) => p.id === AvId.CHANNEL_BINDINGS)?.value.equals(binding)).toBe(true);
    expect(signed.find((p) => p.id === AvId.NB_COMPUTER_NAME)?.value.toString('utf16le')).toBe('Server');
    // and NTProofStr is over that temp
    const key = ntowfv2('Password', 'User', 'Domain');
    const again = ntlmv2Response({ responseKey: key, serverChallenge: SERVER_CHALLENGE, clientChallenge: CLIENT_CHALLENGE, time: stamp, targetInfo: temp.subarray(28, temp.length - 4) });
    expect(a.ntResponse.equals(again.ntResponse)).toBe(true);
    // and the LM response is zeros, the MIC the HMAC of the three messages
    expect(a.lmResponse.equals(Buffer.alloc(24))).toBe(true);
    expect(a.mic.equals(messageIntegrity(again.sessionBaseKey, negotiate, challenge, withZeroMic(message)))).toBe(true);
  });

  it('refuses a CHALLENGE that is not one, or whose target information runs short', () => {
    expect(() => answerChallenge(ACCOUNT, negotiateMessage(), Buffer.from('NTLMSSP\0\x01\0\0\0', 'latin1'))).toThrow(/not an NTLM type 2 message/);
    expect(() => answerChallenge(ACCOUNT, negotiateMessage(), specChallenge(TARGET_INFO.subarray(0, 20)))).toThrow(/cut short/);
    const oem = writeChallenge({ flags: CHALLENGE_FLAGS & ~NtlmFlag.UNICODE, serverChallenge: SERVER_CHALLENGE, targetInfo: TARGET_INFO, targetName: '' });
    expect(() => answerChallenge(ACCOUNT, negotiateMessage(), oem)).toThrow(/Unicode/);
  });
});

describe('the NTLM messages', () => {
  it('NEGOTIATE asks for Unicode, NTLM and extended session security; a CHALLENGE reads back as written', () => {
    const flags = readNegotiateFlags(negotiateMessage());
    expect(flags & NtlmFlag.UNICODE && flags & NtlmFlag.NTLM && flags & NtlmFlag.EXTENDED_SESSIONSECURITY).toBeTruthy();
    expect(negotiateMessage().length).toBe(32);
    const c = readChallenge(specChallenge());
    expect(c).toEqual({ flags: CHALLENGE_FLAGS, serverChallenge: SERVER_CHALLENGE, targetInfo: TARGET_INFO, targetName: 'Server' });
    expect(readAvPairs(c.targetInfo)).toEqual([avString(AvId.NB_DOMAIN_NAME, 'Domain'), avString(AvId.NB_COMPUTER_NAME, 'Server')]);
  });

  it('reads the account as Windows users type it', () => {
    expect(ntlmAccount('CORP\\svc', 'p')).toEqual({ domain: 'CORP', user: 'svc', password: 'p' });
    expect(ntlmAccount('svc@corp.example', 'p', 'CORP')).toEqual({ domain: '', user: 'svc@corp.example', password: 'p' });
    expect(ntlmAccount('svc', 'p', 'CORP')).toEqual({ domain: 'CORP', user: 'svc', password: 'p' });
    expect(ntlmAccount('svc', 'p')).toEqual({ domain: '', user: 'svc', password: 'p' });
  });

  it('fileTime counts 100 ns since 1601', () => {
    expect(fileTime(new Date(0)).readBigUInt64LE(0)).toBe(116_444_736_000_000_000n);
  });

  it('binds to the TLS server certificate: MD5 of the GSS bindings with tls-server-end-point and its SHA-256 (RFC 5929)', async () => {
    const { certPem } = await loopbackTls();
    const der = Buffer.from(certPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    const data = Buffer.concat([Buffer.from('tls-server-end-point:'), createHash('sha256').update(der).digest()]);
    const struct = Buffer.concat([Buffer.alloc(16), Buffer.from([data.length, 0, 0, 0]), data]);
    expect(tlsServerEndPointBinding(der).equals(createHash('md5').update(struct).digest())).toBe(true);
  });
});
