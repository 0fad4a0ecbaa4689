/**
 * Test support for lib/issuers: CSRs the way a node makes them (lib/pki, EC keys: fast), a lab
 * CA, throw-away folders, and a context that keeps every log line.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCluster } from '../../lib/inventory/cluster-input';
import { IssuerContext, SignRequest } from '../../lib/issuers';
import { csrForKey, generateCsr } from '../../lib/pki/csr';
import { generateKeyPem } from '../../lib/pki/keys';
import { LabCa, createLabCa } from '../../lib/pki/lab-ca';

export const PUB = 'ucm-pub.corp.test';
export const SUB = 'ucm-sub1.corp.test';
export const IMP = 'imp-pub.corp.test';

/** A multi-server tomcat-ECDSA CSR of a CUCM + IM&P cluster, as the publisher makes it, and its request. */
export async function clusterCsr(id = 'tomcat-ECDSA/sign/lab#1'): Promise<{ request: SignRequest; keyPem: string }> {
  const cluster = buildCluster({ name: 'lab', publisher: PUB, subscribers: [SUB], imPresence: { databasePublisher: IMP } }, 'test');
  const csr = await generateCsr({ cluster, purpose: 'tomcat-ECDSA', distribution: 'multi-server' });
  return { request: { id, csrPem: csr.csrPem, commonName: csr.commonName, dnsNames: csr.sans, purpose: 'tomcat-ECDSA' }, keyPem: csr.keyPem };
}

/** A CSR for exactly these names (EC P-256), the first one the CN. */
export async function namesCsr(names: readonly string[], id = `req-${names[0]}`): Promise<{ request: SignRequest; keyPem: string }> {
  const keyPem = await generateKeyPem({ keyType: 'EC', curve: 'P-256' });
  const csrPem = await csrForKey({ subject: [['CN', names[0]]], altNames: names, keyPem });
  return { request: { id, csrPem, commonName: names[0], dnsNames: [...names] }, keyPem };
}

let labCa: Promise<LabCa> | undefined;
/** One lab CA with an issuing intermediate, shared by a test file. */
export function sharedLabCa(): Promise<LabCa> {
  labCa ??= createLabCa({ commonName: 'Issuers Test', intermediate: true });
  return labCa;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ucr-issuers-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestContext extends IssuerContext {
  readonly lines: string[];
}

/** A context over two fresh folders under `root`, keeping the log lines. */
export function testContext(root: string, extra: Partial<IssuerContext> = {}): TestContext {
  const lines: string[] = [];
  mkdirSync(join(root, 'inventory'), { recursive: true });
  return { baseDir: join(root, 'inventory'), stateDir: join(root, 'state'), env: {}, log: (l) => lines.push(l), lines, ...extra };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; issuer?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}
