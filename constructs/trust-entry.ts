import { Construct } from 'constructs';
import { buildTrustEntry } from '../lib/inventory/certificate-input';
import { TrustEntryDecl } from '../lib/model';
import { CucmCluster } from './cucm-cluster';
import { TrustStore } from './enums';
import { brand, hasBrand } from './brand';

const TRUST_SYMBOL = Symbol.for('uc-cert-rollout.TrustEntry');

export interface TrustEntryProps {
  /**
   * The cluster whose trust stores receive the certificate.
   */
  readonly cluster: CucmCluster;

  /**
   * The certificate file (PEM or DER), e.g. the Expressway-C root.
   */
  readonly certificate: string;

  /**
   * The trust stores to upload it to.
   */
  readonly stores: TrustStore[];

  /**
   * Name in the plan's step ids.
   *
   * @default - the construct id
   */
  readonly name?: string;
}

/** A certificate put into trust stores on its own (e.g. an Expressway-C root into tomcat-trust and CallManager-trust). */
export class TrustEntry extends Construct {
  /** True when `x` is a TrustEntry (of any copy of this package). */
  public static isTrustEntry(x: unknown): x is TrustEntry {
    return hasBrand(x, TRUST_SYMBOL);
  }

  /** @internal */
  public readonly _decl: TrustEntryDecl;

  constructor(scope: Construct, id: string, props: TrustEntryProps) {
    super(scope, id);
    brand(this, TRUST_SYMBOL);
    this._decl = buildTrustEntry({ ...props, cluster: props.cluster.name, name: props.name ?? id }, `TrustEntry '${id}'`);
  }
}
