/**
 * The Serviceability Control Center SOAP service (namespace http://schemas.cisco.com/ast/soap):
 * soapDoControlServices acts on the node named in the request and returns when the action
 * finished; soapGetServiceStatus reports the node it is sent to. Cisco Tomcat is refused:
 * the service runs inside Tomcat, so it is restarted over the CLI only.
 */
import { Service } from '../../catalog';
import { ControlType, SERVICE_NOT_ACTIVATED, controlService, knownService } from './service-control';
import { ServiceStatus } from './state';
import { findSpec } from './topology';
import { TwinWorld } from './world';

export const SOAP_PATH = '/controlcenterservice2/services/ControlCenterServices';
const NS = 'http://schemas.cisco.com/ast/soap';

export interface XmlReply {
  readonly status: number;
  readonly body: string;
}

interface ServiceInfo {
  readonly name: string;
  readonly status: string;
  readonly reasonCode: number;
  readonly reason: string;
  readonly startTime: string;
  readonly upTime: number;
}

export async function handleSoap(world: TwinWorld, fqdn: string, soapAction: string, body: string): Promise<XmlReply> {
  // SOAPAction is `"soapGetServiceStatus"` or a URI ending in `#soapGetServiceStatus`; else the body names it.
  const fromHeader = soapAction.replace(/"/g, '').split(/[/#]/).pop() ?? '';
  const action = fromHeader || (/soapDoControlServices|soapGetServiceStatus/.exec(body)?.[0] ?? '');
  if (action === 'soapGetServiceStatus') {
    const wanted = elements(body, 'item');
    const names = wanted.length > 0 ? wanted : world.spec(fqdn).services.map((s) => s.name);
    return reply('soapGetServiceStatus', names.map((n) => statusInfo(world, fqdn, n)));
  }
  if (action !== 'soapDoControlServices') return fault('Client', `Unknown operation '${action}': use soapDoControlServices or soapGetServiceStatus`);
  const nodeName = elements(body, 'NodeName')[0] ?? fqdn;
  const target = findSpec(world.specs, nodeName);
  if (!target || target.cluster.name !== world.spec(fqdn).cluster.name) return fault('Client', `Node ${nodeName} is not a node of this cluster`);
  const type = elements(body, 'ControlType')[0] as ControlType;
  if (!['Restart', 'Start', 'Stop'].includes(type)) return fault('Client', `ControlType must be Start, Stop or Restart, got '${type ?? ''}'`);
  const services = elements(body, 'item');
  if (services.some((s) => s.toLowerCase() === Service.TOMCAT.toLowerCase())) {
    return fault('Server', 'Cisco Tomcat cannot be controlled through the Control Center service: restart it with utils service restart Cisco Tomcat');
  }
  const infos: ServiceInfo[] = [];
  for (const service of services) {
    if (world.faults(target.fqdn).unreachable) {
      infos.push({ name: service, status: 'Stopped', reasonCode: -1, reason: `Node ${target.fqdn} is not reachable`, startTime: '', upTime: -1 });
      continue;
    }
    const result = await controlService(world, target.fqdn, service, type);
    const info = statusInfo(world, target.fqdn, service);
    infos.push(result.ok ? info : { ...info, reasonCode: result.reason === SERVICE_NOT_ACTIVATED ? -1068 : -1019, reason: result.reason ?? 'failed' });
  }
  return reply('soapDoControlServices', infos);
}

function statusInfo(world: TwinWorld, fqdn: string, requested: string): ServiceInfo {
  const name = knownService(world, fqdn, requested);
  const record = name ? world.node(fqdn).services[name] : undefined;
  if (!name || !record) return { name: requested, status: 'Unknown', reasonCode: -1, reason: 'Service not found on this node', startTime: '', upTime: -1 };
  if (record.status === 'Not Activated') return { name, status: 'Stopped', reasonCode: -1068, reason: SERVICE_NOT_ACTIVATED, startTime: '', upTime: -1 };
  const started = record.status === 'STARTED' && record.startedAt;
  return {
    name,
    status: soapStatus(record.status),
    reasonCode: -1,
    reason: record.status === 'STOPPED' && record.lastError ? record.lastError : ' ',
    startTime: started ? record.startedAt! : '',
    upTime: started ? Math.floor((Date.now() - Date.parse(record.startedAt!)) / 1000) : -1,
  };
}

function soapStatus(status: ServiceStatus): string {
  return status.charAt(0) + status.slice(1).toLowerCase();
}

/** Text of every `<prefix:name>` element, XML-unescaped. */
function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => unescapeXml(m[1].trim()));
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function reply(operation: string, infos: readonly ServiceInfo[]): XmlReply {
  const items = infos
    .map(
      (i) =>
        `<item><ServiceName>${escapeXml(i.name)}</ServiceName><ServiceStatus>${i.status}</ServiceStatus><ReasonCode>${i.reasonCode}</ReasonCode>` +
        `<ReasonCodeString>${escapeXml(i.reason)}</ReasonCodeString><StartTime>${i.startTime}</StartTime><UpTime>${i.upTime}</UpTime></item>`,
    )
    .join('');
  const wrapper = operation === 'soapDoControlServices' ? 'ControlServiceResponse' : 'ServiceInformationResponse';
  return {
    status: 200,
    body:
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
      `<ns1:${operation}Response xmlns:ns1="${NS}"><${wrapper}><ReturnCode>0</ReturnCode><ServiceInfoList>${items}</ServiceInfoList></${wrapper}>` +
      `</ns1:${operation}Response></soapenv:Body></soapenv:Envelope>`,
  };
}

function fault(code: 'Client' | 'Server', message: string): XmlReply {
  return {
    status: 500,
    body:
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
      `<soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  };
}
