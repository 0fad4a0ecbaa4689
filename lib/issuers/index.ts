/**
 * lib/issuers: CSR in, signed chain out (issue 9), one implementation per kind of CA, used by
 * every platform.
 *
 * - `buildIssuer(input, at)` / `buildIssuers(list, at?)` (normalize.ts) — an inventory entry
 *   `{ name, acme | adcs | vault | command | lab: {…} }` to its IssuerDecl (types.ts); every
 *   problem named by its field path, all in one DeclarationError.
 * - `createIssuer(decl): Issuer` — `issuer.sign({ id, csrPem, commonName, dnsNames, purpose? }, ctx)`
 *   returns `{ status: 'issued', chainPem }` (leaf first) or `{ status: 'pending', requestId, message }`
 *   (AD CS: a CA manager must approve; signing again with the same id asks again), and throws
 *   IssuerError (`code`: config, bad-request, unreachable, untrusted, refused, denied,
 *   bad-response, mismatch) otherwise.
 * - IssuerContext: `baseDir` (relative paths), `stateDir` (what issuers keep: ACME account keys
 *   0600, pending AD CS request ids; beside the stack state, never in it), `env`, `log`,
 *   `timeouts`, `now`.
 * - Every issued chain is checked (check.ts): the leaf has the CSR's key and exactly its
 *   subjectAltNames, the chain links by signature. Secrets are read from variables and
 *   blanked out of whatever outside text reaches a log line or an error.
 * - `lintIssuers(decls, { baseDir, env?, now?, cluster? })` (lint.ts) — what each used issuer
 *   needs at its sign step (caBundle, lab CA, programs, variables), checked at lint and plan
 *   time (the plan's lint gate refuses a cluster's plan on their errors); ISSUER_LINT_CODES.
 */
export * from './types';
export * from './errors';
export * from './normalize';
export * from './issuer';
export * from './check';
export * from './create-issuer';
export * from './lint';
export { AcmeIssuer, ACME_ACCOUNT_KEY_FILE } from './acme';
export { AdcsIssuer, readCertsrvPage } from './adcs';
export type { CertsrvPage } from './adcs';
export { VaultIssuer } from './vault';
export { CommandIssuer, REQUEST_ENV } from './command';
export { LabIssuer } from './lab';
