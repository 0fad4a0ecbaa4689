import { Construct } from 'constructs';
import { buildCertificateAuthority } from '../lib/inventory/certificate-input';
import { CertificateAuthorityDecl } from '../lib/model';

const CA_SYMBOL = Symbol.for('uc-cert-rollout.CertificateAuthority');

export interface CertificateAuthorityProps {
  /**
   * Name of the CA in the plan.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The root certificate (PEM or DER file).
   */
  readonly root: string;

  /**
   * Intermediate certificates, from the one the root signed down to the issuing CA.
   *
   * @default - none: the root issues the leaf certificates
   */
  readonly intermediates?: string[];
}

/** A certificate authority: root and ordered intermediates, uploaded root first into each trust store. */
export class CertificateAuthority extends Construct {
  /** True when `x` is a CertificateAuthority (of any copy of this package). */
  public static isCertificateAuthority(x: unknown): x is CertificateAuthority {
    return typeof x === 'object' && x !== null && CA_SYMBOL in x;
  }

  /** The name the plan uses. */
  public readonly name: string;

  /** @internal */
  public readonly _decl: CertificateAuthorityDecl;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    Object.defineProperty(this, CA_SYMBOL, { value: true });
    this._decl = buildCertificateAuthority({ ...props, name: props.name ?? id }, `CertificateAuthority '${id}'`);
    this.name = this._decl.name;
  }
}
