/**
 * Shared by the end-to-end tests of the real certificate path (issue 9): a CUCM + IM&P inventory
 * whose certificates name an issuer, a rehearsal bench on it (no key folder: the twin holds only
 * the keys of the CSRs its nodes generated), what every node presents over TLS against the chain
 * the sign step wrote, and the scans that fail when a leaf key left a node or a secret reached
 * an artifact.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { probeChain } from '../../lib/drivers/tls-probe';
import { readCsr } from '../../lib/pki/input';
import { ClusterPlan, VerifyStep } from '../../lib/platforms';
import { RehearsalBench, prepareRehearsal } from '../../lib/rehearsal/rehearse';

export const PUB = 'cs-ccm-pub.example.com';
export const SUB = 'cs-ccm-sub.example.com';
export const IMP = 'cs-imp.example.com';

/** The lab example's cluster with its tomcat and CallManager certificates issued by `issuer`, CA `corp`. */
export function issuedInventory(dir: string, issuer: Record<string, unknown>, ca: { root: string; intermediates: string[] }): string {
  mkdirSync(dir, { recursive: true });
  const name = issuer.name as string;
  const inventory = {
    issuers: [issuer],
    clusters: [
      {
        name: 'lab',
        publisher: PUB,
        subscribers: [SUB],
        imPresence: { databasePublisher: IMP, subscribers: [] },
        securityMode: 'non-secure',
        sso: false,
      },
    ],
    certificateAuthorities: [{ name: 'corp', root: ca.root, intermediates: ca.intermediates }],
    certificates: [
      { cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', issuer: name, ca: 'corp' },
      { cluster: 'lab', purpose: 'CallManager', distribution: 'multi-server', issuer: name, ca: 'corp' },
    ],
  };
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, JSON.stringify(inventory, null, 2));
  return file;
}

/** A rehearsal bench on the real path: the declared issuers sign, the twin generates the CSRs. */
export function issuedBench(inventory: string, workDir: string, addressBase: string, env: NodeJS.ProcessEnv): Promise<RehearsalBench> {
  return prepareRehearsal({ inventory, workDir, certificates: 'on-node', restartMillis: 100, addressBase, env });
}

export interface Presented {
  readonly id: string;
  readonly node: string;
  readonly purpose: string;
  /** What the node presents over TLS now. */
  readonly sha256: string;
  readonly issuer: string;
  /** The leaf the sign step wrote (the verify step's `leafFrom`). */
  readonly issued: string;
}

/** Over TLS connections of the test's own: each verified port's leaf, against the chain file of its certificate. */
export async function presented(bench: RehearsalBench, plan: ClusterPlan, cluster = 'lab'): Promise<Presented[]> {
  const out: Presented[] = [];
  for (const step of plan.steps.filter((s): s is VerifyStep => s.kind === 'verify' && !!s.port)) {
    const node = bench.twin.ready.nodes[step.node];
    const r = await probeChain({ endpoint: { fqdn: step.node, host: node.address, port: node.ports[step.port!.name] }, handshake: step.port!.handshake, keyType: step.port!.keyType });
    out.push({
      id: step.id,
      node: step.node,
      purpose: step.purpose,
      sha256: r.chain[0].sha256,
      issuer: r.chain[0].issuer,
      issued: chainLeaf(bench.stackDir(cluster), step.leafFrom!.chainFile).sha256,
    });
  }
  return out;
}

/** The leaf of a chain file next to plan.json. */
export function chainLeaf(stackDir: string, chainFile: string): { sha256: string; x509: X509Certificate; spki: string } {
  const x509 = new X509Certificate(readFileSync(join(stackDir, chainFile)));
  return { sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(), x509, spki: spkiHex(x509.publicKey) };
}

/** The public key of a CSR file (SPKI, hex). */
export function csrSpki(stackDir: string, csrFile: string): string {
  const csr = readCsr(readFileSync(join(stackDir, csrFile)), csrFile);
  return spkiHex(createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }));
}

function spkiHex(key: ReturnType<typeof createPublicKey>): string {
  return key.export({ type: 'spki', format: 'der' }).toString('hex');
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === '.terraform' ? [] : files(path);
    return e.isFile() && statSync(path).size < 4 * 1024 * 1024 ? [path] : [];
  });
}

/**
 * Every private key under `root` outside the twin's own state (a node's storage), with its public
 * key: a leaf key found here would have left its node.
 */
export function privateKeysOutsideNodes(root: string): { file: string; spki: string }[] {
  const out: { file: string; spki: string }[] = [];
  for (const file of files(root)) {
    if (relative(root, file).split('/')[0] === 'twin') continue;
    const text = readFileSync(file, 'latin1');
    for (const m of text.matchAll(/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/g)) {
      out.push({ file: relative(root, file), spki: spkiHex(createPublicKey(m[0])) });
    }
  }
  return out;
}

/** Files under `root` (the whole rehearsal: stacks, state, journal, twin) holding any of the secrets. */
export function filesHolding(root: string, secrets: readonly string[]): string[] {
  return files(root)
    .filter((file) => {
      const text = readFileSync(file, 'latin1');
      return secrets.some((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64')));
    })
    .map((f) => relative(root, f));
}
