/**
 * Whole-declaration rules the planner refuses to break (DOMAIN.md §2, §3, §5). Every
 * problem is collected, so the user fixes them all in one round.
 */
import { availabilityProblems, findPurpose, multiServerCoverage, nodesWithoutCallManager, purposeNames, trustStoreNames } from '../../catalog';
import { CertificateFactsLookup, ClusterDecl, Declarations, findNode, nodePlatform, throwIfProblems } from '../../model';

export function validateDeclarations(decls: Declarations, facts?: CertificateFactsLookup): void {
  const problems: string[] = [];
  const clusters = new Map<string, ClusterDecl>();
  for (const c of decls.clusters) {
    if (clusters.has(c.name)) problems.push(`Cluster '${c.name}' is declared twice: give each cluster a unique name`);
    clusters.set(c.name, c);
    problems.push(...availabilityProblems(c));
  }
  const cas = new Set<string>();
  for (const ca of decls.certificateAuthorities) {
    if (cas.has(ca.name)) problems.push(`Certificate authority '${ca.name}' is declared twice: give each a unique name`);
    cas.add(ca.name);
  }

  const issuers = new Set((decls.issuers ?? []).map((d) => d.name));
  const seen = new Map<string, number>();
  decls.certificates.forEach((cert, i) => {
    const at = `certificates[${i}] (${cert.purpose} for cluster '${cert.cluster}')`;
    const cluster = clusters.get(cert.cluster);
    const purpose = findPurpose(cert.purpose);
    if (!cluster) problems.push(`${at}: cluster '${cert.cluster}' is not declared: declare it or fix the name (${[...clusters.keys()].join(', ') || 'none declared'})`);
    if (!purpose) problems.push(`${at}: unknown purpose '${cert.purpose}': use one of ${purposeNames().join(', ')}`);
    if (!cas.has(cert.ca)) problems.push(`${at}: certificate authority '${cert.ca}' is not declared: declare it under certificateAuthorities`);
    if (cert.issuer !== undefined && !issuers.has(cert.issuer)) {
      problems.push(`${at}: issuer '${cert.issuer}' is not declared: declare it under issuers (${[...issuers].join(', ') || 'none declared'})`);
    }
    if (!cluster || !purpose) return;

    const platformsHere = new Set(cluster.nodes.map(nodePlatform));
    if (!purpose.platforms.some((p) => platformsHere.has(p))) {
      problems.push(`${at}: purpose '${purpose.name}' lives on ${purpose.platforms.join('/')} nodes and cluster '${cluster.name}' has none: declare the IM and Presence nodes or drop the certificate`);
      return;
    }
    if (cert.distribution === 'multi-server') {
      if (!purpose.multiServer) {
        problems.push(`${at}: purpose '${purpose.name}' has no multi-server (SAN) certificate: use distribution 'single-server' with a node`);
        return;
      }
      if (cert.node) problems.push(`${at}: 'node' is only for single-server certificates: remove node '${cert.node}' or use distribution 'single-server'`);
      if (purpose.family === 'CallManager' && cluster.callManagerIncludeInactiveNodes === undefined) {
        const inactive = nodesWithoutCallManager(cluster);
        if (inactive.length > 0) {
          problems.push(
            `${at}: CUCM node(s) ${inactive.map((n) => n.fqdn).join(', ')} do not run Cisco CallManager: set callManagerIncludeInactiveNodes on cluster '${cluster.name}' to true (keep them in the SAN list) or false (drop them)`,
          );
        }
      }
      const key = `${cert.cluster}/${purpose.name}/*`;
      if (seen.has(key)) problems.push(`${at}: a second multi-server ${purpose.name} certificate for cluster '${cert.cluster}': declare one`);
      seen.set(key, i);
      if (facts && cert.certificate !== undefined) {
        const f = facts(cert.certificate);
        const sans = new Set(f.dnsNames.map((d) => d.toLowerCase()));
        for (const node of multiServerCoverage(cluster, purpose)) {
          if (!sans.has(node.fqdn)) {
            problems.push(`${at}: the SAN list of ${cert.certificate} misses node '${node.fqdn}', which a multi-server ${purpose.name} certificate must cover: re-issue it from a CSR that lists every node`);
          }
        }
      }
    } else {
      if (!cert.node) {
        problems.push(`${at}: a single-server certificate needs 'node' (the FQDN it belongs to)`);
        return;
      }
      const node = findNode(cluster, cert.node);
      if (!node) {
        problems.push(`${at}: node '${cert.node}' is not in cluster '${cluster.name}': use one of ${cluster.nodes.map((n) => n.fqdn).join(', ')}`);
        return;
      }
      if (!purpose.platforms.includes(nodePlatform(node))) {
        problems.push(`${at}: purpose '${purpose.name}' does not exist on ${nodePlatform(node) === 'imp' ? 'IM and Presence' : 'CUCM'} node '${node.fqdn}'`);
      }
      if (purpose.publisherOnly && node.role !== 'publisher') {
        problems.push(`${at}: ${purpose.name} lives on the CUCM publisher only, not on '${node.fqdn}'`);
      }
      const key = `${cert.cluster}/${purpose.name}/${node.fqdn}`;
      if (seen.has(key) || seen.has(`${cert.cluster}/${purpose.name}/*`)) {
        problems.push(`${at}: node '${node.fqdn}' already gets a ${purpose.name} certificate: declare one per node`);
      }
      seen.set(key, i);
    }
  });

  problems.push(...callManagerWithTvs(decls).map((p) => p.message));

  const stores = trustStoreNames();
  decls.trustEntries.forEach((t, i) => {
    const at = `trustEntries[${i}] (${t.name})`;
    if (!clusters.has(t.cluster)) problems.push(`${at}: cluster '${t.cluster}' is not declared`);
    for (const s of t.stores) {
      if (!stores.includes(s)) problems.push(`${at}: unknown trust store '${s}': use one of ${stores.join(', ')}`);
    }
  });
  throwIfProblems(problems);
}

/**
 * DOMAIN.md §5: never CallManager and TVS in one change (it breaks the ITL on every phone). One
 * problem per cluster, with the TVS certificate it names; `plan` and `lint --inventory` both refuse it.
 */
export function callManagerWithTvs(decls: Pick<Declarations, 'clusters' | 'certificates'>): { cluster: string; certificate: string; message: string }[] {
  const out: { cluster: string; certificate: string; message: string }[] = [];
  for (const cluster of decls.clusters) {
    const mine = decls.certificates.filter((c) => c.cluster === cluster.name);
    const tvs = mine.find((c) => findPurpose(c.purpose)?.family === 'TVS');
    if (tvs && mine.some((c) => findPurpose(c.purpose)?.family === 'CallManager')) {
      out.push({
        cluster: cluster.name,
        certificate: tvs.certificate ?? `${tvs.purpose} issued by ${tvs.issuer}`,
        message: `Cluster '${cluster.name}' replaces CallManager and TVS in one change: this breaks the trust list (ITL) on every phone. Split them into two changes and reset the phones in between`,
      });
    }
  }
  return out;
}
