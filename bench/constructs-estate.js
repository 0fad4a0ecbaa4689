'use strict';
/**
 * The bench estate declared through the constructs (compiled: dist/constructs) and
 * synthesized by cdktf's `app.synth()`, in plain JavaScript run with plain `node`: what a
 * user's compiled `cdktf synth` app costs, next to the same bare-cdktf baseline as
 * `ucrollout plan`. argv: ESTATE_JSON (bench/estate.ts) OUTDIR.
 */
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { App } = require('cdktf');
const { CertificateAuthority, CucmCluster, Distribution, RolloutStack, ServiceCertificate } = require(join(__dirname, '..', 'dist', 'constructs'));

const [estateFile, outdir] = process.argv.slice(2);
const estate = JSON.parse(readFileSync(estateFile, 'utf8'));
const baseDir = dirname(estateFile);
const node = (n) => (typeof n === 'string' ? { fqdn: n } : n);
const app = new App({ outdir });
for (const c of estate.clusters) {
  const stack = new RolloutStack(app, c.name, { baseDir });
  const cas = new Map(estate.certificateAuthorities.map((ca) => [ca.name, new CertificateAuthority(stack, ca.name, { root: ca.root, intermediates: ca.intermediates })]));
  const cluster = new CucmCluster(stack, c.name, {
    publisher: node(c.publisher),
    subscribers: (c.subscribers || []).map(node),
    imPresence: c.imPresence && { databasePublisher: node(c.imPresence.databasePublisher), subscribers: (c.imPresence.subscribers || []).map(node) },
  });
  for (const cert of estate.certificates.filter((x) => x.cluster === c.name)) {
    new ServiceCertificate(stack, cert.purpose.replace(/[^A-Za-z0-9]/g, ''), {
      cluster,
      purpose: cert.purpose, // CertificatePurpose's values are the purpose names
      distribution: Distribution.MULTI_SERVER,
      certificate: cert.certificate,
      ca: cas.get(cert.ca),
    });
  }
}
app.synth();
