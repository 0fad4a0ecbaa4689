/**
 * Serviceability SOAP (`soapDoControlServices`, `soapGetServiceStatus`): restarts every
 * service except Cisco Tomcat, which runs this API and is restarted over the CLI only.
 */
import { NodeError, NodeUnreachableError } from './errors';
import { HttpsTarget, httpsRequest } from './https-request';
import { CONTROL_CENTER_PATH, ServiceInfo, controlServicesRequest, parseFault, parseServiceInfoList, serviceStatusRequest } from './soap-xml';

export const TOMCAT_SERVICE = 'Cisco Tomcat';

export class ServiceabilityClient {
  constructor(private readonly target: HttpsTarget) {}

  get fqdn(): string {
    return this.target.endpoint.fqdn;
  }

  /** Restart one service on this node; returns when the node reports it Started, throws otherwise. */
  async restart(service: string, timeoutMs = 900_000): Promise<ServiceInfo> {
    if (service === TOMCAT_SERVICE) {
      throw new NodeError(this.fqdn, `${TOMCAT_SERVICE} cannot be restarted over SOAP (the API runs inside it): use 'utils service restart ${TOMCAT_SERVICE}'`);
    }
    let xml: string;
    try {
      xml = await this.post('soapDoControlServices', controlServicesRequest(this.fqdn, 'Restart', [service]), timeoutMs);
    } catch (e) {
      if (!(e instanceof NodeUnreachableError)) throw e;
      // Like the CLI path: say which service, that it may still be restarting, and what to do.
      const why = (e as Error).message.replace(`${this.fqdn}: `, '');
      throw new NodeError(this.fqdn, `${service} did not finish restarting over SOAP (${why}): check 'utils service list' on the node, then run the step again`);
    }
    const info = this.pick(parseServiceInfoList(xml), service, 'soapDoControlServices');
    if (!/^started$/i.test(info.status)) {
      throw new NodeError(this.fqdn, `restart of ${service} ended ${info.status || 'without a status'}${info.reason ? `: ${info.reason}` : ''} (reason code ${info.reasonCode ?? '?'})`);
    }
    return info;
  }

  /** The status of one service; undefined when the node does not list it. */
  async status(service: string): Promise<ServiceInfo | undefined> {
    const xml = await this.post('soapGetServiceStatus', serviceStatusRequest([service]));
    return parseServiceInfoList(xml).find((i) => i.name.toLowerCase() === service.toLowerCase());
  }

  private pick(items: readonly ServiceInfo[], service: string, action: string): ServiceInfo {
    const info = items.find((i) => i.name.toLowerCase() === service.toLowerCase());
    if (!info) throw new NodeError(this.fqdn, `${action} answered no status for ${service}: is the service activated on this node?`);
    return info;
  }

  private async post(action: string, body: string, timeoutMs?: number): Promise<string> {
    const res = await httpsRequest(this.target, {
      method: 'POST',
      path: CONTROL_CENTER_PATH,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` },
      body,
      timeoutMs,
    });
    if (res.status === 401 || res.status === 403) {
      throw new NodeError(this.fqdn, `the Serviceability API refused the credentials (HTTP ${res.status}, credentials from ${this.target.credentials.source}): check the platform admin user and password`);
    }
    const fault = parseFault(res.body);
    if (fault) throw new NodeError(this.fqdn, `${action} failed: ${fault}`);
    if (res.status < 200 || res.status >= 300) throw new NodeError(this.fqdn, `${action} answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return res.body;
  }
}
