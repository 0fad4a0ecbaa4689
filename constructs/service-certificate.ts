import { Construct } from 'constructs';
import { purposeNames } from '../lib/catalog';
import { CertificateDecl, checkFqdn, checkOneOf, throwIfProblems } from '../lib/model';
import { CertificateAuthority } from './certificate-authority';
import { CucmCluster } from './cucm-cluster';
import { CertificatePurpose, Distribution } from './enums';

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
   * The CA-signed certificate (PEM or DER file).
   */
  readonly certificate: string;

  /**
   * The CA that issued it.
   */
  readonly ca: CertificateAuthority;

  /**
   * The CSR it was signed from: lint checks the public key matches.
   *
   * @default - not checked
   */
  readonly csr?: string;
}

/** A CA-signed certificate to install for a purpose, on the whole cluster or one node. */
export class ServiceCertificate extends Construct {
  /** True when `x` is a ServiceCertificate (of any copy of this package). */
  public static isServiceCertificate(x: unknown): x is ServiceCertificate {
    return typeof x === 'object' && x !== null && CERT_SYMBOL in x;
  }

  /** @internal */
  public readonly _decl: CertificateDecl;

  constructor(scope: Construct, id: string, props: ServiceCertificateProps) {
    super(scope, id);
    Object.defineProperty(this, CERT_SYMBOL, { value: true });
    const at = `ServiceCertificate '${id}'`;
    const distribution = props.distribution ?? Distribution.MULTI_SERVER;
    throwIfProblems([
      checkOneOf(`${at}: purpose`, props.purpose, purposeNames()),
      props.certificate ? undefined : `${at}: certificate must be the signed certificate's file`,
      distribution === Distribution.SINGLE_SERVER && !props.node ? `${at}: a single-server certificate needs node (the FQDN it is for)` : undefined,
      props.node !== undefined ? checkFqdn(`${at}: node`, props.node) : undefined,
      props.node && !props.cluster.nodeNames.includes(props.node.toLowerCase())
        ? `${at}: node '${props.node}' is not in cluster '${props.cluster.name}': use one of ${props.cluster.nodeNames.join(', ')}`
        : undefined,
    ]);
    this._decl = {
      cluster: props.cluster.name,
      purpose: props.purpose,
      distribution,
      node: props.node?.toLowerCase(),
      certificate: props.certificate,
      ca: props.ca.name,
      csr: props.csr,
    };
  }
}
