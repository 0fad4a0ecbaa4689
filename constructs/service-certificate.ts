import { Construct } from 'constructs';
import { buildCertificate } from '../lib/inventory/certificate-input';
import { CertificateDecl } from '../lib/model';
import { CertificateAuthority } from './certificate-authority';
import { CucmCluster } from './cucm-cluster';
import { CertificatePurpose, Distribution } from './enums';
import { Issuer } from './issuer';
import { brand, checkMemberOf, hasBrand } from './brand';

const CERT_SYMBOL = Symbol.for('uc-cert-rollout.ServiceCertificate');

export interface ServiceCertificateProps {
  /**
   * The cluster the certificate is for.
   */
  readonly cluster: CucmCluster;

  /**
   * The certificate purpose (tomcat, CallManager, …).
   */
  readonly purpose: CertificatePurpose;

  /**
   * One certificate for the cluster (SAN list) or one for a node.
   *
   * @default Distribution.MULTI_SERVER
   */
  readonly distribution?: Distribution;

  /**
   * Single-server: the FQDN of the node.
   *
   * @default - none (multi-server)
   */
  readonly node?: string;

  /**
   * The CA-signed certificate (PEM or DER file), signed from a CSR the node made earlier.
   * Exactly one of `certificate` and `issuer`.
   *
   * @default - none: `issuer` signs a CSR the plan has the node generate
   */
  readonly certificate?: string;

  /**
   * The issuer that signs the CSR the plan has the node generate (the real certificate path: no
   * private key leaves the node). Exactly one of `certificate` and `issuer`.
   *
   * @default - none: `certificate` is the signed file
   */
  readonly issuer?: Issuer;

  /**
   * Issued certificates: raise it to request a new certificate from a fresh CSR (a re-apply
   * with the same generation never requests a second one).
   *
   * @default 0
   */
  readonly renewalGeneration?: number;

  /**
   * Issued certificates: SAN DNS names to request besides the ones the platform puts in.
   *
   * @default - none
   */
  readonly extraNames?: string[];

  /**
   * The CA whose chain goes into the trust store (the one that issued the certificate).
   */
  readonly ca: CertificateAuthority;

  /**
   * The CSR it was signed from: lint checks the public key matches.
   *
   * @default - not checked
   */
  readonly csr?: string;

  /**
   * The CSR's common name, when it is not the platform's (e.g. issued on 10.5 before an upgrade).
   *
   * @default - multi-server: `<host>-ms.<domain>` from 11.5, `<publisher FQDN>-ms` on 10.5; single-server: the node FQDN
   */
  readonly commonName?: string;
}

/** A CA-signed certificate to install for a purpose, on the whole cluster or one node. */
export class ServiceCertificate extends Construct {
  /** True when `x` is a ServiceCertificate (of any copy of this package). */
  public static isServiceCertificate(x: unknown): x is ServiceCertificate {
    return hasBrand(x, CERT_SYMBOL);
  }

  /** @internal */
  public readonly _decl: CertificateDecl;

  constructor(scope: Construct, id: string, props: ServiceCertificateProps) {
    super(scope, id);
    brand(this, CERT_SYMBOL);
    const at = `ServiceCertificate '${id}'`;
    this._decl = buildCertificate({ ...props, cluster: props.cluster.name, ca: props.ca.name, issuer: props.issuer?.name }, at);
    checkMemberOf(at, 'node', this._decl.node, props.node, { name: props.cluster.name, members: props.cluster.nodeNames });
  }
}
