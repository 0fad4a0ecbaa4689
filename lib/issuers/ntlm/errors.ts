/** A malformed NTLM message: the issuer turns it into an IssuerError naming the CA. */
export class NtlmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmError';
  }
}
