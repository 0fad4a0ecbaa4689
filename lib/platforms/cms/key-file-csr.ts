/**
 * A CSR made here for a Meeting Server certificate whose key the user holds (source `ca`): the
 * names of the CSR table (cmsExpectedNames, which the planner and the CMS lint use too), the
 * CMS key usage, and the file name the user keeps the pair under. Pure: lib/pki makes the key.
 */
import { cmsExpectedNames, keyUsageForKeyType } from '../../catalog';
import { CmsCertificateScope, CmsClusterDecl, CmsServerDecl, CmsService, cmsShortName } from '../../model';
import { CsrRequest, CsrSubject, KeySpec, checkKeySpec, csrSubject } from '../../pki';
import { CMS_KEY_USAGE } from './key-usage';

export interface CmsKeyFileCsrOptions {
  readonly cluster: CmsClusterDecl;
  readonly service: CmsService;
  readonly scope: CmsCertificateScope;
  /** per-server: the server it is for. */
  readonly server?: CmsServerDecl;
  /** The declared certificate's basename, when it has one: the pair is kept under that name. */
  readonly basename?: string;
  readonly subject?: Omit<CsrSubject, 'L'>;
  /** @default RSA 2048, as the server's own `pki csr` makes it */
  readonly key?: Partial<KeySpec>;
}

/** Throws (plain Error) when the cluster lacks a name the table needs or the scope is not the service's. */
export function cmsKeyFileCsr(opts: CmsKeyFileCsrOptions): CsrRequest {
  const names = cmsExpectedNames(opts.cluster, opts.service, opts.scope, opts.server);
  const key: KeySpec = { ...opts.key, keyType: opts.key?.keyType ?? 'RSA' };
  checkKeySpec(key);
  return {
    name: cmsKeyFileName(opts),
    commonName: names.commonName,
    subject: csrSubject(opts.subject, names.commonName),
    // A name the table leaves without SANs (webadmin) still gets its CN as the only SAN: browsers
    // and many CAs ignore the CN (CA/Browser Forum baseline), and the planner's issued CSRs do the same.
    sans: names.subjectAltNames.length > 0 ? [...names.subjectAltNames] : [names.commonName],
    key,
    usage: { keyUsage: keyUsageForKeyType(CMS_KEY_USAGE, key.keyType), eku: CMS_KEY_USAGE.eku },
  };
}

/**
 * The declared basename (docs/cms.md "Basenames": the names the pair gets on the servers); without
 * one the plan's basename follows the signed certificate's fingerprint, unknown before it is
 * signed, so `<service>-<server short name>`, or `<service>-clustered` for every peer's certificate.
 */
export function cmsKeyFileName(opts: Pick<CmsKeyFileCsrOptions, 'cluster' | 'service' | 'scope' | 'server' | 'basename'>): string {
  if (opts.basename) return opts.basename;
  if (opts.scope === 'clustered' || !opts.server) return `${opts.service}-clustered`;
  return `${opts.service}-${cmsShortName(opts.cluster, opts.server)}`;
}
