/**
 * Type checks of single input fields, shared by every normalizer (inventory file and construct
 * props alike): each returns an error sentence naming the field's path, or undefined. A value
 * of the wrong type is refused here, never coerced (a string is not a list of its characters).
 */
import { Service } from '../catalog';
import { CredentialsRef, DEFAULT_CREDENTIALS, checkEnvName, nearestNames, shown } from '../model';

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A misspelt key would silently fall back to a default (e.g. `securitymode: mixed` planning as non-secure). */
export function unknownKeys(value: unknown, allowed: readonly string[], at: string): string[] {
  if (!isMapping(value)) return [];
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${at}: unknown key '${k.length > 64 ? `${k.slice(0, 64)}…` : k}': use ${allowed.join(', ')}`);
}

/** Optional mapping: absent is fine. `example` shows the shape; `hideValue` for fields a secret may be typed into. */
export function checkMapping(prop: string, value: unknown, example: string, hideValue = false): string | undefined {
  if (value === undefined || isMapping(value)) return undefined;
  const got = hideValue && typeof value === 'string' ? 'a string (not shown)' : shown(value);
  return `${prop} must be a mapping such as ${example}, got ${got}`;
}

/** Optional list: absent is fine. */
export function checkList(prop: string, value: unknown, what: string): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return `${prop} must be a list of ${what}, got ${shown(value)}`;
}

/** Optional boolean: absent is fine. */
export function checkBoolean(prop: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  return `${prop} must be true or false, got ${shown(value)}`;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A declared file: relative paths start at the inventory file's folder (constructs: the stack's baseDir). */
export function checkPath(prop: string, value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= 4096 && !CONTROL.test(value)) return undefined;
  return `${prop} must be a file path (relative to the inventory file, or to the stack's baseDir), without line breaks or control characters, got ${shown(value)}`;
}

const ADDRESS = /^[^\s\u0000-\u001f\u007f]{1,253}$/;

export function checkAddress(prop: string, value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'string' && ADDRESS.test(value))) return undefined;
  return `${prop} must be a host name or IP address to connect to, such as '10.10.0.10', got ${shown(value)}`;
}

/** A CUCM / IM&P release: digits first (`15.0`, `14.0.1.13900-155`); a YAML number is read as its text. */
const RELEASE = /^\d+(\.\d+)*[^\s\u0000-\u001f\u007f]{0,40}$/;

export function checkRelease(prop: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text === 'string' && RELEASE.test(text)) return undefined;
  return `${prop} must be a release such as '15.0' or '14.0' (quote it in YAML), got ${shown(value)}`;
}

const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Pinned SSH host key fingerprints: a list of `SHA256:<base64>`. */
export function checkHostKeys(prop: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${prop} must be a list of fingerprints such as ['SHA256:<base64>'] (ssh-keygen -lf), got ${shown(value)}`];
  return value
    .map((key, i) => (typeof key === 'string' && HOST_KEY.test(key) ? undefined : `${prop}[${i}] must be an OpenSSH fingerprint 'SHA256:<base64>' (ssh-keygen -lf), got ${shown(key)}`))
    .filter((p): p is string => !!p);
}

/** Port overrides: a mapping of port names to TCP port numbers. */
export function checkPorts(prop: string, value: unknown, example: string): string[] {
  if (value === undefined) return [];
  if (!isMapping(value)) return [`${prop} must be a mapping of port names to numbers such as ${example}, got ${shown(value)}`];
  return Object.entries(value)
    .map(([name, port]) =>
      typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `${prop}.${name} must be a TCP port between 1 and 65535, got ${shown(port)}`,
    )
    .filter((p): p is string => !!p);
}

const SERVICE_NAMES: readonly string[] = Object.values(Service);

/** A CUCM / IM&P service name exactly as `utils service list` prints it (lib/catalog/services.ts). */
export function checkServiceName(prop: string, value: unknown): string | undefined {
  if (typeof value === 'string' && SERVICE_NAMES.includes(value)) return undefined;
  const near = nearestNames(value, SERVICE_NAMES);
  const fix =
    near.length > 0
      ? `did you mean ${near.map((n) => `'${n}'`).join(' or ')}? (names as \`utils service list\` prints them)`
      : `use a name as \`utils service list\` prints it: ${SERVICE_NAMES.map((n) => `'${n}'`).join(', ')}`;
  return `${prop} is not a known service, got ${shown(value)}: ${fix}`;
}

/** The known service names (the JSON Schema's list). */
export function serviceNames(): string[] {
  return [...SERVICE_NAMES];
}

const CREDENTIALS_KEYS = ['usernameEnv', 'passwordEnv', 'file'];

/** Credentials references (`usernameEnv`, `passwordEnv`, `file`), defaults filled in, and their problems. */
export function credentialsRef(value: unknown, at: string): { credentials: CredentialsRef; problems: (string | undefined)[] } {
  const raw = isMapping(value) ? value : {};
  const credentials: CredentialsRef = {
    usernameEnv: (raw.usernameEnv ?? DEFAULT_CREDENTIALS.usernameEnv) as string,
    passwordEnv: (raw.passwordEnv ?? DEFAULT_CREDENTIALS.passwordEnv) as string,
    ...(raw.file !== undefined ? { file: raw.file as string } : {}),
  };
  return {
    credentials,
    problems: [
      checkMapping(at, value, '{ usernameEnv: CUCM_USER, passwordEnv: CUCM_PASSWORD }', true),
      ...unknownKeys(value, CREDENTIALS_KEYS, at),
      checkEnvName(`${at}.usernameEnv`, credentials.usernameEnv),
      checkEnvName(`${at}.passwordEnv`, credentials.passwordEnv),
      raw.file === undefined ? undefined : checkPath(`${at}.file`, raw.file),
    ],
  };
}
