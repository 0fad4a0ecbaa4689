/**
 * PKI figures for `npm run bench`: lint throughput over a few thousand distinct leafs, and
 * CSR generation time per key type. scripts/bench.mjs calls benchPki(); `npx tsx bench/pki.ts` prints it.
 */
import { performance } from 'node:perf_hooks';
import { buildCluster } from '../lib/inventory';
import {
  KeySpec,
  createLabCa,
  generateCsr,
  generateKeyPair,
  importKeyPair,
  issueCertificate,
  lintCertificate,
  toPem,
} from '../lib/pki';
import { x509 } from '../lib/pki/x509';

const LEAFS = 3000;
const LINT_RUNS = 5;
const NODES = ['cucm-pub.bench.example.com', 'cucm-sub1.bench.example.com', 'cucm-sub2.bench.example.com', 'imp-pub.bench.example.com'];
const CN = `${NODES[0]}-ms`;

const CSR_KINDS: readonly { label: string; spec: Pick<KeySpec, 'keySize' | 'curve'>; purpose: string; iterations: number }[] = [
  { label: 'RSA-2048', spec: { keySize: 2048 }, purpose: 'tomcat', iterations: 5 },
  { label: 'RSA-3072', spec: { keySize: 3072 }, purpose: 'tomcat', iterations: 3 },
  { label: 'RSA-4096', spec: { keySize: 4096 }, purpose: 'tomcat', iterations: 2 },
  { label: 'EC-P-256', spec: { curve: 'P-256' }, purpose: 'tomcat-ECDSA', iterations: 20 },
  { label: 'EC-P-384', spec: { curve: 'P-384' }, purpose: 'tomcat-ECDSA', iterations: 20 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Distinct tomcat leafs from one lab CA: one RSA key for all (key generation is not what is measured). */
async function makeLeafs(count: number) {
  const ca = await createLabCa({ intermediate: true });
  const issuing = ca.intermediate!;
  const { keys, spec } = await importKeyPair(issuing.keyPem);
  const signer = { name: new x509.X509Certificate(issuing.certPem).subjectName, keys, spec };
  const leafKey = await generateKeyPair({ keyType: 'RSA', keySize: 2048 });
  const usage = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.SubjectAlternativeNameExtension([CN, ...NODES].map((value) => ({ type: 'dns' as const, value }))),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.dataEncipherment, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
  ];
  const leafs: Buffer[] = [];
  const notBefore = new Date(Date.now() - 86_400_000);
  for (let i = 0; i < count; i++) {
    const cert = await issueCertificate({
      subject: `CN=${CN}, O=Bench ${i}`,
      publicKey: leafKey.publicKey,
      signer,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 365 * 86_400_000),
      extensions: usage,
    });
    leafs.push(Buffer.from(toPem(cert.rawData, 'CERTIFICATE')));
  }
  return { leafs, chain: Buffer.from(issuing.certPem), root: Buffer.from(ca.root.certPem) };
}

export async function benchPki(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const { leafs, chain, root } = await makeLeafs(LEAFS);
  const signSeconds = (performance.now() - t0) / 1000;

  const perRun: number[] = [];
  for (let run = 0; run < LINT_RUNS; run++) {
    const start = performance.now();
    let findings = 0;
    for (const leaf of leafs) {
      findings += lintCertificate({ leaf, chain, root, purpose: 'tomcat', nodes: NODES, commonName: CN, distribution: 'multi-server' }).length;
    }
    if (findings !== 0) throw new Error(`bench leafs should lint clean, got ${findings} findings`);
    perRun.push(leafs.length / ((performance.now() - start) / 1000));
  }

  const cluster = buildCluster({ name: 'bench', publisher: NODES[0], subscribers: NODES.slice(1, 3), imPresence: { databasePublisher: NODES[3] } }, 'bench');
  const csrMs: Record<string, { medianMs: number; iterations: number }> = {};
  for (const kind of CSR_KINDS) {
    const times: number[] = [];
    for (let i = 0; i < kind.iterations; i++) {
      const start = performance.now();
      await generateCsr({ cluster, purpose: kind.purpose, distribution: 'multi-server', ...kind.spec });
      times.push(performance.now() - start);
    }
    csrMs[kind.label] = { medianMs: round(median(times)), iterations: kind.iterations };
  }

  return {
    lint: {
      leafs: leafs.length,
      runs: LINT_RUNS,
      certificatesPerSecond: Math.round(median(perRun)),
      perRun: perRun.map((r) => Math.round(r)),
      input: 'PEM leaf + PEM issuing CA + PEM root, tomcat multi-server, 4 nodes, key and CSR checks off',
    },
    leafSigningPerSecond: Math.round(LEAFS / signSeconds),
    csrGeneration: csrMs,
    node: process.version,
  };
}

if (require.main === module) {
  benchPki().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
