/**
 * The one error an issuer throws: which issuer, what kind of failure (the executor retries
 * `unreachable`, waits on nothing else) and a message that says what to do. A message never
 * holds a secret: text from outside (a CA's page, a program's stderr) is redacted before it
 * is put in one.
 */

export type IssuerErrorCode =
  /** The declaration, a variable, or a file it names cannot be used. */
  | 'config'
  /** The CSR or the request cannot be sent (unreadable, names that disagree with the CSR). */
  | 'bad-request'
  /** No answer: connection refused, DNS, timeout. Worth trying again. */
  | 'unreachable'
  /** The server's HTTPS certificate is not trusted by the declared caBundle. */
  | 'untrusted'
  /** The CA refused: authentication, permission, policy, a program's non-zero exit. */
  | 'refused'
  /** AD CS denied the request (its disposition message says why). */
  | 'denied'
  /** The answer is not what the protocol says it is. */
  | 'bad-response'
  /** The CA signed, but not what was asked: another key, other names, a broken chain. */
  | 'mismatch';

export class IssuerError extends Error {
  constructor(
    /** The issuer's declared name. */
    readonly issuer: string,
    readonly code: IssuerErrorCode,
    message: string,
  ) {
    super(`issuer ${issuer}: ${message}`);
    this.name = 'IssuerError';
  }
}

export function isIssuerError(e: unknown): e is IssuerError {
  return e instanceof Error && e.name === 'IssuerError' && typeof (e as IssuerError).code === 'string';
}
