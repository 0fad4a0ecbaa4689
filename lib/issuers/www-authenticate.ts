/**
 * What a 401 offers (RFC 9110 §11.6.1): the schemes of its WWW-Authenticate headers, and the
 * token a scheme carries (`NTLM <base64>`). Several headers arrive joined by commas; a scheme
 * is a token not followed by '=' (that would be a parameter of the previous one).
 */
import type { IncomingHttpHeaders } from 'node:http';

function joined(headers: IncomingHttpHeaders): string {
  return ([] as string[]).concat(headers['www-authenticate'] ?? []).join(', ');
}

export function offeredSchemes(headers: IncomingHttpHeaders): string[] {
  return [...joined(headers).matchAll(/(?:^|,)\s*([A-Za-z][A-Za-z0-9._~+/-]*)(?=\s|,|$)/g)].map((m) => m[1]);
}

export function offers(headers: IncomingHttpHeaders, scheme: string): boolean {
  return offeredSchemes(headers).some((s) => s.toLowerCase() === scheme.toLowerCase());
}

/** The token68 after `scheme` (base64), decoded; undefined when the scheme came bare. */
export function schemeToken(headers: IncomingHttpHeaders, scheme: string): Buffer | undefined {
  for (const m of joined(headers).matchAll(/(?:^|,)\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s+([A-Za-z0-9+/]+=*)\s*(?=,|$)/g)) {
    if (m[1].toLowerCase() === scheme.toLowerCase()) return Buffer.from(m[2], 'base64');
  }
  return undefined;
}
