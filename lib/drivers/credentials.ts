/**
 * Platform admin credentials: only from the environment variables the plan names, or the
 * credentials file it names. The plan and Terraform JSON never hold them, and no message
 * prints them.
 */
import { isAbsolute, join } from 'node:path';
import type { CredentialsRef } from '../model';
import { readBounded } from '../pki/bounded-read';
import { DriverConfigError } from './errors';

/** A user name and a password in JSON: far below this. */
export const MAX_CREDENTIALS_FILE_BYTES = 64 * 1024;

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
 * Otherwise an error naming the variables to export and the file to declare, worded for
 * every caller (a plan step, `status`, `csr --on-node`, `discover`).
 */
export function loadCredentials(ref: CredentialsRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): Credentials {
  const user = env[ref.usernameEnv];
  const pass = env[ref.passwordEnv];
  if (user && pass) return new Credentials(user, pass, `environment ${ref.usernameEnv}/${ref.passwordEnv}`);
  if (ref.file) return fromFile(isAbsolute(ref.file) ? ref.file : join(baseDir, ref.file), ref.file);
  const missing = [!user ? ref.usernameEnv : undefined, !pass ? ref.passwordEnv : undefined].filter(Boolean).join(' and ');
  throw new DriverConfigError(
    `No platform admin credentials: ${missing} not set and no credentials file is declared: export ${ref.usernameEnv} and ${ref.passwordEnv}, ` +
      `or declare a JSON file {"username": …, "password": …} as the cluster's credentials.file`,
  );
}

function fromFile(path: string, shown: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readBounded(path, MAX_CREDENTIALS_FILE_BYTES).toString('utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EFBIG') {
      throw new DriverConfigError(
        `The credentials file '${shown}' is larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes (${MAX_CREDENTIALS_FILE_BYTES / 1024} KiB), far more than a user name and a password: check the path; write it as JSON {"username": …, "password": …}`,
      );
    }
    throw new DriverConfigError(`Cannot read the credentials file '${shown}' (${code ?? 'not valid JSON'}): write it as JSON {"username": …, "password": …}`);
  }
  const rec = parsed as { username?: unknown; password?: unknown };
  if (typeof rec?.username !== 'string' || typeof rec.password !== 'string' || !rec.username || !rec.password) {
    throw new DriverConfigError(`The credentials file '${shown}' must hold JSON {"username": "<text>", "password": "<text>"}`);
  }
  return new Credentials(rec.username, rec.password, `file ${shown}`);
}
