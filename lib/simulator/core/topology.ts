/**
 * Addressing every platform's twin shares: each node on the next loopback address, SSH on
 * 2222 in standard mode where the declared port 22 would need privileges. Pure data, no I/O.
 */

export const STANDARD_SSH_PORT = 2222;

/** The SSH port standard mode listens on: the declared one, except 22 (privileged), which listens on 2222. */
export function standardSshPort(declared: number | undefined): number {
  return declared && declared !== 22 ? declared : STANDARD_SSH_PORT;
}

/** `127.0.0.2` + 3 → `127.0.0.5`, carrying into the next octet. */
export function nthAddress(base: string, n: number): string {
  const octets = base.split('.').map((o) => Number(o));
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`addressBase must be an IPv4 address such as 127.0.0.2, got '${base}'`);
  }
  const value = octets.reduce((acc, o) => acc * 256 + o, 0) + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
