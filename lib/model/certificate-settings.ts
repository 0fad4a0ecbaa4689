/**
 * Settings of seed 002's certificate monitoring task flow that a cluster can declare: the
 * Certificate Expiry Monitor and revocation checking by OCSP. The platform offers no API the
 * drivers use for them, so the plan carries them as manual steps stating the exact values.
 */

/** Security > Certificate Monitor (Cisco Unified OS Administration, and IM and Presence OS Administration). */
export interface CertificateMonitorDecl {
  /** Notification Start Time: days before expiry when notifications start. */
  readonly notificationStartDays: number;
  /** Notification Frequency, in hours. */
  readonly notificationFrequencyHours: number;
  /** Enable E-mail notification. */
  readonly emailNotification: boolean;
  /** E-mail IDs the notifications go to. */
  readonly emailIds: readonly string[];
  /** Enable LSC Monitoring: include the phones' LSCs in the status check. */
  readonly lscMonitoring: boolean;
}

/** Security > Certificate Revocation (OCSP), and the CUCM enterprise parameters for long-lived links. */
export interface RevocationDecl {
  /** The OCSP responder ("Use configured OCSP URI"); absent: "Use OCSP URI from Certificate". */
  readonly ocspResponder?: string;
  /** Enable Revocation Check, Check Every: hours. */
  readonly checkIntervalHours: number;
  /** Enterprise parameter Certificate Validity Check (CTI, IPsec, LDAP links): True. */
  readonly validityCheck: boolean;
  /** Enterprise parameter Validity Check Frequency, in hours (with validityCheck). */
  readonly validityCheckFrequencyHours?: number;
}
