import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostKeyPins, MAX_KNOWN_HOSTS_FILE_BYTES, judgeHostKey, knownHostKeys, recordFirstContact, sshFingerprint, sshKeyType } from '../../lib/drivers/host-keys';

// A key made with `ssh-keygen -t ed25519`; its fingerprint as `ssh-keygen -lf` printed it.
const KEY_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIIAhAVVgYQl08wUQjs1uIFWqjFqjbyI2IxS2plKgaY29';
const KEY = Buffer.from(KEY_B64, 'base64');
const FP = 'SHA256:y1VNKppu0YwxgSIowtn6O5dRs3pL4onpajbXeA5+WPw';
// The same host line after `ssh-keygen -H` (HashKnownHosts).
const HASHED = '|1|zia7GvQahP0ViwbY3Bag9/effTc=|9HDTvN8CeWhVyf8TveKw9/6Ha20= ssh-ed25519 ' + KEY_B64;
const OTHER = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

describe('SSH host key fingerprints', () => {
  it('prints what ssh-keygen -lf prints', () => {
    expect(sshFingerprint(KEY)).toBe(FP);
    expect(sshKeyType(KEY)).toBe('ssh-ed25519');
  });

  it('finds known_hosts lines by FQDN: plain, [host]:port, lists, hashed; case-insensitive', () => {
    const text = [
      '# comment',
      `cs-ccm-pub.example.com ssh-ed25519 ${KEY_B64}`,
      `[CS-CCM-PUB.example.com]:2222 ssh-ed25519 ${KEY_B64}`,
      `a.example.com,cs-ccm-pub.example.com ssh-ed25519 ${KEY_B64}`,
      HASHED,
      `cs-ccm-sub.example.com ssh-ed25519 ${KEY_B64}`,
      '@cert-authority *.example.com ssh-ed25519 ' + KEY_B64,
    ].join('\n');
    const keys = knownHostKeys(text, 'cs-ccm-pub.example.com', 'kh');
    expect(keys.map((k) => k.source)).toEqual(['kh:2', 'kh:3', 'kh:4', 'kh:5']);
    expect(new Set(keys.map((k) => k.fingerprint))).toEqual(new Set([FP]));
  });
});

describe('judgeHostKey', () => {
  it('accepts a pinned key from the plan or a known_hosts file', () => {
    const pins = new HostKeyPins('cs-ccm-pub.example.com');
    pins.addFingerprints([FP], 'plan');
    expect(judgeHostKey(pins, KEY, false)).toEqual({ accepted: true, fingerprint: FP, firstContact: false });

    const dir = mkdtempSync(join(tmpdir(), 'hk-'));
    writeFileSync(join(dir, 'known_hosts'), `cs-ccm-pub.example.com ssh-ed25519 ${KEY_B64}\n`);
    const fromFile = new HostKeyPins('cs-ccm-pub.example.com');
    fromFile.addKnownHostsFile(join(dir, 'known_hosts'));
    expect(judgeHostKey(fromFile, KEY, false).accepted).toBe(true);
  });

  it('refuses a mismatching key even with --insecure-first-contact, naming both fingerprints', () => {
    const pins = new HostKeyPins('cs-ccm-pub.example.com');
    pins.addFingerprints([OTHER], 'plan');
    const v = judgeHostKey(pins, KEY, true);
    expect(v.accepted).toBe(false);
    expect(v.accepted ? '' : v.reason).toMatch(/ssh-ed25519 SHA256:y1VNKppu.*does not match.*SHA256:nThbg6kX/);
  });

  it('refuses an unpinned node unless first contact is allowed, and records it then', () => {
    const pins = new HostKeyPins('cs-ccm-pub.example.com');
    const refused = judgeHostKey(pins, KEY, false);
    expect(refused.accepted ? '' : refused.reason).toMatch(/is not pinned.*--insecure-first-contact/);
    expect(judgeHostKey(pins, KEY, true)).toMatchObject({ accepted: true, firstContact: true });

    const file = join(mkdtempSync(join(tmpdir(), 'hk-')), 'sub', 'known_hosts');
    recordFirstContact(file, 'CS-CCM-PUB.example.com', KEY);
    expect(readFileSync(file, 'utf8')).toBe(`cs-ccm-pub.example.com ssh-ed25519 ${KEY_B64}\n`);
    const again = new HostKeyPins('cs-ccm-pub.example.com');
    again.addOptionalKnownHostsFile(file);
    expect(judgeHostKey(again, KEY, false).accepted).toBe(true);
  });

  it('rejects a malformed pin with the expected form', () => {
    const pins = new HostKeyPins('n.example.com');
    expect(() => pins.addFingerprints(['MD5:aa:bb'], 'plan')).toThrow(/not a SHA-256 fingerprint.*ssh-keygen -lf/);
  });

  it('names a missing known_hosts file', () => {
    expect(() => new HostKeyPins('n.example.com').addKnownHostsFile('/nonexistent/kh')).toThrow(/Cannot read known_hosts file '\/nonexistent\/kh' \(ENOENT\)/);
  });
});

describe('known_hosts files', () => {
  it('one that is /dev/zero fails at once, naming the file and the cap, without filling memory', () => {
    const started = Date.now();
    expect(() => new HostKeyPins('n.example.com').addKnownHostsFile('/dev/zero', 'cluster knownHostsFile /dev/zero')).toThrow(
      `known_hosts file 'cluster knownHostsFile /dev/zero' is larger than ${MAX_KNOWN_HOSTS_FILE_BYTES} bytes (16 MiB), more than any known_hosts file holds: check the path`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
