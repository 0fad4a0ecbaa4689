/**
 * PLAN.md for issued certificates: what is requested from whom (the issuer's name, kind and
 * endpoint, the CN, the SANs, the key), where the CSR is generated and where the chain is
 * written; a lab issuer is marked as for rehearsals only. No secret is shown: a declaration
 * holds only variable names and files.
 */
import type { IssuerDecl } from '../../issuers/types';
import { ClusterPlan, GenerateCsrStep, PlanIssuedCertificate } from './types';

/** The "Certificates installed" entry of one issued certificate. */
export function issuedCertificateReview(plan: ClusterPlan, cert: PlanIssuedCertificate): string[] {
  const i = cert.issued;
  const decl = (plan.issuers ?? []).find((d) => d.name === i.issuer);
  const csr = plan.steps.find((s): s is GenerateCsrStep => s.kind === 'generate-csr' && s.csrFile === i.csrFile);
  const lab = i.rehearsalOnly ? ' — LAB ISSUER, FOR REHEARSALS ONLY (NOT FOR PRODUCTION)' : '';
  return [
    `### ${cert.purpose} (${cert.distribution}) — issued by \`${i.issuer}\` (${i.issuerKind})${lab}`,
    '',
    `- requested from: ${decl ? issuerEndpoint(decl) : `issuer ${i.issuer}`}`,
    `- CN ${i.commonName}; SAN: ${i.altNames.join(', ')}`,
    ...(csr ? [`- key ${csr.keyType} ${csr.keyLength}, ${csr.hash}; key usage ${csr.keyUsage.join(', ')}; EKU ${csr.extendedKeyUsage.join(', ')}`] : []),
    `- the CSR is generated on ${i.csrNode}, which keeps the key (no private key leaves the node); saved as \`${i.csrFile}\``,
    `- the signed chain is written to \`${i.chainFile}\` (its fingerprint is known after the sign step); chain of CA \`${cert.ca}\` into the trust store`,
    `- renewal generation ${i.renewalGeneration} (raise it to request a new certificate from a fresh CSR; a re-apply requests nothing); request ${i.request.slice(0, 16)}…`,
    `- installed on: ${cert.covers.join(', ')}`,
    '',
  ];
}

/** Warnings for a plan with issued certificates: lab issuers, pending approvals. */
export function issuedWarnings(plan: ClusterPlan): string[] {
  const out: string[] = [];
  const issued = (plan.certificates ?? []).flatMap((c) => (c.issued ? [c] : []));
  const lab = issued.filter((c) => c.issued.rehearsalOnly);
  if (lab.length > 0) {
    out.push(
      `LAB ISSUER: ${lab.map((c) => `${c.purpose} (issuer ${c.issued.issuer})`).join(', ')} ${lab.length > 1 ? 'are' : 'is'} signed by a lab CA: for rehearsals on the digital twin only, never for a production cluster.`,
    );
  }
  const adcs = issued.filter((c) => c.issued.issuerKind === 'adcs');
  if (adcs.length > 0) {
    out.push(
      `AD CS: a template that needs a CA manager's approval leaves the sign step waiting (the apply ends with exit 3 naming the request id); approve it on the CA, then apply again. ` +
        (plan.steps.some((s) => s.id === 'manual/maintenance-window')
          ? 'The signing is before the maintenance window: the confirmation that the window is open waits for it, so a pending approval stops the apply before the window.'
          : 'The identity upload waits for the signing.'),
    );
  }
  return out;
}

/** Where an issuer sends the CSR, in words a reviewer checks (no secret: names of variables only). */
export function issuerEndpoint(d: IssuerDecl): string {
  switch (d.kind) {
    case 'acme':
      return `ACME directory ${d.directory} (DNS-01 through ${d.dns01Hook.join(' ')}${d.externalAccountBinding ? `, external account ${d.externalAccountBinding.kid}` : ''})`;
    case 'adcs':
      return `AD CS web enrollment ${d.url}, template ${d.template} (${d.authentication === 'ntlm' ? 'NTLM' : 'Basic'} authentication, account from ${d.credentials.usernameEnv})`;
    case 'vault':
      return `Vault PKI ${d.address}/v1/${d.mount}/sign/${d.role}${d.namespace ? ` (namespace ${d.namespace})` : ''} (token from ${d.tokenEnv})`;
    case 'command':
      return `the program ${d.run.join(' ')} (CSR on standard input, chain on standard output)`;
    case 'lab':
      return `the lab CA in ${d.ca} (NOT FOR PRODUCTION)`;
  }
}
