/**
 * Test helpers for the drivers and the executor: a lab CA with keys (the twin must find the
 * leaf's private key to serve it), declarations of a three-node cluster, the plan the
 * planner makes of them, and the twin started on its own loopback addresses.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACTIVATED_SERVICES, Service } from '../../lib/catalog';
import { Credentials } from '../../lib/drivers/credentials';
import { HostKeyPins } from '../../lib/drivers/host-keys';
import { Endpoint, ResolveMap, endpointFor, loadResolveMap } from '../../lib/drivers/resolve';
import { RunStepOptions, runStep } from '../../lib/executor/run-step';
import { StepOutcome } from '../../lib/executor/outcome';
import { ClusterDecl, Declarations, NodeDecl, NodeRole } from '../../lib/model';
import { ClusterPlan, prepareClusterPlan } from '../../lib/platforms';
import { RunningTwin, startTwin } from '../../lib/simulator';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const PUB = 'cs-ccm-pub.example.com';
export const SUB = 'cs-ccm-sub.example.com';
export const IMP = 'cs-imp.example.com';
export const USER_ENV = 'DRIVER_TEST_USER';
export const PASS_ENV = 'DRIVER_TEST_PASSWORD';
export const ENV = { [USER_ENV]: 'drvadmin', [PASS_ENV]: 'drv-secret-7' };

const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const notBefore = new Date(Date.now() - 3600_000);
const notAfter = new Date(Date.now() + 365 * 86400_000);

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `drivers-${label}-`));
}

export function sha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

export interface LabCerts {
  readonly root: string;
  readonly issuing: string;
  /** Multi-server tomcat leaf (RSA) for every node, and cup-xmpp (RSA) for the IM&P node. */
  readonly tomcat: string;
  readonly cupXmpp: string;
}

/** Root and issuing CA (EC), two RSA leafs; files under `dir`, leaf keys under `dir/keys`. */
export async function makeLabCerts(dir: string): Promise<LabCerts> {
  mkdirSync(join(dir, 'ca'), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const ec = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const rootKeys = (await webcrypto.subtle.generateKey(ec, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Driver Test Root CA, O=Test',
    keys: rootKeys,
    signingAlgorithm: EC_SIGN,
    notBefore,
    notAfter,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const issKeys = (await webcrypto.subtle.generateKey(ec, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Driver Test Issuing CA, O=Test',
    issuer: root.subject,
    publicKey: issKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_SIGN,
    notBefore,
    notAfter,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  let serial = 16;
  const leaf = async (file: string, cn: string, sans: string[]): Promise<string> => {
    const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    const keys = (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16),
      subject: `CN=${cn}, O=Test`,
      issuer: issuing.subject,
      publicKey: keys.publicKey,
      signingKey: issKeys.privateKey,
      signingAlgorithm: EC_SIGN,
      notBefore,
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.5']),
        new x509.SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'dns' as const, value }))),
      ],
    });
    const pem = cert.toString('pem') + '\n';
    writeFileSync(join(dir, 'certs', file), pem);
    writeFileSync(join(dir, 'keys', file.replace(/\.pem$/, '.key')), await pkcs8Pem(keys.privateKey), { mode: 0o600 });
    return pem;
  };
  const rootPem = root.toString('pem') + '\n';
  const issuingPem = issuing.toString('pem') + '\n';
  writeFileSync(join(dir, 'ca', 'root.pem'), rootPem);
  writeFileSync(join(dir, 'ca', 'issuing.pem'), issuingPem);
  const ms = `${PUB}-ms`;
  const tomcat = await leaf('tomcat.pem', ms, [ms, PUB, SUB, IMP]);
  const cupXmpp = await leaf('cup-xmpp.pem', `${IMP}-ms`, [`${IMP}-ms`, IMP]);
  return { root: rootPem, issuing: issuingPem, tomcat, cupXmpp };
}

function node(fqdn: string, role: NodeRole, extra: Partial<NodeDecl>): NodeDecl {
  return { fqdn, role, address: fqdn, services: [...DEFAULT_ACTIVATED_SERVICES[role]], api: 'cli', sshHostKeys: [], version: '15.0', ports: {}, ...extra };
}

export interface LabOptions {
  /** Declare the tomcat (and cup-xmpp) certificates. @default true */
  readonly certificates?: boolean;
  readonly securityMode?: 'non-secure' | 'mixed';
  readonly pubExtra?: Partial<NodeDecl>;
  readonly subExtra?: Partial<NodeDecl>;
  readonly impExtra?: Partial<NodeDecl>;
  readonly knownHostsFile?: string;
}

/**
 * Publisher 15.0 over the CLI, subscriber 14.0 over the CLI (block format of `show cert
 * list`), IM&P database publisher 15.0 over REST.
 */
export function labDeclarations(opts: LabOptions = {}): Declarations {
  const cluster: ClusterDecl = {
    name: 'lab',
    nodes: [
      node(PUB, 'publisher', opts.pubExtra ?? {}),
      node(SUB, 'subscriber', { version: '14.0', ...opts.subExtra }),
      node(IMP, 'imp-database-publisher', { api: 'rest', ...opts.impExtra }),
    ],
    securityMode: opts.securityMode ?? 'non-secure',
    sso: false,
    credentials: { usernameEnv: USER_ENV, passwordEnv: PASS_ENV },
    knownHostsFile: opts.knownHostsFile,
    interclusterPeers: [],
    cleanupDelaySeconds: 0,
  };
  const withCerts = opts.certificates ?? true;
  return {
    clusters: [cluster],
    certificateAuthorities: withCerts ? [{ name: 'corp', root: 'ca/root.pem', intermediates: ['ca/issuing.pem'] }] : [],
    certificates: withCerts
      ? [
          { cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: 'certs/tomcat.pem', ca: 'corp' },
          { cluster: 'lab', purpose: 'cup-xmpp', distribution: 'multi-server', certificate: 'certs/cup-xmpp.pem', ca: 'corp' },
        ]
      : [],
    trustEntries: [],
  };
}

export interface Lab {
  readonly dir: string;
  readonly certs: LabCerts;
  readonly declarations: Declarations;
  readonly plan: ClusterPlan;
  readonly planPath: string;
  readonly twin: RunningTwin;
  readonly readyFile: string;
  readonly resolve: ResolveMap;
  /**
   * `ucrollout step run` in-process, against the twin, of this step alone (`dependencies: 'ignore'`):
   * the tests run steps in their own order, and out of order to see what a node refuses.
   */
  run(id: string, extra?: Partial<RunStepOptions>): Promise<StepOutcome>;
  endpoint(fqdn: string, port: string): Endpoint;
  credentials(): Credentials;
  pins(fqdn: string): HostKeyPins;
  stop(): Promise<void>;
}

export async function startLab(addressBase: string, opts: LabOptions & { restartMillis?: number } = {}): Promise<Lab> {
  const dir = tempDir('lab');
  const certs = await makeLabCerts(dir);
  const declarations = labDeclarations(opts);
  const planDir = join(dir, 'out');
  mkdirSync(planDir, { recursive: true });
  const { plan } = prepareClusterPlan(declarations, 'lab', { baseDir: dir, planDir });
  const planPath = join(planDir, 'plan.json');
  writeFileSync(planPath, JSON.stringify(plan, null, 2));
  const twin = await startTwin({
    declarations,
    stateDir: join(dir, 'twin'),
    addressBase,
    portMode: 'dynamic',
    restartMillis: opts.restartMillis ?? 100,
    keyDirs: [join(dir, 'keys')],
    baseDir: dir,
    env: ENV,
  });
  const readyFile = join(dir, 'twin', 'ready.json');
  const resolve = loadResolveMap(readyFile);
  return {
    dir,
    certs,
    declarations,
    plan,
    planPath,
    twin,
    readyFile,
    resolve,
    run: (id, extra = {}) =>
      runStep({ planPath, stepId: id, resolvePath: readyFile, env: ENV, sleep: async () => undefined, timeouts: { restartMs: 20_000, connectMs: 10_000 }, dependencies: 'ignore', ...extra }),
    endpoint: (fqdn, port) => endpointFor(plan.cluster.nodes.find((n) => n.fqdn === fqdn)!, port, undefined, resolve),
    credentials: () => new Credentials(ENV[USER_ENV], ENV[PASS_ENV], `environment ${USER_ENV}/${PASS_ENV}`),
    pins: (fqdn) => {
      const pins = new HostKeyPins(fqdn);
      pins.addKnownHostsFile(resolve.knownHosts!);
      return pins;
    },
    stop: async () => {
      await twin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { Service };
