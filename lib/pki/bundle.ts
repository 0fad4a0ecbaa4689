/**
 * Chains in the order each target wants (DOMAIN.md §3, §4): CUCM trust uploads root first
 * then each intermediate; CMS bundles entity first, root last, one newline at the end.
 */
import { CertificateView, parseCertificate } from './certificate';
import { walkChain } from './chain';
import { PkiInputError } from './errors';
import { readCertificates } from './input';
import { PemLabel, toPem } from './pem';

/** A certificate (or several) as PEM text or a buffer of PEM or DER. */
export type CertificateInput = Buffer | string;

function views(inputs: readonly CertificateInput[], label: string): CertificateView[] {
  return inputs.flatMap((input, i) => {
    const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
    return readCertificates(buf, `${label}[${i}]`).map((der, j) => parseCertificate(der, `${label}[${i}]#${j + 1}`));
  });
}

function unique(certs: CertificateView[]): CertificateView[] {
  const seen = new Set<string>();
  return certs.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
}

/** The CA certificates in issuance order, root first; throws when they are not one path to a self-signed root. */
function caPathRootFirst(cas: CertificateView[]): CertificateView[] {
  if (cas.length === 0) throw new PkiInputError('no CA certificate given: give the root and the intermediates');
  const longest = cas
    .map((c) => walkChain(c, cas))
    .reduce((best, w) => (w.path.length > best.path.length ? w : best));
  if (longest.end !== 'root' && longest.end !== 'anchor') {
    const top = longest.path[longest.path.length - 1];
    throw new PkiInputError(`CA chain does not reach a self-signed root: nothing issued '${top.subject}' (issuer '${top.issuer}'): add the root certificate`);
  }
  const onPath = new Set(longest.path.map((c) => c.sha256));
  const stray = cas.find((c) => !onPath.has(c.sha256));
  if (stray) throw new PkiInputError(`'${stray.subject}' is not on the chain of '${longest.path[0].subject}': remove it, or give it as a separate trust entry`);
  return [...longest.path].reverse();
}

/**
 * CUCM / IM&P trust uploads (`<purpose>-trust`): the root first, then each intermediate in the
 * order it was issued, so each upload names a certificate already trusted. Input in any order.
 */
export function cucmTrustUploadOrder(caCertificates: readonly CertificateInput[]): Buffer[] {
  return caPathRootFirst(unique(views(caCertificates, 'CA certificate'))).map((c) => c.der);
}

/** CMS certificate bundle: entity, then the intermediates from its issuer up, root last; exactly one trailing newline. */
export function cmsBundle(leaf: CertificateInput, intermediates: readonly CertificateInput[], root: CertificateInput): string {
  const [entity] = views([leaf], 'certificate');
  const cas = unique(views(intermediates, 'intermediate'));
  const [anchor] = views([root], 'root');
  const walk = walkChain(entity, cas, anchor);
  if (walk.end !== 'anchor') {
    const top = walk.path[walk.path.length - 1];
    throw new PkiInputError(`'${entity.subject}' does not chain to the root '${anchor.subject}': the chain stops at '${top.subject}' (issuer '${top.issuer}'): give the missing intermediate or the right root`);
  }
  const onPath = new Set(walk.path.map((c) => c.sha256));
  const stray = cas.find((c) => !onPath.has(c.sha256));
  if (stray) throw new PkiInputError(`intermediate '${stray.subject}' is not on the chain of '${entity.subject}': remove it from the bundle`);
  return pemText(walk.path);
}

/** CMS CA bundle: the same without the entity (issuing CA first, root last). */
export function cmsCaBundle(intermediates: readonly CertificateInput[], root: CertificateInput): string {
  const cas = unique([...views(intermediates, 'intermediate'), ...views([root], 'root')]);
  return pemText(caPathRootFirst(cas).reverse());
}

function pemText(certs: readonly CertificateView[]): string {
  return certs.map((c) => toPem(c.der, PemLabel.CERTIFICATE)).join('');
}
