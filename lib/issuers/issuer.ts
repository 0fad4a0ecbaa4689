/**
 * The issuer contract: a CSR (PEM) in, the signed chain (PEM, leaf first) out, or `pending`
 * when a person must approve first (AD CS). Every issuer checks what it got (check.ts) before
 * it returns it; refusals throw IssuerError.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { readBounded } from '../pki/bounded-read';
import { certificatePems } from '../pki/pem';
import { IssuerError } from './errors';
import { IssuerKind } from './types';

export interface SignRequest {
  /**
   * Stable id of this request (the plan's sign step and its renewal generation): signing again
   * with the same id continues a pending request instead of filing a new one.
   */
  readonly id: string;
  /** The PKCS#10 request, PEM. */
  readonly csrPem: string;
  /** The CSR's subject common name. */
  readonly commonName: string;
  /** The CSR's DNS subjectAltNames: the leaf must carry exactly these (DOMAIN.md §5). */
  readonly dnsNames: readonly string[];
  /** Catalog purpose (the lab CA's key usage and EKU follow it). @default - tomcat, or tomcat-ECDSA for an EC key */
  readonly purpose?: string;
  /** A request id a previous `pending` result gave. @default - the one this issuer remembered for `id` */
  readonly pendingRequestId?: string;
}

export type SignResult =
  | { readonly status: 'issued'; readonly chainPem: readonly string[] }
  | {
      readonly status: 'pending';
      /** The CA's request id: what the CA administrator approves. */
      readonly requestId: string;
      readonly message: string;
    };

export interface IssuerTimeouts {
  /** One HTTPS request, connect to last byte. @default 30000 */
  readonly requestMs: number;
  /** One run of a DNS-01 hook. @default 120000 */
  readonly hookMs: number;
  /** One run of a command issuer's program. @default 300000 */
  readonly commandMs: number;
  /** A whole ACME order, first request to certificate. @default 600000 */
  readonly orderMs: number;
  /** First wait between two status polls (ACME); doubled each time, at most 30 s. @default 1000 */
  readonly pollMs: number;
}

export const DEFAULT_ISSUER_TIMEOUTS: IssuerTimeouts = { requestMs: 30_000, hookMs: 120_000, commandMs: 300_000, orderMs: 600_000, pollMs: 1_000 };

export interface IssuerContext {
  /** The folder relative paths start from: the inventory file's (constructs: the stack's baseDir). */
  readonly baseDir: string;
  /** The folder for what issuers keep between runs (ACME account keys, pending request ids): beside the stack state, never in it. */
  readonly stateDir: string;
  /** Where secrets are read by variable name. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** One line per event; never handed a secret. @default - nothing is logged */
  readonly log?: (line: string) => void;
  readonly timeouts?: Partial<IssuerTimeouts>;
  /** @default - the clock */
  readonly now?: () => Date;
}

export interface Issuer {
  readonly name: string;
  readonly kind: IssuerKind;
  sign(request: SignRequest, ctx: IssuerContext): Promise<SignResult>;
}

/** The context with its defaults filled in. */
export interface ResolvedContext {
  readonly baseDir: string;
  readonly stateDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  readonly timeouts: IssuerTimeouts;
  readonly now: () => Date;
}

export function resolveContext(ctx: IssuerContext): ResolvedContext {
  return {
    baseDir: resolve(ctx.baseDir),
    stateDir: resolve(ctx.stateDir),
    env: ctx.env ?? process.env,
    log: ctx.log ?? (() => undefined),
    timeouts: { ...DEFAULT_ISSUER_TIMEOUTS, ...ctx.timeouts },
    now: ctx.now ?? (() => new Date()),
  };
}

/** A declared path: relative ones start at the inventory's folder. */
export function declaredPath(ctx: ResolvedContext, path: string): string {
  return isAbsolute(path) ? path : join(ctx.baseDir, path);
}

/** This issuer's own folder under the state folder, mode 0700. */
export function issuerStateDir(ctx: ResolvedContext, issuer: string): string {
  const dir = join(ctx.stateDir, issuer);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** The CA certificates of a declared caBundle (PEM), or undefined (the system's roots) when none is declared. */
export function readCaBundle(issuer: string, ctx: ResolvedContext, path: string | undefined, field: string): string[] | undefined {
  if (path === undefined) return undefined;
  const file = declaredPath(ctx, path);
  let text: string;
  try {
    text = readBounded(file).toString('latin1');
  } catch (e) {
    throw new IssuerError(issuer, 'config', `cannot read ${field} '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the PEM file of the CA that signed the server's HTTPS certificate`);
  }
  const pems = certificatePems(text);
  if (pems.length === 0) throw new IssuerError(issuer, 'config', `${field} '${path}' holds no PEM certificate: give the CA that signed the server's HTTPS certificate ('BEGIN CERTIFICATE')`);
  return pems;
}
