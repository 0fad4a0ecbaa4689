/**
 * The example app: the lab cluster of the vendor guides and a larger cluster, declared
 * with the constructs (the same clusters as examples/lab.yaml and examples/large.yaml).
 * `npx cdktf synth` writes cdktf.out/stacks/<cluster>/{cdk.tf.json, plan.json, PLAN.md}.
 */
import { App } from 'cdktf';
import { join } from 'node:path';
import { packageRoot } from './lib/terraform/runner';
import {
  CertificateAuthority,
  CertificatePurpose,
  CucmCluster,
  Distribution,
  NodeApi,
  RolloutStack,
  SecurityMode,
  TrustEntry,
  TrustStore,
  ServiceCertificate,
} from './constructs';

// From the package root, so the compiled main (dist/main.js) finds them too.
const examples = join(packageRoot(), 'examples');
const app = new App();

// The lab: one publisher, one subscriber, one IM and Presence node.
const lab = new RolloutStack(app, 'lab', { baseDir: examples });
const labCa = new CertificateAuthority(lab, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
const labCluster = new CucmCluster(lab, 'lab', {
  publisher: { fqdn: 'cs-ccm-pub.example.com' },
  subscribers: [{ fqdn: 'cs-ccm-sub.example.com' }],
  imPresence: { databasePublisher: { fqdn: 'cs-imp.example.com' } },
  securityMode: SecurityMode.NON_SECURE,
  sso: false,
});
new ServiceCertificate(lab, 'Tomcat', {
  cluster: labCluster,
  purpose: CertificatePurpose.TOMCAT,
  distribution: Distribution.MULTI_SERVER,
  certificate: 'certs/lab-tomcat.pem',
  ca: labCa,
  // Issued with seed 000's 10.5 common name; a 15.0 publisher's CSR says cs-ccm-pub-ms.example.com.
  commonName: 'cs-ccm-pub.example.com-ms',
});
new ServiceCertificate(lab, 'CallManager', {
  cluster: labCluster,
  purpose: CertificatePurpose.CALLMANAGER,
  distribution: Distribution.MULTI_SERVER,
  certificate: 'certs/lab-callmanager.pem',
  ca: labCa,
  commonName: 'cs-ccm-pub.example.com-ms',
});

// A larger cluster: 1+5 CUCM, 2 IM and Presence nodes, mixed mode, SSO on.
const large = new RolloutStack(app, 'large', { baseDir: examples });
const corp = new CertificateAuthority(large, 'corp', { root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] });
const cluster = new CucmCluster(large, 'large', {
  publisher: { fqdn: 'cucm-pub.corp.example.com', address: '10.10.0.10', api: NodeApi.REST },
  subscribers: [
    ...[1, 2, 3, 4].map((i) => ({ fqdn: `cucm-sub${i}.corp.example.com`, address: `10.10.0.1${i}`, api: NodeApi.REST })),
    // A TFTP-only node: dropped from the CallManager SAN list (callManagerIncludeInactiveNodes: false).
    { fqdn: 'cucm-sub5.corp.example.com', address: '10.10.0.15', api: NodeApi.REST, services: ['Cisco TFTP'] },
  ],
  imPresence: {
    databasePublisher: { fqdn: 'imp-pub.corp.example.com', address: '10.10.0.20', api: NodeApi.REST, xmppFederation: true },
    subscribers: [{ fqdn: 'imp-sub1.corp.example.com', address: '10.10.0.21', api: NodeApi.REST }],
  },
  securityMode: SecurityMode.MIXED,
  sso: true,
  callManagerIncludeInactiveNodes: false,
  credentials: { usernameEnv: 'LARGE_CUCM_USER', passwordEnv: 'LARGE_CUCM_PASSWORD' },
});
const certificates: [string, CertificatePurpose, string][] = [
  ['Tomcat', CertificatePurpose.TOMCAT, 'certs/large-tomcat.pem'],
  ['TomcatEcdsa', CertificatePurpose.TOMCAT_ECDSA, 'certs/large-tomcat-ecdsa.pem'],
  ['CallManager', CertificatePurpose.CALLMANAGER, 'certs/large-callmanager.pem'],
  ['CupXmpp', CertificatePurpose.CUP_XMPP, 'certs/large-cup-xmpp.pem'],
  ['CupXmppS2s', CertificatePurpose.CUP_XMPP_S2S, 'certs/large-cup-xmpp-s2s.pem'],
];
for (const [id, purpose, certificate] of certificates) {
  // Issued with the 10.5 common name before the upgrade to 15.0 (seed 000).
  const commonName = [CertificatePurpose.CUP_XMPP, CertificatePurpose.CUP_XMPP_S2S].includes(purpose) ? 'imp-pub.corp.example.com-ms' : 'cucm-pub.corp.example.com-ms';
  new ServiceCertificate(large, id, { cluster, purpose, certificate, ca: corp, commonName });
}
// MRA: the Expressway-C root belongs in both tomcat-trust and CallManager-trust.
new TrustEntry(large, 'expressway-c-root', {
  cluster,
  certificate: 'ca/expressway-root.pem',
  stores: [TrustStore.TOMCAT_TRUST, TrustStore.CALLMANAGER_TRUST],
});

app.synth();
