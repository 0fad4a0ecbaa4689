import { Construct } from 'constructs';
import { buildIssuer } from '../lib/issuers/normalize';
import { IssuerDecl, IssuerInput } from '../lib/issuers/types';

const ISSUER_SYMBOL = Symbol.for('uc-cert-rollout.Issuer');

/** External account binding of an ACME account (RFC 8555 §7.3.4). */
export interface AcmeExternalAccountBinding {
  /**
   * The key id the CA gave for the account.
   */
  readonly kid: string;

  /**
   * The environment variable holding the HMAC key the CA gave with the key id (base64url).
   */
  readonly hmacEnv: string;
}

/** An ACME CA (RFC 8555) validating by DNS-01 through a hook. */
export interface AcmeIssuerOptions {
  /**
   * The ACME directory URL (https).
   */
  readonly directory: string;

  /**
   * Account contact e-mail.
   *
   * @default - no contact
   */
  readonly email?: string;

  /**
   * PEM file of the CA that signed the ACME server's HTTPS certificate, relative to the stack's baseDir.
   *
   * @default - the system's roots
   */
  readonly caBundle?: string;

  /**
   * The DNS-01 hook: program and leading arguments, called `<hook…> present|cleanup <fqdn> <value>`
   * (lego's exec provider convention), started without a shell in the stack's baseDir.
   */
  readonly dns01Hook: string[];

  /**
   * Seconds to wait after each `present` before the CA validates.
   *
   * @default 0
   */
  readonly dns01PropagationSeconds?: number;

  /**
   * External account binding, when the CA requires one.
   *
   * @default - none
   */
  readonly externalAccountBinding?: AcmeExternalAccountBinding;
}

/** How the adcs issuer authenticates to certsrv, always over verified HTTPS. */
export enum AdcsAuthentication {
  /** Basic: the account in every request (Basic Authentication enabled on the certsrv site). */
  BASIC = 'basic',
  /** NTLMv2: IIS's Windows Authentication (NTLM or Negotiate), what a certsrv site has by default. */
  NTLM = 'ntlm',
}

/** Microsoft AD CS web enrollment (certsrv), Basic or NTLM authentication over verified HTTPS. */
export interface AdcsIssuerOptions {
  /**
   * The web enrollment URL (https), e.g. `https://ca.corp.example/certsrv`.
   */
  readonly url: string;

  /**
   * The certificate template's name.
   */
  readonly template: string;

  /**
   * PEM file of the CA that signed certsrv's HTTPS certificate, relative to the stack's baseDir.
   *
   * @default - the system's roots
   */
  readonly caBundle?: string;

  /**
   * How to authenticate to certsrv.
   *
   * @default AdcsAuthentication.BASIC
   */
  readonly authentication?: AdcsAuthentication;

  /**
   * The environment variable holding the enrollment account (`DOMAIN\user`, `user@corp.example`, or a bare name with `domain`).
   */
  readonly usernameEnv: string;

  /**
   * The environment variable holding the enrollment account's password.
   */
  readonly passwordEnv: string;

  /**
   * The account's domain (`CORP`), for a user name that names none.
   *
   * @default - the domain the user name names, or none
   */
  readonly domain?: string;
}

/** The PKI secrets engine of HashiCorp Vault or OpenBao (`POST /v1/<mount>/sign/<role>`). */
export interface VaultIssuerOptions {
  /**
   * The Vault address (https), e.g. `https://vault.corp.example:8200`.
   */
  readonly address: string;

  /**
   * The PKI engine's mount path.
   */
  readonly mount: string;

  /**
   * The role `sign/<role>` uses.
   */
  readonly role: string;

  /**
   * The environment variable holding the Vault token.
   */
  readonly tokenEnv: string;

  /**
   * PEM file of the CA that signed Vault's HTTPS certificate, relative to the stack's baseDir.
   *
   * @default - the system's roots
   */
  readonly caBundle?: string;

  /**
   * Requested lifetime (`8760h`, `90d`).
   *
   * @default - the role's
   */
  readonly ttl?: string;

  /**
   * Vault Enterprise namespace.
   *
   * @default - none
   */
  readonly namespace?: string;
}

/** Any program: the CSR (PEM) on standard input, the chain (PEM, leaf first) on standard output. */
export interface CommandIssuerOptions {
  /**
   * Program and arguments, started without a shell in the stack's baseDir.
   */
  readonly run: string[];

  /**
   * Environment variables the program reads secrets from: their values are blanked out of what it prints.
   *
   * @default - none
   */
  readonly secretEnv?: string[];
}

/** The lab CA of `ucrollout ca init` (for rehearsals only, NOT FOR PRODUCTION). */
export interface LabIssuerOptions {
  /**
   * The lab CA's folder, relative to the stack's baseDir.
   */
  readonly ca: string;

  /**
   * Lifetime of the certificates it signs, in days.
   *
   * @default 365
   */
  readonly days?: number;
}

/** Which CA signs the CSRs a node generates, and how it is reached. */
export class IssuerSource {
  /** An ACME CA, DNS-01 through a hook. */
  public static acme(options: AcmeIssuerOptions): IssuerSource {
    return new IssuerSource('acme', { ...options });
  }

  /** Microsoft AD CS web enrollment. */
  public static adcs(options: AdcsIssuerOptions): IssuerSource {
    const { usernameEnv, passwordEnv, domain, ...rest } = options;
    return new IssuerSource('adcs', { ...rest, credentials: { usernameEnv, passwordEnv, ...(domain !== undefined ? { domain } : {}) } });
  }

  /** A Vault or OpenBao PKI secrets engine. */
  public static vault(options: VaultIssuerOptions): IssuerSource {
    return new IssuerSource('vault', { ...options });
  }

  /** A program of your own (`step ca sign`, `certreq`, `openssl ca`, …). */
  public static command(options: CommandIssuerOptions): IssuerSource {
    return new IssuerSource('command', { ...options });
  }

  /** The lab CA, for rehearsals only. */
  public static lab(options: LabIssuerOptions): IssuerSource {
    return new IssuerSource('lab', { ...options });
  }

  private constructor(
    /** The kind of CA: acme, adcs, vault, command or lab. */
    public readonly kind: string,
    private readonly body: Record<string, unknown>,
  ) {}

  /** @internal The inventory form of this source, under the issuer's name. */
  public _input(name: string): IssuerInput {
    return { name, [this.kind]: this.body } as unknown as IssuerInput;
  }
}

export interface IssuerProps {
  /**
   * The name certificates and the plan use.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The CA and how to reach it. Secrets are named by environment variable, never given.
   */
  readonly source: IssuerSource;
}

/**
 * A CA that signs the CSRs the nodes generate at apply time (the real certificate path): a
 * ServiceCertificate with `issuer` has the plan generate its CSR on the node, this issuer sign
 * it, and the chain installed. No private key leaves the node.
 */
export class Issuer extends Construct {
  /** True when `x` is an Issuer (of any copy of this package). */
  public static isIssuer(x: unknown): x is Issuer {
    return typeof x === 'object' && x !== null && ISSUER_SYMBOL in x;
  }

  /** The name the plan uses. */
  public readonly name: string;

  /** The kind of CA. */
  public readonly kind: string;

  /** @internal */
  public readonly _decl: IssuerDecl;

  constructor(scope: Construct, id: string, props: IssuerProps) {
    super(scope, id);
    Object.defineProperty(this, ISSUER_SYMBOL, { value: true });
    this._decl = buildIssuer(props.source._input(props.name ?? id), `Issuer '${id}'`);
    this.name = this._decl.name;
    this.kind = this._decl.kind;
  }
}
