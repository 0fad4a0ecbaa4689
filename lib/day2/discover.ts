/**
 * Discovery: reads a live CUCM / IM&P cluster from its publisher and writes the inventory that
 * declares it, so a user starts from the real cluster instead of typing it. Read-only, over
 * the admin CLI with the executor's connection setup: `show network cluster` (nodes and roles),
 * the ClusterSecurityMode query, then on every node `utils service list` (activated services),
 * `show version active` and its identity certificates per purpose (`show cert list own`,
 * `show cert own`). A CA-signed certificate whose chain the purpose's trust store holds is
 * declared with its files (public certificates only); every finding is a comment.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CUCM_NETWORK_SERVICES, IMP_NETWORK_SERVICES, PurposeInfo, Service, findPurpose } from '../catalog';
import { CliDriver, CliTimeouts } from '../drivers/cli-driver';
import { Credentials, loadCredentials } from '../drivers/credentials';
import { NodeAccess } from '../drivers/node-access';
import { ResolveMap } from '../drivers/resolve';
import { CredentialsRef, DEFAULT_CREDENTIALS, NodeDecl, NodeRole, SecurityMode, isImpRole } from '../model';
import { sha256Fingerprint, shortFingerprint } from '../pki/fingerprint';
import { certificatePems } from '../pki/pem';
import { runLimited } from './collect';
import { LiveCertificate, factsOfPem, hostedPurposes } from './live';
import { ClusterMember, parseNetworkCluster } from './network-cluster';

export interface DiscoverOptions {
  readonly publisher: string;
  /** The inventory file to write; certificate files go to `<its folder>/discovered/`. */
  readonly out: string;
  /** @default - the publisher's host name */
  readonly clusterName?: string;
  /** @default UCROLLOUT_USERNAME / UCROLLOUT_PASSWORD */
  readonly credentials?: CredentialsRef;
  readonly env?: NodeJS.ProcessEnv;
  readonly resolveMap?: ResolveMap;
  /** known_hosts files pinning the nodes; the first is written as the cluster's knownHostsFile. */
  readonly knownHosts?: readonly string[];
  /** Accept and record (in `<out>.known_hosts`, written as knownHostsFile) the key of a node with no pin. */
  readonly insecureFirstContact?: boolean;
  readonly parallel?: number;
  readonly timeouts?: CliTimeouts & { readonly connectMs?: number };
  readonly log?: (line: string) => void;
}

export interface DiscoveredNode {
  readonly fqdn: string;
  /** As 'show network cluster' lists it; undefined when it is a twin's loopback address. */
  readonly address?: string;
  readonly role: NodeRole;
  /** Activated feature services (network services left out: every node runs them). */
  readonly services: readonly string[];
  /** `15.0` of `15.0.1.10000-1`. */
  readonly version: string;
  readonly fullVersion?: string;
  readonly identities: readonly (LiveCertificate & { readonly purpose: string; readonly pem: string })[];
}

export interface DiscoveredCertificate {
  readonly purpose: string;
  readonly distribution: 'multi-server' | 'single-server';
  /** single-server: its node. */
  readonly node?: string;
  /** The nodes holding it. */
  readonly heldBy: readonly string[];
  readonly cert: LiveCertificate;
  /** Written beside the inventory and declared (a CA-signed certificate whose CA chain was found). */
  readonly file?: string;
  readonly ca?: string;
  /** Why it is not declared. */
  readonly note?: string;
}

export interface DiscoveredCluster {
  readonly name: string;
  readonly securityMode: SecurityMode;
  readonly nodes: readonly DiscoveredNode[];
  readonly certificates: readonly DiscoveredCertificate[];
  readonly authorities: readonly { readonly name: string; readonly root: string; readonly intermediates: readonly string[]; readonly subject: string; readonly notAfter: string }[];
  readonly knownHostsFile?: string;
  readonly credentials: CredentialsRef;
  readonly firstContact: readonly { fqdn: string; fingerprint: string }[];
}

/** What every discovery starts from: where it writes, and its read-only access to the nodes (the executor's connection setup). */
export interface DiscoverySetup {
  readonly credentialsRef: CredentialsRef;
  readonly outFile: string;
  readonly outDir: string;
  /** With insecureFirstContact: `<out>.known_hosts`, where the keys accepted are recorded. */
  readonly firstContactFile?: string;
  /** The SSH host keys accepted on first contact, as they were. */
  readonly firstContact: readonly { fqdn: string; fingerprint: string }[];
  readonly access: NodeAccess;
}

export function discoverySetup(
  opts: Pick<DiscoverOptions, 'out' | 'credentials' | 'env' | 'knownHosts' | 'resolveMap' | 'insecureFirstContact' | 'log'> & { readonly timeouts?: { readonly connectMs?: number } },
  reach: { readonly address: (fqdn: string) => string; readonly console: string },
): DiscoverySetup {
  const log = opts.log ?? (() => undefined);
  const credentialsRef = opts.credentials ?? { ...DEFAULT_CREDENTIALS };
  const outFile = resolve(opts.out);
  const firstContactFile = opts.insecureFirstContact ? `${outFile}.known_hosts` : undefined;
  const firstContact: { fqdn: string; fingerprint: string }[] = [];
  let credentials: Credentials | undefined;
  const access = new NodeAccess({
    node: (fqdn) => ({ fqdn, address: reach.address(fqdn), ports: {}, sshHostKeys: [] }),
    credentials: () => (credentials ??= loadCredentials(credentialsRef, process.cwd(), opts.env ?? process.env)),
    httpsAnchors: () => [],
    extraKnownHosts: opts.knownHosts,
    resolveMap: opts.resolveMap,
    insecureFirstContact: opts.insecureFirstContact,
    firstContactFile,
    onFirstContact: (fqdn, fingerprint) => {
      firstContact.push({ fqdn, fingerprint });
      log(`WARNING: accepted the SSH host key ${fingerprint} of ${fqdn} on first contact; check it on the ${reach.console}'s console`);
    },
    connectMs: opts.timeouts?.connectMs ?? 15_000,
  });
  return { credentialsRef, outFile, outDir: dirname(outFile), firstContactFile, firstContact, access };
}

/** The credentials as the inventory beside `outDir` declares them: a file relative to it. */
export function credentialsFrom(outDir: string, ref: CredentialsRef): CredentialsRef {
  return ref.file ? { ...ref, file: relPath(outDir, ref.file) } : ref;
}

/** The inventory's `credentials:` mapping (flow style), or undefined for the default variables. */
export function credentialsText(ref: CredentialsRef): string | undefined {
  if (ref.usernameEnv === DEFAULT_CREDENTIALS.usernameEnv && ref.passwordEnv === DEFAULT_CREDENTIALS.passwordEnv && !ref.file) return undefined;
  return `{ ${[`usernameEnv: ${q(ref.usernameEnv)}`, `passwordEnv: ${q(ref.passwordEnv)}`, ...(ref.file ? [`file: ${q(ref.file)}`] : [])].join(', ')} }`;
}

/** Reads the cluster of the publisher and writes the inventory; returns what it found. */
export async function discoverCluster(opts: DiscoverOptions): Promise<DiscoveredCluster> {
  const log = opts.log ?? (() => undefined);
  const addresses = new Map<string, string>();
  const { credentialsRef, outFile, outDir, firstContactFile, firstContact, access } = discoverySetup(opts, { address: (fqdn) => addresses.get(fqdn.toLowerCase()) ?? fqdn, console: 'node' });
  const timeouts = opts.timeouts ?? {};

  const publisher = opts.publisher.toLowerCase();
  log(`${publisher}: show network cluster`);
  const pub = await CliDriver.connect(access.sshTarget(publisher), timeouts);
  let members: ClusterMember[];
  let securityMode: SecurityMode;
  try {
    members = parseNetworkCluster(await pub.run('show network cluster'));
    securityMode = await pub.securityMode();
  } finally {
    pub.close();
  }
  if (!members.some((m) => m.fqdn === publisher)) {
    throw new Error(`${publisher}: 'show network cluster' does not list the node itself as a member: is it the publisher of a CUCM cluster?`);
  }
  const cucmPub = members.find((m) => m.role === 'publisher');
  if (cucmPub?.fqdn !== publisher) throw new Error(`${publisher} is not the CUCM publisher: 'show network cluster' names ${cucmPub?.fqdn ?? 'none'}; discover from it`);
  for (const m of members) addresses.set(m.fqdn, m.address);

  const nodes = await runLimited(members, opts.parallel ?? 8, async (m) => {
    log(`${m.fqdn}: utils service list, show version active, show cert own`);
    const cli = await CliDriver.connect(access.sshTarget(m.fqdn), timeouts);
    try {
      const listing = await cli.serviceList();
      const fullVersion = await cli.activeVersion();
      const network = isImpRole(m.role) ? IMP_NETWORK_SERVICES : CUCM_NETWORK_SERVICES;
      const known = new Set<string>(Object.values(Service));
      const services = [...listing.services].filter(([name, status]) => status !== 'Not Activated' && known.has(name) && !network.includes(name)).map(([name]) => name);
      const probe = { fqdn: m.fqdn, role: m.role, services, api: 'cli', sshHostKeys: [], version: '15.0', ports: {} } satisfies NodeDecl;
      const own = new Set((await cli.listCertificates('own')).map((e) => e.unit));
      const identities: DiscoveredNode['identities'][number][] = [];
      for (const p of hostedPurposes(probe).filter((p) => own.has(p.name))) {
        const pem = certificatePems(await cli.run(`show cert own ${p.name}`))[0] ?? certificatePems(await cli.run(`show cert own ${p.name}/${p.name}.pem`))[0];
        if (pem) identities.push({ purpose: p.name, pem, ...factsOfPem(pem) });
      }
      // A twin's loopback address is not the cluster's: leave it out (the resolve map finds the node).
      const twinAddress = opts.resolveMap?.nodes.get(m.fqdn)?.address === m.address;
      return { fqdn: m.fqdn, address: twinAddress ? undefined : m.address, role: m.role, services, version: majorMinor(fullVersion), fullVersion, identities } satisfies DiscoveredNode;
    } finally {
      cli.close();
    }
  });

  const name = opts.clusterName ?? clusterNameOf(publisher);
  const { certificates, authorities } = await groupCertificates(name, nodes, access, timeouts, outDir, log);
  const knownHostsFile = firstContactFile ?? opts.knownHosts?.[0];
  const cluster: DiscoveredCluster = {
    name,
    securityMode,
    nodes,
    certificates,
    authorities,
    knownHostsFile: knownHostsFile ? relPath(outDir, knownHostsFile) : undefined,
    credentials: credentialsFrom(outDir, credentialsRef),
    firstContact,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(outFile, renderInventory(cluster, { publisher, version: nodes.find((n) => n.fqdn === publisher)?.fullVersion }));
  return cluster;
}

/** One declaration per certificate the nodes hold: a multi-server one once (all its holders), a node's own one per node. */
async function groupCertificates(
  cluster: string,
  nodes: readonly DiscoveredNode[],
  access: NodeAccess,
  timeouts: CliTimeouts,
  outDir: string,
  log: (line: string) => void,
): Promise<Pick<DiscoveredCluster, 'certificates' | 'authorities'>> {
  const bySha = new Map<string, { purpose: PurposeInfo; pem: string; cert: LiveCertificate; holders: string[] }>();
  for (const n of nodes) {
    for (const id of n.identities) {
      const key = `${id.purpose} ${id.sha256}`;
      const entry = bySha.get(key);
      if (entry) entry.holders.push(n.fqdn);
      else bySha.set(key, { purpose: findPurpose(id.purpose)!, pem: id.pem, cert: id, holders: [n.fqdn] });
    }
  }
  const certificates: DiscoveredCertificate[] = [];
  const authorities: DiscoveredCluster['authorities'][number][] = [];
  const chains = new Map<string, string[] | undefined>();
  const trustOf = new Map<string, string[]>();
  for (const { purpose, pem, cert, holders } of bySha.values()) {
    const multi = purpose.multiServer && holders.length > 1;
    const distribution = multi || (purpose.multiServer && cert.sans.filter((s) => nodes.some((n) => n.fqdn === s.toLowerCase())).length > 1) ? 'multi-server' : 'single-server';
    const base = { purpose: purpose.name, distribution, node: distribution === 'single-server' ? holders[0] : undefined, heldBy: holders, cert } as const;
    if (cert.selfSigned) {
      certificates.push({ ...base, note: holders.length > 1 ? 'self-signed' : 'self-signed (the node made it at install)' });
      continue;
    }
    // The CA chain: from the purpose's trust store on the first holder.
    const where = holders[0];
    const storeKey = `${where} ${purpose.trustStore}`;
    if (!trustOf.has(storeKey)) trustOf.set(storeKey, await trustPems(access, where, purpose.trustStore, timeouts));
    const chain = chainFor(pem, trustOf.get(storeKey)!);
    if (!chain) {
      certificates.push({ ...base, note: `its CA chain is not in ${purpose.trustStore} on ${where}: declare its CA by hand` });
      continue;
    }
    const rootSha = sha256Fingerprint(chain[chain.length - 1]);
    if (!chains.has(rootSha)) {
      const caName = `ca${authorities.length + 1}`;
      const files = chain.map((p, i) => writePublic(outDir, `discovered/${caName}-${i === chain.length - 1 ? 'root' : `intermediate${chain.length - 1 - i}`}.pem`, p));
      const root = factsOfPem(chain[chain.length - 1]);
      authorities.push({ name: caName, root: files[files.length - 1], intermediates: files.slice(0, -1).reverse(), subject: root.subject, notAfter: root.notAfter });
      chains.set(rootSha, [caName]);
      log(`found CA ${caName}: ${root.subject}`);
    }
    const ca = chains.get(rootSha)![0];
    const file = writePublic(outDir, `discovered/${cluster}-${purpose.name}${base.node ? `-${base.node.split('.')[0]}` : ''}.pem`, pem);
    certificates.push({ ...base, file, ca });
  }
  return { certificates, authorities };
}

/** The PEMs of a trust store on a node (`show cert list trust`, `show cert trust`). */
async function trustPems(access: NodeAccess, fqdn: string, store: string, timeouts: CliTimeouts): Promise<string[]> {
  const cli = await CliDriver.connect(access.sshTarget(fqdn), timeouts);
  try {
    const out: string[] = [];
    for (const e of (await cli.listCertificates('trust')).filter((e) => e.unit === store)) {
      const pem = certificatePems(await cli.run(`show cert trust ${e.file}`))[0];
      if (pem) out.push(pem);
    }
    return out;
  } finally {
    cli.close();
  }
}

/** The issuers of `leaf` found in `store`, issuing CA first, up to a self-signed root; undefined when one is missing. */
export function chainFor(leafPem: string, store: readonly string[]): string[] | undefined {
  const certs = store.map((p) => ({ pem: p, x: new X509Certificate(p) }));
  const chain: string[] = [];
  let current = new X509Certificate(leafPem);
  for (let depth = 0; depth < 8; depth++) {
    const issuer = certs.find((c) => c.x.fingerprint256 !== current.fingerprint256 && current.checkIssued(c.x) && current.verify(c.x.publicKey));
    if (!issuer) return undefined;
    chain.push(issuer.pem);
    if (issuer.x.checkIssued(issuer.x)) return chain;
    current = issuer.x;
  }
  return undefined;
}

function writePublic(outDir: string, file: string, pem: string): string {
  const path = join(outDir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pem.endsWith('\n') ? pem : `${pem}\n`);
  return file;
}

export function relPath(from: string, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file);
  return relative(from, abs).split(sep).join('/');
}

/** `15.0.1.10000-1` → `15.0`. */
export function majorMinor(full: string | undefined): string {
  const m = /^(\d+)\.(\d+)/.exec(full ?? '');
  return m ? `${m[1]}.${m[2]}` : '15.0';
}

/** A cluster name from the publisher's host name (letters, digits, `-`, `_`; a letter first). */
export function clusterNameOf(publisher: string): string {
  const host = publisher.split('.')[0].replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z]/.test(host) ? host.slice(0, 63) : `c-${host}`.slice(0, 63);
}

// ---- the inventory text ------------------------------------------------------------------------

/** A YAML scalar: plain when unambiguous, else double-quoted (JSON strings are YAML). */
export function yamlScalar(value: string): string {
  return /^[A-Za-z][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value) ? value : JSON.stringify(value);
}
const q = yamlScalar;

function nodeText(n: DiscoveredNode, defaultVersion: string): string {
  const fields = [`fqdn: ${q(n.fqdn)}`, ...(n.address ? [`address: ${q(n.address)}`] : []), `services: [${n.services.map(q).join(', ')}]`];
  if (n.version !== defaultVersion) fields.push(`version: ${JSON.stringify(n.version)}`);
  return `{ ${fields.join(', ')} }`;
}

/** The CN of a distinguished name (the whole name when it has none). */
export function cn(dn: string): string {
  return /(?:^|, )CN=([^,]*)/.exec(dn)?.[1] ?? dn;
}

function certComment(c: DiscoveredCertificate): string {
  const who = c.distribution === 'multi-server' ? `multi-server, on ${c.heldBy.map((h) => h.split('.')[0]).join(', ')}` : `single-server, on ${c.heldBy[0]}`;
  const issuer = c.cert.selfSigned ? 'self-signed' : `issued by ${cn(c.cert.issuer)}`;
  return `${c.purpose}: ${cn(c.cert.subject)} (${who}), ${issuer}, expires ${c.cert.notAfter.slice(0, 10)}, sha256 ${shortFingerprint(c.cert.sha256)}…${c.note && !c.cert.selfSigned ? ` (not declared: ${c.note})` : ''}`;
}

export function renderInventory(c: DiscoveredCluster, about: { publisher: string; version?: string }): string {
  const byRole = (role: NodeRole) => c.nodes.filter((n) => n.role === role);
  const versions = c.nodes.map((n) => n.version);
  const defaultVersion = versions.sort((a, b) => versions.filter((v) => v === b).length - versions.filter((v) => v === a).length)[0] ?? '15.0';
  const impPub = byRole('imp-database-publisher')[0];
  const pub = byRole('publisher')[0];
  const lines: string[] = [
    `# Discovered from ${about.publisher}${about.version ? ` (release ${about.version})` : ''} by 'ucrollout discover', ${new Date().toISOString().slice(0, 10)}.`,
    `# ${c.nodes.length} node(s) from 'show network cluster', services from 'utils service list', security mode from ClusterSecurityMode.`,
    '# Review it, then: ucrollout lint --inventory THIS, ucrollout status --inventory THIS, ucrollout plan --inventory THIS',
    'clusters:',
    `  - name: ${q(c.name)}`,
    `    publisher: ${nodeText(pub, defaultVersion)}`,
    `    subscribers:${byRole('subscriber').length ? '' : ' []'}`,
    ...byRole('subscriber').map((n) => `      - ${nodeText(n, defaultVersion)}`),
  ];
  if (impPub) {
    lines.push('    imPresence:', `      databasePublisher: ${nodeText(impPub, defaultVersion)}`, `      subscribers:${byRole('imp-subscriber').length ? '' : ' []'}`);
    lines.push(...byRole('imp-subscriber').map((n) => `        - ${nodeText(n, defaultVersion)}`));
  }
  lines.push(`    securityMode: ${c.securityMode}`);
  lines.push('    sso: false    # not readable over the CLI: set true if SAML SSO is enabled');
  const noCallManager = byRole('publisher').concat(byRole('subscriber')).filter((n) => !n.services.includes(Service.CALLMANAGER));
  if (noCallManager.length > 0) {
    lines.push(`    # ${noCallManager.map((n) => n.fqdn).join(', ')} run(s) no Cisco CallManager: keep (true) or drop (false) them from a CallManager multi-server certificate`);
    lines.push('    callManagerIncludeInactiveNodes: false');
  }
  const credentials = credentialsText(c.credentials);
  if (credentials) lines.push(`    credentials: ${credentials}`);
  if (c.knownHostsFile) {
    lines.push(`    knownHostsFile: ${q(c.knownHostsFile)}${c.firstContact.length ? '    # keys accepted on first contact: check each fingerprint on the node console' : ''}`);
    for (const f of c.firstContact) lines.push(`    #   ${f.fqdn}: ${f.fingerprint}`);
  }
  lines.push(`    nodeDefaults: { version: ${JSON.stringify(defaultVersion)} }`);
  lines.push('', '# Identity certificates found, per purpose:');
  const purposes = [...new Set(c.certificates.map((x) => x.purpose))];
  for (const purpose of purposes) {
    const own = c.certificates.filter((x) => x.purpose === purpose && x.cert.selfSigned);
    if (own.length > 0) {
      const expiry = [...new Set(own.map((x) => x.cert.notAfter.slice(0, 10)))].sort();
      lines.push(`#   ${purpose}: self-signed on ${own.flatMap((x) => x.heldBy).map((h) => h.split('.')[0]).join(', ')}, expires ${expiry.join(' to ')}`);
    }
    for (const x of c.certificates.filter((y) => y.purpose === purpose && !y.cert.selfSigned)) lines.push(`#   ${certComment(x)}`);
  }
  const declared = c.certificates.filter((x) => x.file && x.ca);
  lines.push(`certificateAuthorities:${c.authorities.length ? '' : ' []'}`);
  for (const a of c.authorities) {
    lines.push(`  # ${a.subject}, expires ${a.notAfter.slice(0, 10)}`);
    lines.push(`  - { name: ${a.name}, root: ${q(a.root)}, intermediates: [${a.intermediates.map(q).join(', ')}] }`);
  }
  lines.push(`certificates:${declared.length ? '' : ' []    # only self-signed certificates found: declare the CA-signed ones you roll out'}`);
  for (const d of declared) {
    lines.push(`  # ${certComment(d)}`);
    const fields = [`cluster: ${q(c.name)}`, `purpose: ${d.purpose}`, `distribution: ${d.distribution}`, ...(d.node ? [`node: ${q(d.node)}`] : []), `certificate: ${q(d.file!)}`, `ca: ${d.ca}`];
    lines.push(`  - { ${fields.join(', ')} }`);
  }
  return lines.join('\n') + '\n';
}
