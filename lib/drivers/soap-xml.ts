/**
 * Wire format of the Serviceability Control Center SOAP API: request envelopes and a
 * tolerant reader of the answers (any namespace prefix, any element order).
 */

export const SOAP_NAMESPACE = 'http://schemas.cisco.com/ast/soap';
export const CONTROL_CENTER_PATH = '/controlcenterservice2/services/ControlCenterServices';

export type ControlType = 'Start' | 'Stop' | 'Restart';

export interface ServiceInfo {
  readonly name: string;
  /** `Started`, `Stopped`, `Starting`… as the node prints it. */
  readonly status: string;
  readonly reasonCode?: string;
  readonly reason?: string;
  /** ISO-8601 time the service last started, when the node says. */
  readonly startTime?: string;
  readonly upTime?: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="${SOAP_NAMESPACE}">` +
    `<soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

export function controlServicesRequest(nodeName: string, control: ControlType, services: readonly string[]): string {
  const items = services.map((s) => `<soap:item>${escapeXml(s)}</soap:item>`).join('');
  return envelope(
    `<soap:soapDoControlServices><soap:ControlServiceRequest>` +
      `<soap:NodeName>${escapeXml(nodeName)}</soap:NodeName><soap:ControlType>${control}</soap:ControlType>` +
      `<soap:ServiceList>${items}</soap:ServiceList>` +
      `</soap:ControlServiceRequest></soap:soapDoControlServices>`,
  );
}

export function serviceStatusRequest(services: readonly string[]): string {
  const items = services.map((s) => `<soap:item>${escapeXml(s)}</soap:item>`).join('');
  return envelope(`<soap:soapGetServiceStatus><soap:ServiceStatus>${items}</soap:ServiceStatus></soap:soapGetServiceStatus>`);
}

function unescapeXml(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Text of the first `<[prefix:]name>` element inside `xml`. */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(xml);
  return m ? unescapeXml(m[1]).trim() : undefined;
}

/** The items of `ServiceInfoList` (each with a ServiceName). */
export function parseServiceInfoList(xml: string): ServiceInfo[] {
  const list = new RegExp(`<(?:[\\w.-]+:)?ServiceInfoList(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?ServiceInfoList>`).exec(xml)?.[1] ?? xml;
  const items = list.match(/<(?:[\w.-]+:)?item(?:\s[^>]*)?>[\s\S]*?<\/(?:[\w.-]+:)?item>/g) ?? [];
  const out: ServiceInfo[] = [];
  for (const item of items) {
    const name = element(item, 'ServiceName');
    if (!name) continue;
    out.push({
      name,
      status: element(item, 'ServiceStatus') ?? '',
      reasonCode: element(item, 'ReasonCode'),
      reason: element(item, 'ReasonCodeString') || undefined,
      startTime: element(item, 'StartTime') || undefined,
      upTime: element(item, 'UpTime') || undefined,
    });
  }
  return out;
}

/** `faultstring` of a SOAP Fault, if the answer is one. */
export function parseFault(xml: string): string | undefined {
  if (!/<(?:[\w.-]+:)?Fault[\s>]/.test(xml)) return undefined;
  return element(xml, 'faultstring') ?? element(xml, 'Text') ?? 'SOAP Fault without a faultstring';
}
