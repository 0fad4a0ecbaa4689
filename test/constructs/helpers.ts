import { App, Testing } from 'cdktf';
import { join } from 'node:path';
import {
  CertificateAuthority,
  CertificatePurpose,
  CucmCluster,
  CucmClusterProps,
  RolloutStack,
  RolloutStackProps,
  ServiceCertificate,
} from '../../constructs';

export const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** The lab cluster of the seeds, declared with the constructs. */
export function labStack(app: App = Testing.app(), props: RolloutStackProps = {}, cluster: Partial<CucmClusterProps> = {}) {
  const stack = new RolloutStack(app, 'lab', { baseDir: EXAMPLES, runner: 'ucrollout', ...props });
  const ca = new CertificateAuthority(stack, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
  const c = new CucmCluster(stack, 'lab', {
    publisher: { fqdn: 'cs-ccm-pub.example.com' },
    subscribers: [{ fqdn: 'cs-ccm-sub.example.com' }],
    imPresence: { databasePublisher: { fqdn: 'cs-imp.example.com' } },
    ...cluster,
  });
  // The example certificates carry the 10.5 common name (examples/lab.yaml)
  const commonName = 'cs-ccm-pub.example.com-ms';
  new ServiceCertificate(stack, 'Tomcat', { cluster: c, purpose: CertificatePurpose.TOMCAT, certificate: 'certs/lab-tomcat.pem', ca, commonName });
  new ServiceCertificate(stack, 'CallManager', { cluster: c, purpose: CertificatePurpose.CALLMANAGER, certificate: 'certs/lab-callmanager.pem', ca, commonName });
  return { stack, ca, cluster: c };
}

export function synthJson(stack: RolloutStack): any {
  return JSON.parse(Testing.synth(stack, true));
}
