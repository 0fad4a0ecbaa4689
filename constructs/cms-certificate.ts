import { Construct } from 'constructs';
import { buildCmsCertificate } from '../lib/inventory/cms-input';
import { CmsCertificateDecl } from '../lib/model';
import { CertificateAuthority } from './certificate-authority';
import { CmsCluster } from './cms-cluster';
import { CmsCertificateScope, CmsCertificateSource, CmsService } from './cms-enums';
import { Issuer } from './issuer';
import { brand, checkMemberOf, hasBrand } from './brand';

const CMS_CERT_SYMBOL = Symbol.for('uc-cert-rollout.CmsCertificate');

/** Optional subject fields of a `pki csr` (each one word: the MMP splits arguments at spaces). */
export interface CmsCsrSubjectProps {
  /**
   * OU.
   *
   * @default - none
   */
  readonly organizationalUnit?: string;

  /**
   * O.
   *
   * @default - none
   */
  readonly organization?: string;

  /**
   * ST.
   *
   * @default - none
   */
  readonly state?: string;

  /**
   * C: two-letter ISO country code.
   *
   * @default - none
   */
  readonly country?: string;
}

export interface CmsCertificateProps {
  /**
   * The Meeting Server cluster.
   */
  readonly cluster: CmsCluster;

  /**
   * The service the certificate is for.
   */
  readonly service: CmsService;

  /**
   * One per server, or one shared by the service's peers.
   *
   * @default - CmsCertificateScope.CLUSTERED for xmpp, CmsCertificateScope.PER_SERVER otherwise
   */
  readonly scope?: CmsCertificateScope;

  /**
   * Per-server: the FQDN of the server.
   *
   * @default - none (clustered)
   */
  readonly server?: string;

  /**
   * Your key and CA-signed certificate, or a key made on the server with `pki csr`.
   *
   * @default CmsCertificateSource.CERTIFICATE_AUTHORITY
   */
  readonly source?: CmsCertificateSource;

  /**
   * The signed certificate (PEM or DER file); server-csr: where it is saved once the CA signed the
   * CSR (by hand, or by `issuer`'s sign step).
   */
  readonly certificate: string;

  /**
   * Server-csr: the issuer whose sign step signs the CSR at apply time and writes the certificate
   * to `certificate` (no manual signing step). Exactly one of signing by hand (no issuer) or issuer.
   *
   * @default - none: a manual step, a person has the CA sign the CSR
   */
  readonly issuer?: Issuer;

  /**
   * Source CERTIFICATE_AUTHORITY: the private key file (sent over SFTP; the plan holds only its path).
   *
   * @default - none (required for CERTIFICATE_AUTHORITY)
   */
  readonly key?: string;

  /**
   * The CA that signs it.
   */
  readonly ca: CertificateAuthority;

  /**
   * A CA bundle to send as is (issuing CA first, root last, one trailing newline).
   *
   * @default - built from the CA's intermediates and root
   */
  readonly bundle?: string;

  /**
   * Key and certificate basename on the servers.
   *
   * @default - a new one the plan derives (never the key in service)
   */
  readonly basename?: string;

  /**
   * Server-csr: a label that gives a renewal with unchanged names a new basename (e.g. '2027').
   *
   * @default - none
   */
  readonly renewal?: string;

  /**
   * Server-csr: optional subject fields of the CSR.
   *
   * @default - CN (and SANs) only
   */
  readonly subject?: CmsCsrSubjectProps;
}

/** A Meeting Server service certificate: per server, or clustered across the service's peers. */
export class CmsCertificate extends Construct {
  /** True when `x` is a CmsCertificate (of any copy of this package). */
  public static isCmsCertificate(x: unknown): x is CmsCertificate {
    return hasBrand(x, CMS_CERT_SYMBOL);
  }

  /** @internal */
  public readonly _decl: CmsCertificateDecl;

  constructor(scope: Construct, id: string, props: CmsCertificateProps) {
    super(scope, id);
    brand(this, CMS_CERT_SYMBOL);
    const at = `CmsCertificate '${id}'`;
    this._decl = buildCmsCertificate({ ...props, cluster: props.cluster.name, ca: props.ca.name, issuer: props.issuer?.name }, at);
    checkMemberOf(at, 'server', this._decl.server, props.server, { name: props.cluster.name, members: props.cluster.serverNames });
  }
}
