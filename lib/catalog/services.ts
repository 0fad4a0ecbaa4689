import { NodeDecl, isImpRole } from '../model';

/**
 * Service names exactly as `utils service list` prints them (DOMAIN.md §3, §5, §6).
 */
export const Service = {
  TOMCAT: 'Cisco Tomcat',
  UDS_TOMCAT: 'Cisco UDS Tomcat',
  AXL_TOMCAT: 'Cisco AXL Tomcat',
  AXL_WEB_SERVICE: 'Cisco AXL Web Service',
  CLIENT_PROFILE_AGENT: 'Cisco Client Profile Agent',
  PLATFORM_ADMIN_WEB_SERVICE: 'Cisco Platform Administrative Web Service',
  DRF_MASTER: 'Cisco DRF Master',
  DRF_LOCAL: 'Cisco DRF Local',
  CALLMANAGER: 'Cisco CallManager',
  TFTP: 'Cisco TFTP',
  CTIMANAGER: 'Cisco CTIManager',
  TVS: 'Cisco Trust Verification Service',
  CAPF: 'Cisco Certificate Authority Proxy Function',
  IPSEC_POLICY: 'IPsec Policy',
  SIP_PROXY: 'Cisco SIP Proxy',
  PRESENCE_ENGINE: 'Cisco Presence Engine',
  XCP_CONNECTION_MANAGER: 'Cisco XCP Connection Manager',
  XCP_WEB_CONNECTION_MANAGER: 'Cisco XCP Web Connection Manager',
  XCP_DIRECTORY_SERVICE: 'Cisco XCP Directory Service',
  XCP_ROUTER: 'Cisco XCP Router',
  XCP_FEDERATION_CONNECTION_MANAGER: 'Cisco XCP XMPP Federation Connection Manager',
  INTERCLUSTER_SYNC_AGENT: 'Cisco Intercluster Sync Agent',
} as const;

/** Network services: always running on every node of their platform, never "activated". */
export const CUCM_NETWORK_SERVICES: readonly string[] = [
  Service.TOMCAT,
  Service.UDS_TOMCAT,
  Service.AXL_TOMCAT,
  Service.PLATFORM_ADMIN_WEB_SERVICE,
  Service.DRF_LOCAL,
  Service.TVS,
];

export const IMP_NETWORK_SERVICES: readonly string[] = [
  Service.TOMCAT,
  Service.PLATFORM_ADMIN_WEB_SERVICE,
  Service.DRF_LOCAL,
  Service.INTERCLUSTER_SYNC_AGENT,
];

/** The node runs the service: activated as a feature service, or a network service of its platform. */
export function runsService(node: NodeDecl, service: string): boolean {
  const network = isImpRole(node.role) ? IMP_NETWORK_SERVICES : CUCM_NETWORK_SERVICES;
  return node.services.includes(service) || network.includes(service);
}

/** Feature services a node is assumed to run when the declaration does not list them. */
export const DEFAULT_ACTIVATED_SERVICES = {
  publisher: [Service.CALLMANAGER, Service.TFTP, Service.CTIMANAGER, Service.CAPF, Service.DRF_MASTER],
  subscriber: [Service.CALLMANAGER, Service.TFTP, Service.CTIMANAGER],
  'imp-database-publisher': [Service.SIP_PROXY, Service.PRESENCE_ENGINE, Service.XCP_CONNECTION_MANAGER, Service.XCP_ROUTER],
  'imp-subscriber': [Service.SIP_PROXY, Service.PRESENCE_ENGINE, Service.XCP_CONNECTION_MANAGER, Service.XCP_ROUTER],
} as const;

/** The services that must be running before any change (DOMAIN.md §3, preflight 1). */
export const PREFLIGHT_SERVICES: readonly string[] = [Service.PLATFORM_ADMIN_WEB_SERVICE, Service.TOMCAT];

/** Lower-case, dash-separated form of a service name for step ids: `Cisco Tomcat` → `cisco-tomcat`. */
export function serviceSlug(service: string): string {
  return service.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
