/**
 * How to reach and authenticate one node, whatever asks: a plan step (lib/executor's
 * StepContext) or a read of the live clusters (lib/day2: status, discovery, renewal). The
 * same endpoint rule (resolve map, declared address and port), the same host key pins, the
 * same credentials and the same HTTPS anchors, so a read connects exactly as an apply does.
 */
import { Credentials } from './credentials';
import { HostKeyPins } from './host-keys';
import type { HttpsTarget } from './https-request';
import { Endpoint, NodeAddress, ResolveMap, endpointFor } from './resolve';
import type { SshTarget } from './ssh-session';

/** What reaching a node needs: its address, port overrides and pinned SSH keys (a plan node and a NodeDecl fit). */
export interface AccessibleNode extends NodeAddress {
  readonly sshHostKeys: readonly string[];
}

export interface NodeAccessOptions {
  /** The node of this FQDN; throws for one that is not declared (the message is the caller's). */
  readonly node: (fqdn: string) => AccessibleNode;
  /** Asked on first use only: a read that never connects needs no credentials. */
  readonly credentials: () => Credentials;
  /** The CAs an HTTPS connection may chain to (lib/executor/trust-anchors.ts); asked on first HTTPS use. */
  readonly httpsAnchors: () => readonly string[];
  /** The cluster's known_hosts file: absolute path, and the name messages show. */
  readonly knownHostsFile?: { readonly path: string; readonly shown: string };
  /** Where the nodes' sshHostKeys were declared, for messages. @default 'the inventory' */
  readonly declaredIn?: string;
  /** Further known_hosts files that must exist (e.g. `--known-hosts` of a read). */
  readonly extraKnownHosts?: readonly string[];
  readonly resolveMap?: ResolveMap;
  /** Accept and record the key of a node that has no pin at all. @default false */
  readonly insecureFirstContact?: boolean;
  /** Where keys accepted on first contact are recorded; read back as pins when it exists. */
  readonly firstContactFile?: string;
  readonly onFirstContact?: (fqdn: string, fingerprint: string) => void;
  /** SSH connect and login. @default 20000 */
  readonly connectMs?: number;
  /** One HTTPS call. @default 30000 */
  readonly httpsMs?: number;
}

export class NodeAccess {
  private credentialsCache?: Credentials;
  private anchorsCache?: readonly string[];

  constructor(private readonly opts: NodeAccessOptions) {}

  get resolveMap(): ResolveMap | undefined {
    return this.opts.resolveMap;
  }

  endpoint(fqdn: string, portName: string, defaultPort?: number): Endpoint {
    return endpointFor(this.opts.node(fqdn), portName, defaultPort, this.opts.resolveMap);
  }

  credentials(): Credentials {
    this.credentialsCache ??= this.opts.credentials();
    return this.credentialsCache;
  }

  sshTarget(fqdn: string): SshTarget {
    return {
      endpoint: this.endpoint(fqdn, 'ssh', 22),
      credentials: this.credentials(),
      pins: this.pins(fqdn),
      insecureFirstContact: this.opts.insecureFirstContact ?? false,
      firstContactFile: this.opts.firstContactFile,
      onFirstContact: this.opts.onFirstContact,
      connectTimeoutMs: this.opts.connectMs,
    };
  }

  httpsTarget(fqdn: string): HttpsTarget {
    this.anchorsCache ??= this.opts.httpsAnchors();
    return { endpoint: this.endpoint(fqdn, 'https', 8443), credentials: this.credentials(), ca: this.anchorsCache, timeoutMs: this.opts.httpsMs };
  }

  /** Every pin of the node: its declared fingerprints, the cluster's known_hosts, the resolve map's, first-contact records. */
  pins(fqdn: string): HostKeyPins {
    const node = this.opts.node(fqdn);
    const pins = new HostKeyPins(node.fqdn);
    pins.addFingerprints(node.sshHostKeys, `sshHostKeys of ${node.fqdn} in ${this.opts.declaredIn ?? 'the inventory'}`);
    const { knownHostsFile } = this.opts;
    if (knownHostsFile) pins.addKnownHostsFile(knownHostsFile.path, knownHostsFile.shown);
    for (const file of this.opts.extraKnownHosts ?? []) pins.addKnownHostsFile(file);
    if (this.opts.resolveMap?.knownHosts) pins.addKnownHostsFile(this.opts.resolveMap.knownHosts);
    if (this.opts.firstContactFile) pins.addOptionalKnownHostsFile(this.opts.firstContactFile);
    return pins;
  }
}
