/**
 * The chain from the leaf to the declared root: issuers present, signatures valid, the
 * right root, intermediates in order and nothing unrelated, every CA fit to be one.
 */
import { CertificateView, describeCertificate } from '../certificate';
import { isSelfSigned, walkChain } from '../chain';
import { lintSignatureHash } from './key';
import { LintFinding, finding } from './finding';
import { lintValidity } from './validity';

export interface ChainInput {
  readonly leaf: CertificateView;
  /** Intermediates (and possibly the root) in the order given. */
  readonly chain: readonly CertificateView[];
  /** How `chain` is meant to be ordered: issuing CA first (TLS, CMS bundle) or root's child first (CUCM upload, declarations). */
  readonly order: 'issuer-first' | 'root-first';
  /** Names the chain as a whole in messages (a file, or the CA declaration). */
  readonly chainLabel: string;
  /** Further certificates found after the leaf in its own file (a full-chain PEM). */
  readonly extra: readonly CertificateView[];
  /** The declared root; when absent a self-signed certificate of the chain is taken as the root. */
  readonly root?: CertificateView;
  readonly now: Date;
  readonly renewalWindowDays?: number;
}

export function lintChain(input: ChainInput): LintFinding[] {
  const { leaf, root } = input;
  const out: LintFinding[] = [];
  const pool = dedupe([...input.extra, ...input.chain]).filter((c) => c.sha256 !== leaf.sha256);

  if (isSelfSigned(leaf)) {
    out.push(finding('LEAF_SELF_SIGNED', `${leaf.label}: is self-signed (issuer = subject '${leaf.subject}'), not issued by ${root ? `the root ${describeCertificate(root)}` : 'a CA'}: upload the CA-signed certificate instead`, { certificate: leaf.label }));
    return out;
  }

  const walk = walkChain(leaf, pool, root);
  const top = walk.path[walk.path.length - 1];
  if (walk.end === 'bad-signature' && walk.namedIssuer) {
    const issuer = walk.namedIssuer;
    out.push(finding('CHAIN_SIGNATURE_INVALID', `${top.label}: signature does not verify with the key of ${issuer.label} ${describeCertificate(issuer)}, which bears its issuer's name: the certificate is damaged, or that CA was re-keyed: give the CA certificate that really issued it`, { certificate: top.label }));
  } else if (walk.end === 'missing-issuer') {
    out.push(finding('CHAIN_INCOMPLETE', `${top.label}: its issuer '${top.issuer}' is in neither the chain nor the root: add that CA certificate to the chain${root ? '' : ', and the root'}`, { certificate: top.label }));
  } else if (walk.end === 'root' && root && top.sha256 !== root.sha256) {
    out.push(finding('CHAIN_WRONG_ROOT', `${leaf.label}: chains to the root ${describeCertificate(top)}, not the declared root ${describeCertificate(root)}: declare the right CA, or have the certificate signed by it`, { certificate: leaf.label }));
  }

  const cas = walk.path.slice(1);
  cas.forEach((ca, i) => {
    const at = { certificate: ca.label };
    if (!ca.basicConstraints?.ca) {
      out.push(finding('CA_NOT_CA', `${ca.label}: issues ${walk.path[i].label} but lacks basicConstraints CA:TRUE: clients refuse the chain; use the CA's proper CA certificate`, at));
    }
    if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) {
      out.push(finding('CA_KEY_CERT_SIGN_MISSING', `${ca.label}: issues ${walk.path[i].label} but its key usage lacks keyCertSign: use the CA's proper CA certificate`, at));
    }
    const below = walk.path.slice(1, i + 1).filter((c) => !c.selfIssued).length;
    const limit = ca.basicConstraints?.pathLength;
    if (limit !== undefined && below > limit) {
      out.push(finding('CA_PATH_LENGTH', `${ca.label}: allows ${limit} intermediate(s) below it (pathLenConstraint) but the chain has ${below}: the CA hierarchy is too deep for it`, at));
    }
    if (!isSelfSigned(ca)) out.push(...lintSignatureHash(ca));
  });

  for (const cert of root && !cas.some((c) => c.sha256 === root.sha256) ? [...cas, root] : cas) {
    out.push(...lintValidity(cert, input.now, input.renewalWindowDays));
  }

  const onPath = new Set(walk.path.map((c) => c.sha256));
  for (const cert of pool) {
    if (!onPath.has(cert.sha256) && cert.sha256 !== root?.sha256 && cert.sha256 !== walk.namedIssuer?.sha256) {
      out.push(finding('CHAIN_UNRELATED', `${cert.label}: ${describeCertificate(cert)} is not on the path from ${leaf.label} to the root: remove it from the chain`, { certificate: cert.label }));
    }
  }

  const given = dedupe(input.chain).filter((c) => onPath.has(c.sha256) && c.sha256 !== leaf.sha256);
  const issuerFirst = cas.filter((c) => given.some((g) => g.sha256 === c.sha256));
  const expected = input.order === 'issuer-first' ? issuerFirst : [...issuerFirst].reverse();
  if (given.some((c, i) => c.sha256 !== expected[i].sha256)) {
    const names = (list: readonly CertificateView[]) => list.map((c) => `'${c.subject}'`).join(', ');
    const where = input.chainLabel;
    out.push(finding('CHAIN_ORDER', `${where}: intermediates are in the order ${names(given)}; ${input.order === 'issuer-first' ? 'issuing CA first' : "root's child first"} they are ${names(expected)}: reorder them`, { certificate: where }));
  }
  return out;
}

function dedupe(certs: readonly CertificateView[]): CertificateView[] {
  const seen = new Set<string>();
  return certs.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
}

/**
 * A certificate declared as a CA's root or intermediate must be a CA certificate, whatever
 * leaf it serves: it is uploaded to the trust store as that CA (a CA:FALSE leaf declared as
 * a root would be trusted as one).
 */
export function lintDeclaredCa(cert: CertificateView, role: 'root' | 'intermediate', caName: string): LintFinding[] {
  const out: LintFinding[] = [];
  const at = { certificate: cert.label };
  if (!cert.basicConstraints?.ca) {
    out.push(finding('CA_NOT_CA', `${cert.label}: declared as the ${role} of certificate authority '${caName}' but ${describeCertificate(cert)} lacks basicConstraints CA:TRUE: it is not a CA certificate; declare the CA's own certificate`, at));
  }
  if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
    out.push(finding('CA_KEY_CERT_SIGN_MISSING', `${cert.label}: declared as the ${role} of certificate authority '${caName}' but its key usage lacks keyCertSign: declare the CA's own certificate`, at));
  }
  return out;
}
