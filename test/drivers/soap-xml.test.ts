import { describe, expect, it } from 'vitest';
import { controlServicesRequest, parseFault, parseServiceInfoList, serviceStatusRequest } from '../../lib/drivers/soap-xml';

describe('Serviceability SOAP wire format', () => {
  it('builds the documented request bodies', () => {
    const body = controlServicesRequest('cs-ccm-pub.example.com', 'Restart', ['Cisco CallManager']);
    expect(body).toContain(
      '<soap:soapDoControlServices><soap:ControlServiceRequest><soap:NodeName>cs-ccm-pub.example.com</soap:NodeName><soap:ControlType>Restart</soap:ControlType><soap:ServiceList><soap:item>Cisco CallManager</soap:item></soap:ServiceList></soap:ControlServiceRequest></soap:soapDoControlServices>',
    );
    expect(body).toContain('xmlns:soap="http://schemas.cisco.com/ast/soap"');
    expect(serviceStatusRequest(['A & B'])).toContain('<soap:soapGetServiceStatus><soap:ServiceStatus><soap:item>A &amp; B</soap:item></soap:ServiceStatus></soap:soapGetServiceStatus>');
  });

  it('reads service items with or without namespace prefixes', () => {
    const xml = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
      <ns1:soapDoControlServicesResponse xmlns:ns1="http://schemas.cisco.com/ast/soap"><ns1:ControlServiceResponse>
      <ns1:ReturnCode>0</ns1:ReturnCode>
      <ns1:ServiceInfoList>
        <ns1:item><ns1:ServiceName>Cisco CallManager</ns1:ServiceName><ns1:ServiceStatus>Started</ns1:ServiceStatus><ns1:ReasonCode>-1</ns1:ReasonCode><ns1:ReasonCodeString> </ns1:ReasonCodeString><ns1:StartTime>2025-01-02T03:04:05.000Z</ns1:StartTime><ns1:UpTime>3</ns1:UpTime></ns1:item>
        <item><ServiceName>Cisco TFTP</ServiceName><ServiceStatus>Stopped</ServiceStatus><ReasonCode>-1068</ReasonCode><ReasonCodeString>Service failed &amp; stopped</ReasonCodeString></item>
      </ns1:ServiceInfoList></ns1:ControlServiceResponse></ns1:soapDoControlServicesResponse></soapenv:Body></soapenv:Envelope>`;
    expect(parseServiceInfoList(xml)).toEqual([
      { name: 'Cisco CallManager', status: 'Started', reasonCode: '-1', reason: undefined, startTime: '2025-01-02T03:04:05.000Z', upTime: '3' },
      { name: 'Cisco TFTP', status: 'Stopped', reasonCode: '-1068', reason: 'Service failed & stopped', startTime: undefined, upTime: undefined },
    ]);
    expect(parseFault(xml)).toBeUndefined();
  });

  it('reads a SOAP fault', () => {
    const xml = '<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Cisco Tomcat cannot be controlled</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    expect(parseFault(xml)).toBe('Cisco Tomcat cannot be controlled');
  });
});
