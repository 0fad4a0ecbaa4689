/**
 * Platform admin credentials: only from the environment variables the plan names, or the
 * credentials file it names. The plan and Terraform JSON never hold them, and no message
 * prints them.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CredentialsRef } from '../model';
import { DriverConfigError } from './errors';

export class Credentials {
  /** Non-enumerable, so a stray `console.log(credentials)` or JSON.stringify shows no secret. */
  declare readonly password: string;

  constructor(
    readonly username: string,
    password: string,
    /** Where they came from, for messages: `environment UCROLLOUT_USERNAME/UCROLLOUT_PASSWORD`. */
    readonly source: string,
  ) {
    Object.defineProperty(this, 'password', { value: password, enumerable: false });
  }

  /** `Authorization` header value for HTTP Basic. */
  basicAuthorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`, 'utf8').toString('base64')}`;
  }

  toJSON(): object {
    return { username: this.username, source: this.source };
  }
}

/**
 * Both variables set: use them. Otherwise the declared file (relative to `baseDir`).
 * Otherwise an error naming the variables to export.
 */
export function loadCredentials(ref: CredentialsRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): Credentials {
  const user = env[ref.usernameEnv];
  const pass = env[ref.passwordEnv];
  if (user && pass) return new Credentials(user, pass, `environment ${ref.usernameEnv}/${ref.passwordEnv}`);
  if (ref.file) return fromFile(isAbsolute(ref.file) ? ref.file : join(baseDir, ref.file), ref.file);
  const missing = [!user ? ref.usernameEnv : undefined, !pass ? ref.passwordEnv : undefined].filter(Boolean).join(' and ');
  throw new DriverConfigError(
    `No platform admin credentials: ${missing} not set and the plan names no credentials file: export ${ref.usernameEnv} and ${ref.passwordEnv} before running the step`,
  );
}

function fromFile(path: string, shown: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? 'not valid JSON';
    throw new DriverConfigError(`Cannot read the credentials file '${shown}' (${why}): write it as JSON {"username": …, "password": …}`);
  }
  const rec = parsed as { username?: unknown; password?: unknown };
  if (typeof rec?.username !== 'string' || typeof rec.password !== 'string' || !rec.username || !rec.password) {
    throw new DriverConfigError(`The credentials file '${shown}' must hold JSON {"username": "<text>", "password": "<text>"}`);
  }
  return new Credentials(rec.username, rec.password, `file ${shown}`);
}
