/**
 * How the adcs issuer authenticates to certsrv: Basic (the credentials in every request), or
 * NTLMv2 (Windows Integrated Authentication, what IIS offers by default): a 401, then NEGOTIATE
 * and AUTHENTICATE over one kept-alive connection, which IIS then treats as the account's. Both
 * go only to the declared URL over verified HTTPS; redirects are not followed (http.ts).
 */
import { IssuerError } from './errors';
import { HttpsAnswer, HttpsCall, httpsCall, shownUrl } from './http';
import { NtlmAccount, NtlmError, answerChallenge, negotiateMessage, ntlmAccount, tlsServerEndPointBinding } from './ntlm';
import { OneConnection } from './one-connection';
import { Secrets } from './secrets';
import { AdcsIssuerDecl } from './types';
import { offers, schemeToken } from './www-authenticate';

export interface CertsrvAuthentication {
  /** The scheme's name, for messages. */
  readonly scheme: 'Basic' | 'NTLM';
  /** Whether a 401 offering these schemes could be answered by this one. */
  accepts(answer: HttpsAnswer): boolean;
  /** The call, authenticated: what the server finally answered (a 401 when it refused the account). */
  send(call: HttpsCall): Promise<HttpsAnswer>;
  /** Ends any connection kept open. */
  close(): void;
}

export function basicAuthentication(issuer: string, user: string, password: string, secrets: Secrets): CertsrvAuthentication {
  const authorization = `Basic ${secrets.add(Buffer.from(`${user}:${password}`, 'utf8').toString('base64'))}`;
  return {
    scheme: 'Basic',
    accepts: (answer) => offers(answer.headers, 'Basic'),
    send: (call) => httpsCall(issuer, { ...call, headers: { ...call.headers, authorization } }),
    close: () => undefined,
  };
}

/** IIS offers `NTLM` and `Negotiate`; `Negotiate` carrying raw NTLM tokens is accepted, so either serves. */
const NTLM_SCHEMES = ['NTLM', 'Negotiate'] as const;

export function ntlmAuthentication(issuer: string, account: NtlmAccount, ca: readonly string[] | undefined): CertsrvAuthentication {
  const connection = new OneConnection(ca);
  const scheme = (answer: HttpsAnswer) => NTLM_SCHEMES.find((s) => offers(answer.headers, s));
  const withToken = (call: HttpsCall, name: string, token: Buffer): HttpsCall => ({ ...call, agent: connection, headers: { ...call.headers, authorization: `${name} ${token.toString('base64')}` } });
  return {
    scheme: 'NTLM',
    accepts: (answer) => scheme(answer) !== undefined,
    async send(call) {
      // An authenticated connection needs no header; a 401 means a new connection (or none yet).
      const first = await httpsCall(issuer, { ...call, agent: connection });
      const name = first.status === 401 ? scheme(first) : undefined;
      if (!name) return first;
      const negotiate = negotiateMessage();
      const second = await httpsCall(issuer, withToken(call, name, negotiate));
      const challenge = second.status === 401 ? schemeToken(second.headers, name) : undefined;
      if (!challenge) return second;
      let authenticate: Buffer;
      try {
        const channelBindings = connection.peerCertificate ? tlsServerEndPointBinding(connection.peerCertificate) : undefined;
        authenticate = answerChallenge(account, negotiate, challenge, { channelBindings });
      } catch (e) {
        if (!(e instanceof NtlmError)) throw e;
        throw new IssuerError(issuer, 'bad-response', `${call.method} ${shownUrl(call.url)}: the CA's NTLM challenge could not be read (${e.message}): is the url an AD CS web enrollment on IIS?`);
      }
      return httpsCall(issuer, withToken(call, name, authenticate));
    },
    close: () => connection.close(),
  };
}

/**
 * The declared scheme (Basic unless `authentication: ntlm`) for the account in the variables,
 * read once for both: `CORP\user`, `user@corp.example`, or a bare name in the declared domain.
 */
export function certsrvAuthentication(issuer: string, decl: AdcsIssuerDecl, username: string, password: string, secrets: Secrets, ca: readonly string[] | undefined): CertsrvAuthentication {
  const account = ntlmAccount(username, password, decl.credentials.domain);
  if (decl.authentication === 'ntlm') return ntlmAuthentication(issuer, account, ca);
  return basicAuthentication(issuer, account.domain ? `${account.domain}\\${account.user}` : account.user, password, secrets);
}
