/**
 * The key and certificate basename a CMS certificate gets on its servers. `pki csr` with the
 * basename of the key in service breaks that service at once (DOMAIN.md §4), so a renewal always
 * gets a new, deterministic basename: from the certificate's fingerprint, or from the CSR's names.
 */
import { CmsExpectedNames } from '../../catalog';
import { CmsCertificateDecl } from '../../model';
import { sha256 } from './graph';

export interface CmsBasename {
  readonly basename: string;
  /** One sentence for the step descriptions and PLAN.md. */
  readonly reason: string;
}

/**
 * Declared: as declared. Source ca: `<service>-<first 8 hex of the leaf's SHA-256>`, so a new
 * certificate never lands on the files in service. Source server-csr: `<service>-<8 hex of the CSR's
 * names, server and renewal label>`, stable from the CSR until the signed certificate is uploaded.
 */
export function cmsBasename(cert: CmsCertificateDecl, names: CmsExpectedNames, leafSha256?: string): CmsBasename {
  if (cert.basename) {
    return { basename: cert.basename, reason: `declared basename '${cert.basename}'; the upload refuses to overwrite a different file of that name on the server` };
  }
  if (cert.source === 'ca') {
    if (!leafSha256) throw new Error(`cmsBasename: a ${cert.service} certificate from the CA needs its fingerprint`);
    return {
      basename: `${cert.service}-${leafSha256.slice(0, 8)}`,
      reason: 'new basename from the certificate fingerprint, never the key in service (pki csr or an upload over it breaks that service at once)',
    };
  }
  const material = JSON.stringify([cert.cluster, cert.service, cert.scope, cert.server ?? '', names.commonName, names.subjectAltNames, cert.subject ?? {}, cert.renewal ?? '']);
  return {
    basename: `${cert.service}-${sha256(material).slice(0, 8)}`,
    reason: `new basename from the CSR's names${cert.renewal ? ` and renewal '${cert.renewal}'` : ''}, never the key in service: pki csr is refused when a key of that name exists without its CSR (set renewal to renew with unchanged names)`,
  };
}
