/**
 * Checks of single values, shared by constructs (which throw at declaration time) and the
 * inventory loader (which names the file path). Each returns an error sentence or undefined.
 */

const FQDN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkFqdn(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !FQDN.test(value)) {
    return `${prop} must be a fully qualified domain name such as 'cs-ccm-pub.example.com', got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Names that become Terraform stack and step ids: a letter, then letters, digits, '-' or '_'. */
export function checkName(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !NAME.test(value)) {
    return `${prop} must start with a letter and hold only letters, digits, '-' and '_' (at most 63), got ${JSON.stringify(value)}`;
  }
  return undefined;
}

export function checkEnvName(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    return `${prop} must name an environment variable (letters, digits, '_'), got ${JSON.stringify(value)}: put the secret in that variable, never in the declarations`;
  }
  return undefined;
}

export function checkOneOf(prop: string, value: unknown, allowed: readonly string[]): string | undefined {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return `${prop} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

export function checkPort(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `${prop} must be a TCP port between 1 and 65535, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

export const DEFAULT_CREDENTIALS = { usernameEnv: 'UCROLLOUT_USERNAME', passwordEnv: 'UCROLLOUT_PASSWORD' } as const;
export const DEFAULT_VERSION = '15.0';
export const DEFAULT_CLEANUP_DELAY_SECONDS = 1800;
