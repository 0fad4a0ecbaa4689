/**
 * Checks of single values, shared by constructs (which throw at declaration time) and the
 * inventory loader (which names the file path). Each returns an error sentence or undefined.
 */

const FQDN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Longest value text a message quotes: the rest is cut (a message never repeats megabytes of input). */
const SHOWN_MAX = 80;

/** A value as a message quotes it: JSON (control characters escaped), cut to a bounded length. */
export function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // a circular YAML alias
  }
  if (text === undefined) text = Array.isArray(value) ? '[a list]' : value !== null && typeof value === 'object' ? '{a mapping}' : String(value);
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)` : text;
}

/** Edit distance (insert, delete, substitute one character), case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/**
 * The known names nearest a wrong one (those at the least distance): within a few edits (about
 * a third of the name), or a known name the value starts with (`Cisco TFTP` for `Cisco TFTP\nutils system restart`).
 */
export function nearestNames(value: unknown, known: readonly string[], max = 3): string[] {
  if (typeof value !== 'string' || value.length > 200) return [];
  const lower = value.toLowerCase();
  const close = known
    .map((name) => ({ name, d: lower.startsWith(name.toLowerCase()) ? 0 : editDistance(value, name) }))
    .filter(({ name, d }) => d <= Math.max(2, Math.floor(name.length / 3)));
  const best = Math.min(...close.map((c) => c.d));
  return close
    .filter((c) => c.d === best)
    .map((c) => c.name)
    .sort()
    .slice(0, max);
}

/** `: did you mean 'x'?` (or `'x' or 'y'`), or nothing when no known name is close. */
export function didYouMean(value: unknown, known: readonly string[]): string {
  const near = nearestNames(value, known);
  return near.length === 0 ? '' : `: did you mean ${near.map((n) => `'${n}'`).join(' or ')}?`;
}

export function checkFqdn(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !FQDN.test(value)) {
    return `${prop} must be a fully qualified domain name such as 'cs-ccm-pub.example.com', got ${shown(value)}`;
  }
  return undefined;
}

/** Names that become Terraform stack and step ids: a letter, then letters, digits, '-' or '_'. */
export function checkName(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !NAME.test(value)) {
    return `${prop} must start with a letter and hold only letters, digits, '-' and '_' (at most 63), got ${shown(value)}`;
  }
  return undefined;
}

export function checkEnvName(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    // The value is not repeated: a user who typed the password here must not see it in a log.
    return `${prop} must name an environment variable (letters, digits, '_'), got ${typeof value === 'string' ? 'a value that is not a variable name (not shown)' : shown(value)}: put the secret in that variable, never in the declarations`;
  }
  return undefined;
}

export function checkOneOf(prop: string, value: unknown, allowed: readonly string[]): string | undefined {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return `${prop} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${shown(value)}${didYouMean(value, allowed)}`;
  }
  return undefined;
}

export function checkPort(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `${prop} must be a TCP port between 1 and 65535, got ${shown(value)}`;
  }
  return undefined;
}

export const DEFAULT_CREDENTIALS = { usernameEnv: 'UCROLLOUT_USERNAME', passwordEnv: 'UCROLLOUT_PASSWORD' } as const;
export const DEFAULT_VERSION = '15.0';
export const DEFAULT_CLEANUP_DELAY_SECONDS = 1800;
