/**
 * lib/pki: certificates done right before anything is touched (issue 3).
 *
 * CSR generation
 * - `generateCsr(opts: CsrOptions): Promise<GeneratedCsr>` — key pair and PKCS#10 CSR for a purpose and
 *   distribution. SANs as the platform auto-populates them (multiServerCoverage), multi-server CN
 *   `<host>-ms.<domain>` (11.5+; 10.5: `<publisher>-ms`), the CN repeated in the SANs (CSCus47235), other domains and (cup-xmpp-s2s only)
 *   wildcard domains, key usage / EKU of the purpose's key-usage row. Returns `{ name, csrPem, keyPem,
 *   commonName, sans }`; write keyPem with `writeSecretFile` (mode 0600), never into a plan or log.
 * - `csrContent(opts)` — the same decisions without crypto (sync): name, subject, SANs, key spec, usage.
 *
 * Lab CA (rehearsals and tests; every certificate says NOT FOR PRODUCTION)
 * - `createLabCa({ commonName?, intermediate?, keyType? }): Promise<LabCa>`
 * - `writeLabCa(ca, dir)` / `loadLabCa(dir)` — root.pem, root.key, issuing.pem, issuing.key (keys 0600;
 *   without an intermediate issuing.* is the root).
 * - `signCsr(ca, csrPem, { purpose, days?, notBefore? }): Promise<string>` — leaf PEM; copies only the
 *   subject, SAN and leaf key usages from the CSR, sets the purpose's key usage / EKU.
 * - `issueSelfSigned({ commonName, dnsNames, keyType, days?, keyPem?, … })` — a node's own self-signed certificate.
 * - `csrForKey({ subject, altNames, keyPem })` — a CSR signed with a key the caller keeps (a node's own CSR).
 *
 * Lint (synchronous; findings are structurally PlanFindings)
 * - `lintCertificate(input: LintCertificateInput): LintFinding[]` — one certificate.
 * - `lintDeclarations(decls, { baseDir, now?, renewalWindowDays? }): LintFinding[]` — every declared
 *   certificate against its CA and cluster, and every trust entry's dates.
 * - `LINT_CODES` — every finding code with its severity and meaning; `hasErrors(findings)`.
 *
 * Bundles and formats
 * - `cucmTrustUploadOrder(caCerts): Buffer[]` — root first, then each intermediate (DER).
 * - `cmsBundle(leaf, intermediates, root): string` — entity first, root last, one trailing newline.
 * - `cmsCaBundle(intermediates, root): string` — the same without the entity.
 * - `readPkcs7(data): Buffer[]`, `writePkcs7(ders): string` — .p7b chains.
 * - `sha256Fingerprint(der): string` — lowercase hex, as the plan names certificates;
 *   `normalizeFingerprint`, `shortFingerprint`, `colonFingerprint` for the printed forms.
 * - `certificatePems(text | bytes)` — every certificate as normalised PEM (lenient, unlike `pemBlocks`).
 * - `certificateNames(pem)`, `commonNameOf(dn)`, `trustFileName(cn)` (names.ts) — the names a node compares.
 * - `readCertificateFacts(path)` (facts.ts) — what the planner needs of a certificate file.
 */
export * from './errors';
export * from './keys';
export * from './pem';
export * from './input';
export * from './pkcs7';
export * from './fingerprint';
export * from './names';
export * from './certificate';
export * from './chain';
export * from './bundle';
export * from './purpose-usage';
export * from './csr-content';
export * from './csr';
export * from './issue';
export * from './lab-ca';
export * from './self-signed';
export * from './secret-file';
export * from './facts';
export * from './lint';
