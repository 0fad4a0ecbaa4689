/** Common name and SAN list against the nodes the certificate must cover and the CSR it came from (DOMAIN.md §2, §5). */
import { PurposeInfo } from '../../catalog';
import { CertificateView } from '../certificate';
import { LintFinding, finding } from './finding';

export interface NamesExpectation {
  readonly purpose: PurposeInfo;
  /** FQDNs that must be in the SANs. */
  readonly nodes?: readonly string[];
  readonly multiServer: boolean;
  readonly commonName?: string;
  /** SANs of the CSR the certificate was signed from (DNS names and IP addresses), when known. */
  readonly csrSans?: readonly string[];
  readonly csrLabel?: string;
}

export function lintNames(leaf: CertificateView, want: NamesExpectation): LintFinding[] {
  const out: LintFinding[] = [];
  const at = { certificate: leaf.label };
  const cn = leaf.commonName?.toLowerCase();
  const dns = new Set(leaf.dnsNames);
  const nodes = (want.nodes ?? []).map((n) => n.toLowerCase());
  const wildcardsAllowed = want.purpose.family === 'cup-xmpp-s2s';
  const csrSans = want.csrSans ? new Set(want.csrSans.map((s) => s.toLowerCase())) : undefined;
  const kind = `${want.multiServer ? 'multi-server ' : ''}${want.purpose.name}`;

  if (cn === undefined) {
    out.push(finding('CN_MISSING', `${leaf.label}: the subject has no common name (CN): generate the CSR on the platform, which sets it`, at));
  } else {
    const expected = want.commonName?.toLowerCase();
    if (expected !== undefined && cn !== expected) {
      out.push(finding('CN_UNEXPECTED', `${leaf.label}: common name '${leaf.commonName}' is not '${want.commonName}', the one a ${kind} CSR of this cluster has: check it was generated for this cluster and purpose`, at));
    }
    if (!dns.has(cn)) {
      out.push(finding('CN_NOT_IN_SAN', `${leaf.label}: common name '${leaf.commonName}' is not in the SAN list (CSCus47235): add it as an other domain when generating the CSR, so clients that ignore the CN still find it`, at));
    }
  }

  for (const node of nodes) {
    if (!dns.has(node)) {
      out.push(finding('SAN_MISSING_NODE', `${leaf.label}: SAN list misses node ${node}, which a ${kind} certificate must cover: generate a new CSR that lists it and have it signed again`, { ...at, node }));
    }
  }

  // One finding per code, however long the SAN list: the first names, then how many more.
  const wildcards = [...new Set([...(cn !== undefined ? [cn] : []), ...dns])].filter((name) => name.startsWith('*') && !wildcardsAllowed);
  if (wildcards.length > 0) {
    out.push(finding('SAN_WILDCARD', `${leaf.label}: wildcard name${wildcards.length > 1 ? 's' : ''} ${listed(wildcards)} in a ${want.purpose.name} certificate: CUCM accepts wildcards only in cup-xmpp-s2s: have it signed with the node names instead`, at));
  }

  const ips = leaf.ipAddresses.filter((ip) => !csrSans?.has(ip.toLowerCase()));
  if (ips.length > 0) {
    out.push(finding('SAN_IP_ADDRESS', `${leaf.label}: IP address${ips.length > 1 ? 'es' : ''} ${ips.length > 1 ? listed(ips) : ips[0]} in the SANs, which the CSR did not ask for: the upload is refused; have the CA sign without adding IP addresses`, at));
  }

  if (csrSans) {
    const leafSans = new Set([...dns, ...leaf.ipAddresses.map((ip) => ip.toLowerCase())]);
    const added = [...leafSans].filter((s) => !csrSans.has(s));
    const dropped = [...csrSans].filter((s) => !leafSans.has(s));
    if (added.length > 0 || dropped.length > 0) {
      const parts = [added.length ? `added ${added.join(', ')}` : '', dropped.length ? `dropped ${dropped.join(', ')}` : ''].filter(Boolean).join('; ');
      out.push(finding('SAN_CSR_MISMATCH', `${leaf.label}: SANs differ from the CSR${want.csrLabel ? ` ${want.csrLabel}` : ''} (${parts}): CUCM refuses it; have the CA sign with exactly the CSR's SANs`, at));
    }
  }

  if (nodes.length > 0) {
    const known = new Set([...nodes, ...(cn !== undefined ? [cn] : [])]);
    const bare: string[] = [];
    const unexpected: string[] = [];
    for (const name of dns) {
      // Wildcards are allowed (cup-xmpp-s2s) or already reported as SAN_WILDCARD.
      if (known.has(name) || csrSans?.has(name) || name.startsWith('*')) continue;
      if (wildcardsAllowed && !dns.has(`*.${name}`)) bare.push(name);
      else if (!wildcardsAllowed) unexpected.push(name);
    }
    if (bare.length === 1) {
      out.push(finding('S2S_DOMAIN_NOT_WILDCARD', `${leaf.label}: '${bare[0]}' is listed without '*.${bare[0]}': group chat over XMPP federation needs the wildcard (conference.${bare[0]} is a subdomain): add it as a wildcard domain`, at));
    } else if (bare.length > 1) {
      out.push(finding('S2S_DOMAIN_NOT_WILDCARD', `${leaf.label}: ${bare.length} domains are listed without their '*.' wildcard (${listed(bare)}): group chat over XMPP federation needs the wildcards (conference.<domain> is a subdomain): add them as wildcard domains`, at));
    }
    if (unexpected.length === 1) {
      out.push(finding('SAN_UNEXPECTED', `${leaf.label}: SAN '${unexpected[0]}' is not a node this ${kind} certificate covers: fine if you added it as an other domain to the CSR; a CA that adds SANs the CSR did not have breaks the upload`, at));
    } else if (unexpected.length > 1) {
      out.push(finding('SAN_UNEXPECTED', `${leaf.label}: ${unexpected.length} SANs are not nodes this ${kind} certificate covers (${listed(unexpected)}): fine if you added them as other domains to the CSR; a CA that adds SANs the CSR did not have breaks the upload`, at));
    }
  }
  return out;
}

/** The first names of a long list, quoted, then how many more: one finding stays one line. */
const LISTED = 5;
function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).map((n) => `'${n}'`).join(', ');
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}
