/** A file or value the PKI code cannot use: the message names it, says what is wrong and what to give instead. */
export class PkiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PkiInputError';
  }
}
