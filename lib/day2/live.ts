/**
 * What a CUCM / IM&P node holds and presents right now, read through the executor's own
 * drivers and nothing that changes the node: `show cert list own|trust`, `show cert own`,
 * `show cert trust`, `show network cluster` (publisher) on the admin CLI, the certificate REST
 * API's identity read where the node is declared `api: rest`, and a TLS handshake on each
 * service port. Every wait is bounded; the node's sessions are always closed.
 */
import { PURPOSES, PurposeInfo, runsService } from '../catalog';
import { CliDriver, CliTimeouts } from '../drivers/cli-driver';
import { NodeAccess } from '../drivers/node-access';
import { CertRestClient } from '../drivers/rest-driver';
import { probeChain } from '../drivers/tls-probe';
import { NodeDecl, nodePlatform } from '../model';
import { factsFromDer } from '../pki/facts';
import { normalizeFingerprint } from '../pki/fingerprint';
import { readCertificates } from '../pki/input';
import { certificatePems } from '../pki/pem';
import { ClusterMember, parseNetworkCluster } from './network-cluster';

/** A certificate as a node holds it, by its facts (never its body). */
export interface LiveCertificate {
  /** SHA-256 of the DER, lowercase hex. */
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  /** DNS names of its subjectAltName. */
  readonly sans: readonly string[];
  /** ISO 8601; empty when the node printed no dates. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** Subject = issuer. */
  readonly selfSigned: boolean;
}

/** A port the purpose's certificate is presented on, and what it presented. */
export interface PresentedPort {
  readonly port: string;
  readonly number: number;
  /** SHA-256 of the leaf presented; undefined when the port did not answer. */
  readonly sha256?: string;
  readonly error?: string;
}

export interface LiveIdentity extends LiveCertificate {
  readonly purpose: string;
  /** The ports the node serves the purpose on (none: the service that presents it does not run there). */
  readonly ports: readonly PresentedPort[];
}

export interface LiveTrust extends LiveCertificate {
  readonly store: string;
  /** `tomcat-trust/Corp_Root_CA.pem`: what `show cert trust` and `set cert delete trust` take. */
  readonly file: string;
}

export interface NodeReading {
  readonly fqdn: string;
  readonly reachable: boolean;
  /** Why the node could not be read (reachable false). */
  readonly error?: string;
  readonly identities: readonly LiveIdentity[];
  readonly trust: readonly LiveTrust[];
  /** The publisher's `show network cluster`: every node the cluster knows. */
  readonly members?: readonly ClusterMember[];
}

export interface ReadTimeouts extends CliTimeouts {
  /** A TLS probe of one port. @default 10000 */
  readonly probeMs?: number;
}

/** The purposes a node of this role hosts (its platform's; CAPF on the CUCM publisher only). */
export function hostedPurposes(node: NodeDecl): PurposeInfo[] {
  const platform = nodePlatform(node);
  return PURPOSES.filter((p) => p.platforms.includes(platform) && (!p.publisherOnly || node.role === 'publisher'));
}

/** The purpose's service ports on this node: those whose serving service runs there. */
export function servedPorts(node: NodeDecl, purpose: PurposeInfo): PurposeInfo['ports'] {
  return purpose.ports.filter((p) => runsService(node, p.servedBy));
}

/**
 * Reads one node. Throws when the node cannot be reached or logged into (the caller marks it
 * unreachable); a port that does not answer is recorded on its identity instead.
 */
export async function readNode(access: NodeAccess, node: NodeDecl, timeouts: ReadTimeouts, onOpen: (close: () => void) => void): Promise<NodeReading> {
  const cli = await CliDriver.connect(access.sshTarget(node.fqdn), timeouts);
  onOpen(() => cli.close());
  try {
    const hosted = hostedPurposes(node);
    const own = new Set((await cli.listCertificates('own')).map((e) => e.unit));
    const rest = node.api === 'rest' ? new CertRestClient(access.httpsTarget(node.fqdn)) : undefined;
    const held: { purpose: PurposeInfo; cert: LiveCertificate }[] = [];
    for (const purpose of hosted.filter((p) => own.has(p.name))) {
      const cert = (rest ? await restIdentity(rest, purpose.name) : undefined) ?? (await cliIdentity(cli, purpose.name));
      if (cert) held.push({ purpose, cert });
    }
    const trust: LiveTrust[] = [];
    for (const entry of await cli.listCertificates('trust')) {
      const cert = shownFacts(await cli.run(`show cert trust ${entry.file}`));
      if (cert) trust.push({ store: entry.unit, file: entry.file, ...cert });
    }
    const members = node.role === 'publisher' ? parseNetworkCluster(await cli.run('show network cluster')) : undefined;
    cli.close();
    const identities: LiveIdentity[] = [];
    for (const { purpose, cert } of held) {
      const ports: PresentedPort[] = [];
      for (const port of servedPorts(node, purpose)) {
        try {
          const probe = await probeChain({ endpoint: access.endpoint(node.fqdn, port.name, port.port), handshake: port.handshake, keyType: purpose.keyType, timeoutMs: timeouts.probeMs });
          ports.push({ port: port.name, number: port.port, sha256: probe.chain[0]?.sha256 });
        } catch (e) {
          ports.push({ port: port.name, number: port.port, error: (e as Error).message.replace(`${node.fqdn}: `, '') });
        }
      }
      identities.push({ purpose: purpose.name, ...cert, ports });
    }
    return { fqdn: node.fqdn, reachable: true, identities, trust, members };
  } finally {
    cli.close();
  }
}

/** The identity over REST; undefined when the API does not answer (the CLI is asked then). */
async function restIdentity(rest: CertRestClient, unit: string): Promise<LiveCertificate | undefined> {
  try {
    const id = await rest.identity(unit);
    return id ? factsOfPem(id.pem) : undefined;
  } catch {
    return undefined;
  }
}

/** `show cert own <unit>`; older releases want the file (`tomcat/tomcat.pem`). */
async function cliIdentity(cli: CliDriver, unit: string): Promise<LiveCertificate | undefined> {
  return shownFacts(await cli.run(`show cert own ${unit}`)) ?? shownFacts(await cli.run(`show cert own ${unit}/${unit}.pem`));
}

export function factsOfPem(pem: string): LiveCertificate {
  const facts = factsFromDer(readCertificates(Buffer.from(pem), 'certificate')[0], 'certificate');
  return {
    sha256: facts.sha256,
    subject: facts.subject,
    issuer: facts.issuer,
    sans: facts.dnsNames,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    selfSigned: facts.selfIssued,
  };
}

/**
 * What `show cert own|trust` printed: the PEM when there is one (every fact), else the
 * printed lines (fingerprint, subject, issuer, dates). Undefined when it printed no certificate.
 */
export function shownFacts(text: string): LiveCertificate | undefined {
  const pem = certificatePems(text)[0];
  if (pem) {
    try {
      return factsOfPem(pem);
    } catch {
      // An unreadable PEM: the printed lines below.
    }
  }
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}\\s*:\\s*(.+)$`, 'im').exec(text)?.[1].trim();
  const sha256 = normalizeFingerprint(field('SHA256 Fingerprint') ?? '');
  if (sha256.length !== 64) return undefined;
  const date = (value: string | undefined): string => {
    const t = value ? Date.parse(value.replace(/\bUTC\b/, 'GMT')) : NaN;
    return Number.isNaN(t) ? '' : new Date(t).toISOString();
  };
  const subject = field('Subject') ?? '';
  const issuer = field('Issuer') ?? '';
  return { sha256, subject, issuer, sans: [], notBefore: date(field('Valid From')), notAfter: date(field('Valid To')), selfSigned: subject !== '' && subject === issuer };
}
