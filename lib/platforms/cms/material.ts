/**
 * What the pure CMS planner knows of a declared certificate's files: fingerprints, names and the
 * files the synth writes next to plan.json. cms-prepare.ts reads them; tests make them up.
 */
import { CmsCertificateDecl } from '../../model';
import { PlanFinding, StepCertificate } from '../../plan/types';

/** A file sent over SFTP, relative to plan.json, with the SHA-256 of its bytes. */
export interface CmsFileRef {
  readonly file: string;
  readonly sha256: string;
}

export interface CmsCertificateMaterial {
  /** The signed leaf (DER fingerprint and subject), `file` = the declared file relative to plan.json. */
  readonly leaf: StepCertificate;
  readonly keyType: 'RSA' | 'EC';
  /** Intermediates, issuing CA first. */
  readonly intermediates: readonly StepCertificate[];
  readonly root: StepCertificate;
  /** The leaf alone, as PEM. */
  readonly certificateFile: CmsFileRef;
  /** Intermediates then root (the declared bundle, or one built from the CA). */
  readonly caBundleFile: CmsFileRef;
  /** Entity, intermediates, root: for services whose certs command takes the full chain. */
  readonly fullChainFile?: CmsFileRef;
}

export interface CmsPlanOptions {
  /** The certificate's material; undefined while a server-made CSR awaits the CA's signature. */
  readonly material: (cert: CmsCertificateDecl) => CmsCertificateMaterial | undefined;
  /** The reference written into the plan for a declared file (relative to plan.json). */
  readonly fileRef: (declaredPath: string) => string;
  /**
   * The declared CA's certificates (root first, then each intermediate), relative to plan.json with
   * their fingerprints: what a sign step's leaf must chain to. Needed by certificates with an issuer.
   */
  readonly caChain?: (caName: string) => readonly StepCertificate[];
  /** Lint warnings to show the reviewer. */
  readonly warnings?: readonly PlanFinding[];
}
