/**
 * Secrets an issuer holds while it signs: read from the variable the declaration names, and
 * blanked out of any outside text (a CA's error page, a program's stderr) before that text
 * reaches a log line or an error message.
 */
import { IssuerError } from './errors';

const REDACTED = '[redacted]';
/** Shorter values would blank out ordinary words; no real secret is this short. */
const MIN_REDACTED_LENGTH = 4;

export class Secrets {
  private readonly values = new Set<string>();

  constructor(private readonly issuer: string) {}

  /** Keeps the value (and the forms it travels in) for redaction, and returns it. */
  add(value: string): string {
    if (value.length >= MIN_REDACTED_LENGTH) {
      this.values.add(value);
      this.values.add(encodeURIComponent(value));
      this.values.add(Buffer.from(value).toString('base64'));
      this.values.add(JSON.stringify(value).slice(1, -1));
    }
    return value;
  }

  /** The value of the variable, kept for redaction; a variable that is unset or empty is a config error naming the field. */
  fromEnv(env: Readonly<Record<string, string | undefined>>, name: string, field: string, what: string): string {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new IssuerError(this.issuer, 'config', `the environment variable ${name} (${field}) is not set: put ${what} in it before the rollout`);
    }
    return this.add(value);
  }

  /** The text with every kept secret replaced, longest first (a secret may contain a shorter one). */
  redact(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out;
  }
}

/** Outside text shown in a message: redacted, control characters turned into spaces, cut to `max` characters. */
export function quoteOutside(text: string, secrets: Secrets, max = 2000): string {
  const clean = secrets
    .redact(text)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length - max} more characters)` : clean;
}
