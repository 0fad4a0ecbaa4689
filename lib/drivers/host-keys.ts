/**
 * SSH host key pinning. A node's key must match one of its pins: fingerprints in the plan
 * (`SHA256:<base64>` as `ssh-keygen -lf` prints), or known_hosts lines for its FQDN (the
 * cluster's file, the resolve map's). Anything else stops the step.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readBounded } from '../pki/bounded-read';
import { DriverConfigError } from './errors';

/** A known_hosts line is well under 1 KiB: tens of thousands of hosts fit in this. */
export const MAX_KNOWN_HOSTS_FILE_BYTES = 16 * 1024 * 1024;

/** `SHA256:<base64 without padding>` of a raw SSH public key blob, as ssh-keygen prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`). */
export function sshKeyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && len < 64 && keyBlob.length >= 4 + len ? keyBlob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

export interface KnownHostKey {
  readonly type: string;
  readonly fingerprint: string;
  /** The file and line it came from, for messages. */
  readonly source: string;
}

/** Keys of known_hosts lines whose host field names `fqdn` (plain, `[fqdn]:port`, or hashed `|1|…`). */
export function knownHostKeys(text: string, fqdn: string, sourceName: string): KnownHostKey[] {
  const want = fqdn.toLowerCase();
  const found: KnownHostKey[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    // Markers (@cert-authority, @revoked) need CA support we do not have: skip them.
    if (!line || line.startsWith('#') || line.startsWith('@')) return;
    const [hosts, type, b64] = line.split(/\s+/);
    if (!hosts || !type || !b64 || !hostFieldMatches(hosts, want)) return;
    const blob = Buffer.from(b64, 'base64');
    if (blob.length === 0) return;
    found.push({ type, fingerprint: sshFingerprint(blob), source: `${sourceName}:${i + 1}` });
  });
  return found;
}

function hostFieldMatches(field: string, fqdn: string): boolean {
  return field.split(',').some((pattern) => {
    if (pattern.startsWith('|1|')) return hashedMatches(pattern, fqdn);
    const p = pattern.toLowerCase();
    return p === fqdn || /^\[(.+)\]:\d+$/.exec(p)?.[1] === fqdn;
  });
}

/** OpenSSH HashKnownHosts: `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`. */
function hashedMatches(pattern: string, fqdn: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(fqdn).digest('base64');
  return mac === hash;
}

/** Every pin of one node, gathered from all sources. */
export class HostKeyPins {
  readonly fingerprints = new Set<string>();
  readonly sources: string[] = [];

  constructor(readonly fqdn: string) {}

  addFingerprints(values: readonly string[], source: string): void {
    for (const v of values) {
      if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v)) {
        throw new DriverConfigError(
          `SSH host key pin '${v}' of ${this.fqdn} (${source}) is not a SHA-256 fingerprint: write it as 'ssh-keygen -lf' prints it, e.g. SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8`,
        );
      }
      this.fingerprints.add(v.replace(/=$/, ''));
    }
    if (values.length > 0) this.sources.push(source);
  }

  /** known_hosts file; a missing file is a configuration error since the plan or resolve map names it. */
  addKnownHostsFile(path: string, shownAs = path): void {
    let text: string;
    try {
      text = readBounded(path, MAX_KNOWN_HOSTS_FILE_BYTES).toString('utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EFBIG') {
        throw new DriverConfigError(
          `known_hosts file '${shownAs}' is larger than ${MAX_KNOWN_HOSTS_FILE_BYTES} bytes (${MAX_KNOWN_HOSTS_FILE_BYTES / 1024 / 1024} MiB), more than any known_hosts file holds: check the path`,
        );
      }
      throw new DriverConfigError(`Cannot read known_hosts file '${shownAs}' (${code ?? (e as Error).message}): fix the path or write the file`);
    }
    const keys = knownHostKeys(text, this.fqdn, shownAs);
    for (const k of keys) this.fingerprints.add(k.fingerprint);
    if (keys.length > 0) this.sources.push(shownAs);
  }

  /** Optional known_hosts file (the first-contact record): silently absent. */
  addOptionalKnownHostsFile(path: string): void {
    if (existsSync(path)) this.addKnownHostsFile(path);
  }

  get empty(): boolean {
    return this.fingerprints.size === 0;
  }
}

export type HostKeyVerdict =
  | { readonly accepted: true; readonly fingerprint: string; readonly firstContact: boolean }
  | { readonly accepted: false; readonly fingerprint: string; readonly type: string; readonly reason: string };

/**
 * Decide on the key a node presented. An unknown node is accepted only with
 * `insecureFirstContact`; a node with pins that presents another key never is.
 */
export function judgeHostKey(pins: HostKeyPins, keyBlob: Buffer, insecureFirstContact: boolean): HostKeyVerdict {
  const fingerprint = sshFingerprint(keyBlob);
  const type = sshKeyType(keyBlob);
  if (pins.fingerprints.has(fingerprint)) return { accepted: true, fingerprint, firstContact: false };
  if (pins.empty && insecureFirstContact) return { accepted: true, fingerprint, firstContact: true };
  const reason = pins.empty
    ? `SSH host key ${type} ${fingerprint} is not pinned: no fingerprint in the plan's sshHostKeys and no known_hosts line for this FQDN. Confirm the fingerprint with the node's administrator, then add it to the node's sshHostKeys or the cluster's knownHostsFile (or run once with --insecure-first-contact to record it)`
    : `SSH host key ${type} ${fingerprint} does not match the pinned key(s) ${[...pins.fingerprints].join(', ')} (from ${pins.sources.join(', ')}): the node may be impersonated, or its key was regenerated. Verify on the node's console before updating the pin`;
  return { accepted: false, fingerprint, type, reason };
}

/** Record an accepted first-contact key as a known_hosts line (`<fqdn> <type> <base64>`). */
export function recordFirstContact(file: string, fqdn: string, keyBlob: Buffer): void {
  // The state folder: 0700, like the rest of plan.state/.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  appendFileSync(file, `${fqdn.toLowerCase()} ${sshKeyType(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
