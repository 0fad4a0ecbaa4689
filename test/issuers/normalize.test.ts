import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IssuerInput, buildIssuer, buildIssuers } from '../../lib/issuers';
import { DeclarationError } from '../../lib/model';

const INVENTORY = `
issuers:
  - { name: corp-acme,  acme:    { directory: "https://acme.corp.example/dir", email: pki@corp.example, caBundle: ca/acme-tls.pem, dns01Hook: ./dns-hook.sh } }
  - { name: corp-adcs,  adcs:    { url: "https://ca.corp.example/certsrv", template: CUCMWebServer, caBundle: ca/adcs-tls.pem, credentials: { usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD } } }
  - { name: corp-vault, vault:   { address: "https://vault.corp.example:8200", mount: pki, role: cucm, tokenEnv: VAULT_TOKEN, caBundle: ca/vault-tls.pem } }
  - { name: corp-cmd,   command: { run: [./sign-with-step.sh, "--profile", "uc"] } }
  - { name: lab,        lab:     { ca: lab-ca } }
`;

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DeclarationError);
    return [...(e as DeclarationError).problems];
  }
  throw new Error('expected a DeclarationError');
}

describe('buildIssuers', () => {
  it("reads the issue's inventory example into one declaration per kind", () => {
    // GIVEN the inventory form of issue 9
    const input = (parse(INVENTORY) as { issuers: unknown }).issuers;
    // WHEN it is normalized
    const decls = buildIssuers(input);
    // THEN each entry is a plain declaration with its kind, paths as declared
    expect(decls).toEqual([
      { kind: 'acme', name: 'corp-acme', directory: 'https://acme.corp.example/dir', email: 'pki@corp.example', caBundle: 'ca/acme-tls.pem', dns01Hook: ['./dns-hook.sh'] },
      {
        kind: 'adcs',
        name: 'corp-adcs',
        url: 'https://ca.corp.example/certsrv',
        template: 'CUCMWebServer',
        caBundle: 'ca/adcs-tls.pem',
        credentials: { usernameEnv: 'ADCS_USER', passwordEnv: 'ADCS_PASSWORD' },
      },
      { kind: 'vault', name: 'corp-vault', address: 'https://vault.corp.example:8200', mount: 'pki', role: 'cucm', tokenEnv: 'VAULT_TOKEN', caBundle: 'ca/vault-tls.pem' },
      { kind: 'command', name: 'corp-cmd', run: ['./sign-with-step.sh', '--profile', 'uc'] },
      { kind: 'lab', name: 'lab', ca: 'lab-ca' },
    ]);
  });

  it('keeps the optional fields: external account binding, propagation wait, ttl, namespace, secretEnv, days', () => {
    const decls = buildIssuers([
      { name: 'a', acme: { directory: 'https://a.example/dir', dns01Hook: ['./hook', '--zone', 'corp'], dns01PropagationSeconds: 30, externalAccountBinding: { kid: 'kid-1', hmacEnv: 'EAB_HMAC' } } },
      { name: 'v', vault: { address: 'https://v.example', mount: 'pki/int', role: 'cucm', tokenEnv: 'T', ttl: '8760h', namespace: 'uc' } },
      { name: 'c', command: { run: ['step'], secretEnv: ['STEP_PASSWORD'] } },
      { name: 'l', lab: { ca: '/abs/lab-ca', days: 30 } },
    ]);
    expect(decls[0]).toMatchObject({ dns01Hook: ['./hook', '--zone', 'corp'], dns01PropagationSeconds: 30, externalAccountBinding: { kid: 'kid-1', hmacEnv: 'EAB_HMAC' } });
    expect(decls[1]).toMatchObject({ mount: 'pki/int', ttl: '8760h', namespace: 'uc' });
    expect(decls[2]).toMatchObject({ run: ['step'], secretEnv: ['STEP_PASSWORD'] });
    expect(decls[3]).toMatchObject({ ca: '/abs/lab-ca', days: 30 });
  });

  it('refuses a name declared twice, naming both entries', () => {
    const p = problems(() => buildIssuers([{ name: 'corp', lab: { ca: 'a' } }, { name: 'Corp', lab: { ca: 'b' } }]));
    expect(p).toEqual(["issuers[1].name: issuer 'Corp' is declared twice (also issuers[0]): give each issuer its own name"]);
  });

  it('refuses what is not a list, and reads an absent list as none', () => {
    expect(buildIssuers(undefined)).toEqual([]);
    expect(problems(() => buildIssuers({ name: 'x' }))[0]).toMatch(/^issuers must be a list of issuers/);
  });

  it('collects the problems of every entry into one error', () => {
    const p = problems(() => buildIssuers([{ name: '1bad', lab: { ca: 'x' } }, { name: 'ok', vault: { address: 'https://v', mount: 'pki', role: 'r' } }]));
    expect(p).toEqual([expect.stringMatching(/^issuers\[0\]\.name must start with a letter/), expect.stringMatching(/^issuers\[1\]\.vault\.tokenEnv must name an environment variable/)]);
  });
});

describe('buildIssuer', () => {
  const at = 'issuers[0]';
  const build = (input: unknown) => buildIssuer(input as IssuerInput, at);

  it('names the kinds when none is given, and refuses two', () => {
    expect(problems(() => build({ name: 'x' }))).toEqual([expect.stringMatching(/^issuers\[0\] names no kind of issuer: give one of acme, adcs, vault, command, lab/)]);
    expect(problems(() => build({ name: 'x', acme: {}, vault: {} }))).toEqual(['issuers[0] has acme and vault: an issuer is of one kind; declare one issuer per CA']);
  });

  it('refuses an entry that is not a mapping, and a kind that is not one', () => {
    expect(problems(() => build('corp-acme'))[0]).toMatch(/^issuers\[0\] must be an issuer such as \{ name: corp-acme, acme: /);
    expect(problems(() => build({ name: 'x', lab: 'lab-ca' }))[0]).toBe("issuers[0].lab must be a mapping such as { ca: lab-ca }, got \"lab-ca\"");
  });

  it('names misspelt keys at their path', () => {
    const p = problems(() => build({ name: 'x', vault: { address: 'https://v', mount: 'pki', role: 'r', tokenEnv: 'T', tokenenv: 'U' }, extra: 1 }));
    expect(p).toEqual([
      "issuers[0]: unknown key 'extra': use name, acme, adcs, vault, command, lab",
      "issuers[0].vault: unknown key 'tokenenv': use address, mount, role, tokenEnv, caBundle, ttl, namespace",
    ]);
  });

  it('type-checks every acme field', () => {
    const p = problems(() =>
      build({ name: 'a', acme: { directory: 'http://acme.example/dir', email: 'not-an-email', caBundle: 7, dns01Hook: './hook present', dns01PropagationSeconds: -1, externalAccountBinding: { kid: '', hmacEnv: 'a secret value' } } }),
    );
    expect(p).toEqual([
      expect.stringMatching(/^issuers\[0\]\.acme\.directory must be an https URL such as 'https:\/\/acme\.corp\.example\/dir' \(secrets and certificates travel over it/),
      "issuers[0].acme.email must be an e-mail address such as 'pki@corp.example', got \"not-an-email\"",
      expect.stringMatching(/^issuers\[0\]\.acme\.caBundle must be a file path/),
      'issuers[0].acme.dns01PropagationSeconds must be a whole number of seconds from 0 to 3600, got -1',
      expect.stringMatching(/^issuers\[0\]\.acme\.externalAccountBinding\.kid must be the key id the CA gave/),
      expect.stringMatching(/^issuers\[0\]\.acme\.externalAccountBinding\.hmacEnv must name an environment variable .*\(not shown\)/),
    ]);
    // A one-string hook is a program path (with a space in it), not a command line: accepted as a path.
    expect(build({ name: 'a', acme: { directory: 'https://a/dir', dns01Hook: './my hook.sh' } })).toMatchObject({ dns01Hook: ['./my hook.sh'] });
  });

  it('requires the dns01Hook, and refuses an empty list', () => {
    expect(problems(() => build({ name: 'a', acme: { directory: 'https://a/dir' } }))).toEqual([expect.stringMatching(/^issuers\[0\]\.acme\.dns01Hook is missing: give a program such as '\.\/dns-hook\.sh'/)]);
    expect(problems(() => build({ name: 'a', acme: { directory: 'https://a/dir', dns01Hook: [] } }))[0]).toMatch(/^issuers\[0\]\.acme\.dns01Hook must be a program/);
  });

  it('never repeats a URL that holds a password, nor a value typed where a variable name goes', () => {
    const p = problems(() => build({ name: 'x', adcs: { url: 'https://svc:Hunter2Secret@ca.example/certsrv', template: 'T', credentials: { usernameEnv: 'U', passwordEnv: 'Hunter2Secret!' } } }));
    expect(p).toEqual([
      'issuers[0].adcs.url must not hold a user name or password (the value is not shown): name the variables that hold them instead',
      expect.stringMatching(/^issuers\[0\]\.adcs\.credentials\.passwordEnv must name an environment variable/),
    ]);
    expect(p.join('\n')).not.toContain('Hunter2Secret');
  });

  it('requires the adcs credentials, and a template on one line', () => {
    const p = problems(() => build({ name: 'x', adcs: { url: 'https://ca/certsrv', template: 'CUCM\nSAN:dns=evil.example' } }));
    expect(p).toEqual([
      expect.stringMatching(/^issuers\[0\]\.adcs\.template must be the certificate template's name, such as CUCMWebServer: one line/),
      expect.stringMatching(/^issuers\[0\]\.adcs\.credentials is missing: give \{ usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD \}/),
    ]);
  });

  it('reads the adcs authentication (basic or ntlm) and the account domain, and refuses other values', () => {
    const adcs = (extra: Record<string, unknown>, creds: Record<string, unknown> = {}) =>
      ({ name: 'x', adcs: { url: 'https://ca/certsrv', template: 'T', ...extra, credentials: { usernameEnv: 'U', passwordEnv: 'P', ...creds } } }) as unknown as IssuerInput;
    expect(build(adcs({ authentication: 'ntlm' }, { domain: 'CORP' }))).toMatchObject({ authentication: 'ntlm', credentials: { usernameEnv: 'U', passwordEnv: 'P', domain: 'CORP' } });
    // left out: Basic, as before, and no field in the declaration (plans stay as they were)
    expect(build(adcs({}))).not.toHaveProperty('authentication');
    expect(problems(() => build(adcs({ authentication: 'kerberos' }, { domain: 'CORP\\x' })))).toEqual([
      "issuers[0].adcs.authentication must be one of basic, ntlm (ntlm: the Windows Authentication IIS offers), got \"kerberos\"",
      expect.stringMatching(/^issuers\[0\]\.adcs\.credentials\.domain must be the account's domain such as 'CORP' or 'corp\.example'/),
    ]);
  });

  it('checks the vault mount, role and ttl shapes', () => {
    const p = problems(() => build({ name: 'v', vault: { address: 'https://v', mount: '/pki/', role: 'a/b', tokenEnv: 'T', ttl: '1 year', namespace: '../x' } }));
    expect(p).toEqual([
      expect.stringMatching(/^issuers\[0\]\.vault\.mount must be the PKI engine's mount path/),
      expect.stringMatching(/^issuers\[0\]\.vault\.role must be the role's name/),
      expect.stringMatching(/^issuers\[0\]\.vault\.ttl must be a lifetime such as '8760h'/),
      'issuers[0].vault.namespace must not hold \'.\' or \'..\' segments, got "../x"',
    ]);
    expect(problems(() => build({ name: 'v', vault: { address: 'https://v', mount: 'pki/../sys', role: 'r', tokenEnv: 'T' } }))).toEqual([
      "issuers[0].vault.mount must not hold '.' or '..' segments, got \"pki/../sys\"",
    ]);
  });

  it('wants the command as an argument list: a command line would need a shell', () => {
    expect(problems(() => build({ name: 'c', command: { run: './sign.sh --profile uc' } }))[0]).toMatch(
      /^issuers\[0\]\.command\.run must be a list \[program, arguments…\] .*\(it is started without a shell, so a command line is not split into words\)/,
    );
    expect(problems(() => build({ name: 'c', command: { run: ['./sign.sh', 3, 'a\nb'], secretEnv: 'X' } }))).toEqual([
      'issuers[0].command.run[1] must be one argument: text of at most 4096 characters without control characters, got 3',
      'issuers[0].command.run[2] must be one argument: text of at most 4096 characters without control characters, got "a\\nb"',
      'issuers[0].command.secretEnv must be a list of variable names such as [STEP_PASSWORD], got "X"',
    ]);
  });

  it('checks the lab folder and days', () => {
    expect(problems(() => build({ name: 'l', lab: { days: 0 } }))).toEqual([
      "issuers[0].lab.ca is missing: give the lab CA's folder ('ucrollout ca init --out lab-ca')",
      'issuers[0].lab.days must be a whole number of days from 1 to 3650, got 0',
    ]);
  });
});
