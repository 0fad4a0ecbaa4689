/**
 * One normalizer from an issuer description (inventory entry or construct props) to its
 * declaration: every field's type checked before it is used, every problem named by its path
 * (`issuers[1].vault.tokenEnv`), all of them in one DeclarationError.
 */
import { checkList, checkMapping, checkPath, isMapping, unknownKeys } from '../inventory/input-checks';
import { DeclarationError, checkEnvName, checkName, shown, throwIfProblems } from '../model';
import { ADCS_AUTHENTICATIONS, AdcsAuthentication, ISSUER_KINDS, IssuerDecl, IssuerInput, IssuerKind } from './types';

type Problems = (string | undefined)[];

const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}$/;
const MOUNT = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const ROLE = /^[A-Za-z0-9_.-]{1,128}$/;
const TTL = /^\d{1,9}[smhd]?$/;
/** A NetBIOS or DNS domain name. */
const DOMAIN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

const EXAMPLE: Readonly<Record<IssuerKind, string>> = {
  acme: "{ directory: 'https://acme.corp.example/dir', email: pki@corp.example, caBundle: ca/acme-tls.pem, dns01Hook: ./dns-hook.sh }",
  adcs: "{ url: 'https://ca.corp.example/certsrv', template: CUCMWebServer, caBundle: ca/adcs-tls.pem, credentials: { usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD } }",
  vault: "{ address: 'https://vault.corp.example:8200', mount: pki, role: cucm, tokenEnv: VAULT_TOKEN, caBundle: ca/vault-tls.pem }",
  command: '{ run: [./sign-with-step.sh, --profile, uc] }',
  lab: '{ ca: lab-ca }',
};
/** The keys each issuer kind takes (the inventory schema lists the same: test/inventory-schema). */
export const ISSUER_KEYS: Readonly<Record<IssuerKind, readonly string[]>> = {
  acme: ['directory', 'email', 'caBundle', 'dns01Hook', 'dns01PropagationSeconds', 'externalAccountBinding'],
  adcs: ['url', 'template', 'caBundle', 'authentication', 'credentials'],
  vault: ['address', 'mount', 'role', 'tokenEnv', 'caBundle', 'ttl', 'namespace'],
  command: ['run', 'secretEnv'],
  lab: ['ca', 'days'],
};

/**
 * Checks one issuer description and returns its declaration; throws DeclarationError with every
 * problem, each named `<at>.<field path>` (`issuers[0].acme.directory`, `AcmeIssuer 'corp'.directory`).
 */
export function buildIssuer(input: IssuerInput, at: string): IssuerDecl {
  const { decl, problems } = readIssuer(input, at);
  throwIfProblems(problems);
  return decl!;
}

/** The inventory's `issuers:` list: each entry checked, and every name declared once. */
export function buildIssuers(input: unknown, at = 'issuers'): IssuerDecl[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) {
    throw new DeclarationError([`${at} must be a list of issuers such as [{ name: corp-acme, acme: ${EXAMPLE.acme} }], got ${shown(input)}`]);
  }
  const problems: Problems = [];
  const decls: IssuerDecl[] = [];
  const seen = new Map<string, number>();
  input.forEach((entry, i) => {
    const r = readIssuer(entry as IssuerInput, `${at}[${i}]`);
    problems.push(...r.problems);
    if (!r.decl) return;
    const key = r.decl.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${at}[${i}].name: issuer '${r.decl.name}' is declared twice (also ${at}[${first}]): give each issuer its own name`);
    else seen.set(key, i);
    decls.push(r.decl);
  });
  throwIfProblems(problems);
  return decls;
}

function readIssuer(input: unknown, at: string): { decl?: IssuerDecl; problems: Problems } {
  if (!isMapping(input)) {
    return { problems: [`${at} must be an issuer such as { name: corp-acme, acme: ${EXAMPLE.acme} }, got ${shown(input)}`] };
  }
  const problems: Problems = [checkName(`${at}.name`, input.name), ...unknownKeys(input, ['name', ...ISSUER_KINDS], at)];
  const kinds = ISSUER_KINDS.filter((k) => input[k] !== undefined);
  if (kinds.length === 0) {
    problems.push(`${at} names no kind of issuer: give one of ${ISSUER_KINDS.join(', ')}, e.g. acme: ${EXAMPLE.acme}`);
    return { problems };
  }
  if (kinds.length > 1) {
    problems.push(`${at} has ${kinds.join(' and ')}: an issuer is of one kind; declare one issuer per CA`);
    return { problems };
  }
  const kind = kinds[0];
  const body = input[kind];
  const where = `${at}.${kind}`;
  if (!isMapping(body)) {
    problems.push(`${where} must be a mapping such as ${EXAMPLE[kind]}, got ${shown(body)}`);
    return { problems };
  }
  problems.push(...unknownKeys(body, ISSUER_KEYS[kind], where));
  const decl = READERS[kind](body, where, problems, input.name as string);
  return { decl: problems.some(Boolean) ? undefined : decl, problems };
}

type Reader = (b: Record<string, unknown>, at: string, problems: Problems, name: string) => IssuerDecl;

const READERS: Readonly<Record<IssuerKind, Reader>> = {
  acme(b, at, problems, name) {
    const eab = b.externalAccountBinding;
    problems.push(
      checkHttpsUrl(`${at}.directory`, b.directory, 'https://acme.corp.example/dir'),
      b.email === undefined || (typeof b.email === 'string' && EMAIL.test(b.email)) ? undefined : `${at}.email must be an e-mail address such as 'pki@corp.example', got ${shown(b.email)}`,
      optionalPath(`${at}.caBundle`, b.caBundle),
      ...checkCommand(`${at}.dns01Hook`, b.dns01Hook, true),
      checkWhole(`${at}.dns01PropagationSeconds`, b.dns01PropagationSeconds, 0, 3600, 'seconds'),
      checkMapping(`${at}.externalAccountBinding`, eab, '{ kid: <key id from the CA>, hmacEnv: ACME_EAB_HMAC }', true),
      ...unknownKeys(eab, ['kid', 'hmacEnv'], `${at}.externalAccountBinding`),
    );
    if (isMapping(eab)) {
      problems.push(
        checkText(`${at}.externalAccountBinding.kid`, eab.kid, 'the key id the CA gave for the account', 256),
        checkEnvName(`${at}.externalAccountBinding.hmacEnv`, eab.hmacEnv),
      );
    }
    return {
      kind: 'acme',
      name,
      directory: b.directory as string,
      ...(b.email !== undefined ? { email: b.email as string } : {}),
      ...(b.caBundle !== undefined ? { caBundle: b.caBundle as string } : {}),
      dns01Hook: typeof b.dns01Hook === 'string' ? [b.dns01Hook] : [...((b.dns01Hook as string[] | undefined) ?? [])],
      ...(b.dns01PropagationSeconds !== undefined ? { dns01PropagationSeconds: b.dns01PropagationSeconds as number } : {}),
      ...(isMapping(eab) ? { externalAccountBinding: { kid: eab.kid as string, hmacEnv: eab.hmacEnv as string } } : {}),
    };
  },
  adcs(b, at, problems, name) {
    const creds = b.credentials;
    problems.push(
      checkHttpsUrl(`${at}.url`, b.url, 'https://ca.corp.example/certsrv'),
      checkText(`${at}.template`, b.template, "the certificate template's name, such as CUCMWebServer", 256),
      optionalPath(`${at}.caBundle`, b.caBundle),
      creds === undefined
        ? `${at}.credentials is missing: give { usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD }, the variables holding the enrollment account`
        : checkMapping(`${at}.credentials`, creds, '{ usernameEnv: ADCS_USER, passwordEnv: ADCS_PASSWORD }', true),
      ...unknownKeys(creds, ['usernameEnv', 'passwordEnv', 'domain'], `${at}.credentials`),
      b.authentication === undefined || ADCS_AUTHENTICATIONS.includes(b.authentication as AdcsAuthentication)
        ? undefined
        : `${at}.authentication must be one of ${ADCS_AUTHENTICATIONS.join(', ')} (ntlm: the Windows Authentication IIS offers), got ${shown(b.authentication)}`,
    );
    if (isMapping(creds)) {
      problems.push(
        checkEnvName(`${at}.credentials.usernameEnv`, creds.usernameEnv),
        checkEnvName(`${at}.credentials.passwordEnv`, creds.passwordEnv),
        creds.domain === undefined ? undefined : checkPattern(`${at}.credentials.domain`, creds.domain, DOMAIN, "the account's domain such as 'CORP' or 'corp.example'"),
      );
    }
    const c = isMapping(creds) ? creds : {};
    return {
      kind: 'adcs',
      name,
      url: b.url as string,
      template: b.template as string,
      ...(b.caBundle !== undefined ? { caBundle: b.caBundle as string } : {}),
      ...(b.authentication !== undefined ? { authentication: b.authentication as AdcsAuthentication } : {}),
      credentials: { usernameEnv: c.usernameEnv as string, passwordEnv: c.passwordEnv as string, ...(c.domain !== undefined ? { domain: c.domain as string } : {}) },
    };
  },
  vault(b, at, problems, name) {
    problems.push(
      checkHttpsUrl(`${at}.address`, b.address, 'https://vault.corp.example:8200'),
      checkPattern(`${at}.mount`, b.mount, MOUNT, "the PKI engine's mount path such as 'pki' or 'pki/int' (no leading or trailing '/')"),
      checkPattern(`${at}.role`, b.role, ROLE, "the role's name such as 'cucm'"),
      checkEnvName(`${at}.tokenEnv`, b.tokenEnv),
      optionalPath(`${at}.caBundle`, b.caBundle),
      b.ttl === undefined ? undefined : checkPattern(`${at}.ttl`, b.ttl, TTL, "a lifetime such as '8760h' or '90d'"),
      b.namespace === undefined ? undefined : checkPattern(`${at}.namespace`, b.namespace, MOUNT, "a namespace such as 'uc' or 'corp/uc'"),
    );
    for (const field of ['mount', 'namespace'] as const) {
      const v = b[field];
      if (typeof v === 'string' && v.split('/').some((s) => s === '.' || s === '..')) problems.push(`${at}.${field} must not hold '.' or '..' segments, got ${shown(v)}`);
    }
    return {
      kind: 'vault',
      name,
      address: b.address as string,
      mount: b.mount as string,
      role: b.role as string,
      tokenEnv: b.tokenEnv as string,
      ...(b.caBundle !== undefined ? { caBundle: b.caBundle as string } : {}),
      ...(b.ttl !== undefined ? { ttl: b.ttl as string } : {}),
      ...(b.namespace !== undefined ? { namespace: b.namespace as string } : {}),
    };
  },
  command(b, at, problems, name) {
    problems.push(...checkCommand(`${at}.run`, b.run, false), checkList(`${at}.secretEnv`, b.secretEnv, 'variable names such as [STEP_PASSWORD]'));
    if (Array.isArray(b.secretEnv)) b.secretEnv.forEach((v, i) => problems.push(checkEnvName(`${at}.secretEnv[${i}]`, v)));
    return {
      kind: 'command',
      name,
      run: [...((b.run as string[] | undefined) ?? [])],
      ...(Array.isArray(b.secretEnv) ? { secretEnv: [...(b.secretEnv as string[])] } : {}),
    };
  },
  lab(b, at, problems, name) {
    problems.push(
      b.ca === undefined ? `${at}.ca is missing: give the lab CA's folder ('ucrollout ca init --out lab-ca')` : checkPath(`${at}.ca`, b.ca),
      checkWhole(`${at}.days`, b.days, 1, 3650, 'days'),
    );
    return { kind: 'lab', name, ca: b.ca as string, ...(b.days !== undefined ? { days: b.days as number } : {}) };
  },
};

/** An https URL without user name or password (those go in variables): a value with them is not repeated. */
function checkHttpsUrl(prop: string, value: unknown, example: string): string | undefined {
  const fix = `${prop} must be an https URL such as '${example}'`;
  if (typeof value !== 'string' || value.length > 2048 || CONTROL.test(value) || /\s/.test(value)) return `${fix}, got ${shown(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${fix}, got ${shown(value)}`;
  }
  if (url.username || url.password) return `${prop} must not hold a user name or password (the value is not shown): name the variables that hold them instead`;
  if (url.protocol !== 'https:') return `${fix} (secrets and certificates travel over it, so verified TLS is required), got ${shown(value)}`;
  if (url.search || url.hash) return `${fix}, without a query or fragment, got ${shown(value)}`;
  return undefined;
}

function optionalPath(prop: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkPath(prop, value);
}

function checkText(prop: string, value: unknown, what: string, max: number): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= max && !CONTROL.test(value)) return undefined;
  return `${prop} must be ${what}: one line of at most ${max} characters, got ${shown(value)}`;
}

function checkPattern(prop: string, value: unknown, pattern: RegExp, what: string): string | undefined {
  if (typeof value === 'string' && pattern.test(value)) return undefined;
  return `${prop} must be ${what}, got ${shown(value)}`;
}

function checkWhole(prop: string, value: unknown, min: number, max: number, unit: string): string | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) return undefined;
  return `${prop} must be a whole number of ${unit} from ${min} to ${max}, got ${shown(value)}`;
}

/** A program and its arguments, started without a shell: a list (or, where `single` allows it, one path). */
function checkCommand(prop: string, value: unknown, single: boolean): string[] {
  const example = single ? "a program such as './dns-hook.sh', or a list [program, arguments…]" : "a list [program, arguments…] such as [./sign-with-step.sh, --profile, uc]";
  if (value === undefined) return [`${prop} is missing: give ${example}`];
  if (single && typeof value === 'string') return [checkPath(prop, value)].filter((p): p is string => !!p);
  if (!Array.isArray(value) || value.length === 0) {
    const why = typeof value === 'string' ? ' (it is started without a shell, so a command line is not split into words)' : '';
    return [`${prop} must be ${example}${why}, got ${shown(value)}`];
  }
  return value
    .map((arg, i) =>
      i === 0
        ? checkPath(`${prop}[0]`, arg)
        : typeof arg === 'string' && arg.length <= 4096 && !CONTROL.test(arg)
          ? undefined
          : `${prop}[${i}] must be one argument: text of at most 4096 characters without control characters, got ${shown(arg)}`,
    )
    .filter((p): p is string => !!p);
}
