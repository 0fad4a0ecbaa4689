/**
 * Issuer declarations: plain readonly data, as buildIssuer (normalize.ts) returns them from an
 * inventory entry or construct props. Paths are as declared (relative to the inventory's folder,
 * resolved at use); secrets are named (an environment variable), never held.
 */

export const ISSUER_KINDS = ['acme', 'adcs', 'vault', 'command', 'lab'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

interface IssuerDeclBase {
  /** The name certificates refer to (`issuer: corp-acme`): a letter, then letters, digits, '-' or '_'. */
  readonly name: string;
  readonly kind: IssuerKind;
}

/** External account binding (RFC 8555 §7.3.4): the key id the CA gave, and the variable holding its HMAC key (base64url). */
export interface AcmeExternalAccountBinding {
  readonly kid: string;
  readonly hmacEnv: string;
}

export interface AcmeIssuerDecl extends IssuerDeclBase {
  readonly kind: 'acme';
  /** The ACME directory URL (https). */
  readonly directory: string;
  /** Account contact, as `mailto:` on the account. @default - no contact */
  readonly email?: string;
  /** CA certificates (PEM file) the ACME server's HTTPS certificate is checked against. @default - the system's roots */
  readonly caBundle?: string;
  /**
   * The DNS-01 hook: program and leading arguments, called `<hook…> present|cleanup <fqdn> <value>`
   * (lego's exec provider), `<fqdn>` being `_acme-challenge.<name>.`; started without a shell in the
   * inventory's folder.
   */
  readonly dns01Hook: readonly string[];
  /** Seconds to wait after every `present` before the CA is asked to validate (slow DNS propagation). @default 0 */
  readonly dns01PropagationSeconds?: number;
  /** @default - none */
  readonly externalAccountBinding?: AcmeExternalAccountBinding;
}

/** How the adcs issuer authenticates to certsrv: Basic, or NTLMv2 (IIS's Windows Authentication). */
export const ADCS_AUTHENTICATIONS = ['basic', 'ntlm'] as const;
export type AdcsAuthentication = (typeof ADCS_AUTHENTICATIONS)[number];

export interface AdcsCredentialsRef {
  readonly usernameEnv: string;
  readonly passwordEnv: string;
  /**
   * The account's domain (`CORP`), for a user name that names none: `CORP\user` and
   * `user@corp.example` in the variable name their own. @default - none
   */
  readonly domain?: string;
}

export interface AdcsIssuerDecl extends IssuerDeclBase {
  readonly kind: 'adcs';
  /** The web enrollment base URL (https), e.g. `https://ca.corp.example/certsrv`. */
  readonly url: string;
  /** Certificate template name (`CertificateTemplate:<T>`). */
  readonly template: string;
  /** @default - the system's roots */
  readonly caBundle?: string;
  /** Basic or NTLM over verified HTTPS. @default 'basic' */
  readonly authentication?: AdcsAuthentication;
  /** The enrollment account, by the variables that hold it. */
  readonly credentials: AdcsCredentialsRef;
}

export interface VaultIssuerDecl extends IssuerDeclBase {
  readonly kind: 'vault';
  /** The Vault or OpenBao address (https), e.g. `https://vault.corp.example:8200`. */
  readonly address: string;
  /** The PKI secrets engine's mount path. */
  readonly mount: string;
  /** The role `sign/<role>` uses. */
  readonly role: string;
  /** The variable holding the Vault token (sent as `X-Vault-Token`). */
  readonly tokenEnv: string;
  /** @default - the system's roots */
  readonly caBundle?: string;
  /** Requested lifetime, as Vault reads it (`8760h`, `90d`). @default - the role's */
  readonly ttl?: string;
  /** Vault Enterprise namespace (`X-Vault-Namespace`). @default - none */
  readonly namespace?: string;
}

export interface CommandIssuerDecl extends IssuerDeclBase {
  readonly kind: 'command';
  /** Program and arguments, started without a shell in the inventory's folder: CSR (PEM) on stdin, chain (PEM, leaf first) on stdout. */
  readonly run: readonly string[];
  /** Variables the program reads secrets from: their values are blanked out of what it prints before it is shown. @default - none */
  readonly secretEnv?: readonly string[];
}

export interface LabIssuerDecl extends IssuerDeclBase {
  readonly kind: 'lab';
  /** Folder of a lab CA (`ucrollout ca init --out <folder>`). For rehearsals only. */
  readonly ca: string;
  /** @default 365 */
  readonly days?: number;
}

export type IssuerDecl = AcmeIssuerDecl | AdcsIssuerDecl | VaultIssuerDecl | CommandIssuerDecl | LabIssuerDecl;

/** A kind's mapping in an inventory entry: its declaration's fields but the name and the kind. */
type IssuerBody<D extends IssuerDeclBase> = Omit<D, keyof IssuerDeclBase>;

/** An inventory entry: `name` and exactly one of the kinds' mappings. Read as untyped data by buildIssuer. */
export interface IssuerInput {
  readonly name: string;
  /** The hook may be one string (a program without arguments). */
  readonly acme?: Omit<IssuerBody<AcmeIssuerDecl>, 'dns01Hook'> & { readonly dns01Hook: string | readonly string[] };
  readonly adcs?: IssuerBody<AdcsIssuerDecl>;
  readonly vault?: IssuerBody<VaultIssuerDecl>;
  readonly command?: IssuerBody<CommandIssuerDecl>;
  readonly lab?: IssuerBody<LabIssuerDecl>;
}
