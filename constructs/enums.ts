/** Certificate purposes of CUCM and IM and Presence (DOMAIN.md §2). */
export enum CertificatePurpose {
  TOMCAT = 'tomcat',
  TOMCAT_ECDSA = 'tomcat-ECDSA',
  CALLMANAGER = 'CallManager',
  CALLMANAGER_ECDSA = 'CallManager-ECDSA',
  CAPF = 'CAPF',
  TVS = 'TVS',
  IPSEC = 'ipsec',
  CUP = 'cup',
  CUP_ECDSA = 'cup-ECDSA',
  CUP_XMPP = 'cup-xmpp',
  CUP_XMPP_ECDSA = 'cup-xmpp-ECDSA',
  CUP_XMPP_S2S = 'cup-xmpp-s2s',
  CUP_XMPP_S2S_ECDSA = 'cup-xmpp-s2s-ECDSA',
}

/** Trust stores of CUCM and IM and Presence nodes. */
export enum TrustStore {
  TOMCAT_TRUST = 'tomcat-trust',
  CALLMANAGER_TRUST = 'CallManager-trust',
  CAPF_TRUST = 'CAPF-trust',
  TVS_TRUST = 'TVS-trust',
  IPSEC_TRUST = 'ipsec-trust',
  CUP_TRUST = 'cup-trust',
  CUP_XMPP_TRUST = 'cup-xmpp-trust',
}

/** One certificate for the whole cluster (SAN list), or one per node. */
export enum Distribution {
  MULTI_SERVER = 'multi-server',
  SINGLE_SERVER = 'single-server',
}

/** Enterprise parameter Cluster Security Mode: 0 non-secure, 1 mixed (CTL in use). */
export enum SecurityMode {
  NON_SECURE = 'non-secure',
  MIXED = 'mixed',
}

/** How the executor uploads certificates to a node. */
export enum NodeApi {
  /** The admin CLI over SSH: every release. */
  CLI = 'cli',
  /** The certificate REST API: release 14 and later. */
  REST = 'rest',
}

/** The Terraform resource that carries each plan step. */
export enum StepResourceType {
  /** Terraform's built-in `terraform_data`: no provider download, works air-gapped. */
  TERRAFORM_DATA = 'terraform_data',
  /** `null_resource` of the hashicorp/null provider (needs the provider available to `terraform init`). */
  NULL_RESOURCE = 'null_resource',
}
