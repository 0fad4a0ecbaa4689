/**
 * Lint of the declared issuers: what each one needs at its sign step, checked before the plan is
 * accepted rather than at apply time, inside the maintenance window. For every issuer a
 * certificate uses: its `caBundle` (acme, adcs, vault) is readable within the bounded reader and
 * holds a CA certificate (an expired one is a warning), the lab CA's folder loads, the programs
 * (`acme.dns01Hook`, `command.run`) exist and are executable where the sign step starts them
 * (run-program.ts), and the variables it reads its secrets from are set (a warning: plan and
 * apply may run on different machines; values are never read into a message). An issuer no
 * certificate uses is a warning. `ucrollout lint --inventory` and the plan's lint gate
 * (lib/terraform/write-stacks.ts) both run this; findings are structurally PlanFindings.
 */
import { Declarations } from '../model';
import { readBounded } from '../pki/bounded-read';
import { CertificateView, parseCertificate } from '../pki/certificate';
import { loadLabCa } from '../pki/lab-ca';
import { LintFinding } from '../pki/lint/finding';
import { certificatePems } from '../pki/pem';
import { readCertificates } from '../pki/input';
import { ResolvedContext, declaredPath, resolveContext } from './issuer';
import { findProgram } from './run-program';
import { IssuerDecl } from './types';

type Entry = readonly ['error' | 'warning', string];

/** Every issuer code, its severity and what it means (`ucrollout lint --codes` lists them). */
export const ISSUER_LINT_CODES = {
  ISSUER_CA_BUNDLE_UNREADABLE: ['error', "an issuer's caBundle is missing, unreadable, too large, or holds no CA certificate: its sign step cannot verify the CA's HTTPS"],
  ISSUER_CA_BUNDLE_EXPIRED: ['warning', "a CA certificate of an issuer's caBundle has expired (or is not valid yet): the CA's HTTPS may no longer verify"],
  ISSUER_LAB_CA_UNREADABLE: ['error', "a lab issuer's ca folder is missing or is not a lab CA (ucrollout ca init)"],
  ISSUER_PROGRAM_MISSING: ['error', "an issuer's program (acme dns01Hook, command run) does not exist where its sign step starts it: the inventory's folder, or PATH"],
  ISSUER_PROGRAM_NOT_EXECUTABLE: ['error', "an issuer's program (acme dns01Hook, command run) is not an executable file"],
  ISSUER_ENV_UNSET: ['warning', 'a variable an issuer reads a secret from is not set here: it must be where terraform apply runs'],
  ISSUER_UNUSED: ['warning', 'an issuer is declared but no certificate names it'],
} as const satisfies Record<string, Entry>;

export type IssuerLintCode = keyof typeof ISSUER_LINT_CODES;

export function issuerFinding(code: IssuerLintCode, message: string): LintFinding {
  return { severity: ISSUER_LINT_CODES[code][0], code, message };
}

export interface LintIssuersOptions {
  /** The inventory's folder: where relative paths start and programs run, as at the sign step. */
  readonly baseDir: string;
  /** Where the variables are looked up. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default - the current time */
  readonly now?: Date;
  /**
   * Only the issuers the certificates of this cluster (CUCM or Meeting Server) use, without the
   * unused-issuer warning: the plan of one stack. @default - every declared issuer
   */
  readonly cluster?: string;
}

/** The declared issuers' findings, in declaration order of the issuers. */
export function lintIssuers(decls: Declarations, opts: LintIssuersOptions): LintFinding[] {
  const used = issuersInUse(decls, opts.cluster);
  const ctx = resolveContext({ baseDir: opts.baseDir, stateDir: opts.baseDir, ...(opts.env ? { env: opts.env } : {}), ...(opts.now ? { now: () => opts.now! } : {}) });
  const out: LintFinding[] = [];
  for (const issuer of decls.issuers ?? []) {
    if (used.has(issuer.name)) out.push(...lintIssuer(issuer, ctx));
    else if (opts.cluster === undefined) {
      out.push(
        issuerFinding(
          'ISSUER_UNUSED',
          `issuer ${issuer.name} (${issuer.kind}) is declared but no certificate names it: name it in a certificate's issuer, or remove it from issuers`,
        ),
      );
    }
  }
  return out;
}

/**
 * The issuer findings a cluster's plan carries (every platform's prepare, so the inventory and
 * the constructs are refused alike): errors refuse the plan with the certificates' lint errors.
 * Not ISSUER_ENV_UNSET: which variables are set is the planning machine's, and the plan is the
 * declarations' alone (byte-identical wherever it is made); `ucrollout lint` reports it.
 */
export function lintIssuersOfPlan(decls: Declarations, cluster: string, opts: Omit<LintIssuersOptions, 'cluster' | 'env'>): LintFinding[] {
  return lintIssuers(decls, { ...opts, cluster }).filter((f) => f.code !== 'ISSUER_ENV_UNSET');
}

/** The names of the issuers certificates use (of one cluster, or all). */
export function issuersInUse(decls: Declarations, cluster?: string): Set<string> {
  const mine = (c: { cluster: string }) => cluster === undefined || c.cluster === cluster;
  const names = [...decls.certificates.filter(mine), ...(decls.cmsCertificates ?? []).filter(mine)].flatMap((c) => (c.issuer !== undefined ? [c.issuer] : []));
  return new Set(names);
}

type Ctx = ResolvedContext;

function lintIssuer(issuer: IssuerDecl, ctx: Ctx): LintFinding[] {
  const out: LintFinding[] = [];
  const who = `issuer ${issuer.name}`;
  const env = (name: string, field: string, what: string) => {
    const value = ctx.env[name];
    if (value === undefined || value === '') {
      out.push(
        issuerFinding(
          'ISSUER_ENV_UNSET',
          `${who}: the environment variable ${name} (${field}) is not set here: put ${what} in it where terraform apply runs (its sign step reads it there)`,
        ),
      );
    }
  };
  switch (issuer.kind) {
    case 'acme':
      out.push(...lintCaBundle(who, ctx, issuer.caBundle, 'acme.caBundle'));
      out.push(...lintProgram(who, ctx, issuer.dns01Hook[0], 'acme.dns01Hook[0]', 'the DNS-01 hook'));
      if (issuer.externalAccountBinding) env(issuer.externalAccountBinding.hmacEnv, 'acme.externalAccountBinding.hmacEnv', 'the HMAC key the CA gave with the key id');
      break;
    case 'adcs':
      out.push(...lintCaBundle(who, ctx, issuer.caBundle, 'adcs.caBundle'));
      env(issuer.credentials.usernameEnv, 'adcs.credentials.usernameEnv', 'the enrollment account');
      env(issuer.credentials.passwordEnv, 'adcs.credentials.passwordEnv', "the enrollment account's password");
      break;
    case 'vault':
      out.push(...lintCaBundle(who, ctx, issuer.caBundle, 'vault.caBundle'));
      env(issuer.tokenEnv, 'vault.tokenEnv', 'a Vault token allowed to use this role');
      break;
    case 'command':
      out.push(...lintProgram(who, ctx, issuer.run[0], 'command.run[0]', 'the program that signs'));
      (issuer.secretEnv ?? []).forEach((name, i) => env(name, `command.secretEnv[${i}]`, "the program's secret"));
      break;
    case 'lab':
      try {
        loadLabCa(declaredPath(ctx, issuer.ca));
      } catch (e) {
        out.push(issuerFinding('ISSUER_LAB_CA_UNREADABLE', `${who}: lab.ca '${issuer.ca}': ${(e as Error).message}`));
      }
      break;
  }
  return out;
}

/** The caBundle as the sign step reads it (bounded, PEM), and every certificate of it parsed by lib/pki. */
function lintCaBundle(who: string, ctx: Ctx, path: string | undefined, field: string): LintFinding[] {
  if (path === undefined) return [];
  const fix = "give the PEM file of the CA that signed the server's HTTPS certificate";
  const unreadable = (why: string) => [issuerFinding('ISSUER_CA_BUNDLE_UNREADABLE', `${who}: ${field} '${path}' ${why}: ${fix}`)];
  let data: Buffer;
  try {
    data = readBounded(declaredPath(ctx, path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return unreadable(code === 'ENOENT' ? "does not exist (paths start at the inventory's folder)" : `cannot be read (${code ?? (e as Error).message})`);
  }
  // PEM only, as the sign step reads it (readCaBundle): the text's BEGIN CERTIFICATE blocks
  const pems = certificatePems(data.toString('latin1'));
  if (pems.length === 0) return unreadable("holds no PEM certificate ('BEGIN CERTIFICATE')");
  const certs: CertificateView[] = [];
  try {
    pems.forEach((pem, i) => {
      const label = pems.length === 1 ? path : `${path}#${i + 1}`;
      for (const der of readCertificates(Buffer.from(pem, 'latin1'), label)) certs.push(parseCertificate(der, label));
    });
  } catch (e) {
    return unreadable(`holds a certificate that cannot be read (${(e as Error).message})`);
  }
  const cas = certs.filter((c) => c.basicConstraints?.ca === true);
  if (cas.length === 0) return unreadable('holds no CA certificate (basicConstraints CA:TRUE), only a server certificate');
  const now = ctx.now().getTime();
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return cas
    .filter((c) => c.notAfter.getTime() < now || c.notBefore.getTime() > now)
    .map((c) =>
      issuerFinding(
        'ISSUER_CA_BUNDLE_EXPIRED',
        c.notAfter.getTime() < now
          ? `${who}: ${field} ${c.label} (${c.subject}) expired on ${day(c.notAfter)}: give the CA's current certificate`
          : `${who}: ${field} ${c.label} (${c.subject}) is not valid before ${day(c.notBefore)}: check this machine's clock`,
      ),
    );
}

/** The program where the sign step starts it: a path from the inventory's folder, or a name on PATH. */
function lintProgram(who: string, ctx: Ctx, program: string | undefined, field: string, what: string): LintFinding[] {
  if (program === undefined) return [];
  const r = findProgram(program, ctx.baseDir, ctx.env);
  if (r.found) return [];
  switch (r.problem) {
    case 'not-on-path':
      return [issuerFinding('ISSUER_PROGRAM_MISSING', `${who}: ${field} '${program}' (${what}) is not found on PATH: install it, or give its path (relative to the inventory's folder)`)];
    case 'missing':
      return [issuerFinding('ISSUER_PROGRAM_MISSING', `${who}: ${field} '${program}' (${what}) does not exist (paths start at the inventory's folder): give the path of the program`)];
    case 'not-a-file':
      return [issuerFinding('ISSUER_PROGRAM_NOT_EXECUTABLE', `${who}: ${field} '${program}' (${what}) is not a file: give the path of the program`)];
    case 'not-executable':
      return [issuerFinding('ISSUER_PROGRAM_NOT_EXECUTABLE', `${who}: ${field} '${program}' (${what}) is not executable: chmod +x it`)];
  }
}
