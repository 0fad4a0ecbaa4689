/** Certificate steps: the identity upload, verification, manual actions after (clean-up: ./cleanup-steps.ts). */
import { getPurpose, runsService } from '../../catalog';
import { CertificateDecl, NodeDecl, findNode, isImpRole, publisherOf } from '../../model';
import { Gates, Group, PlanContext } from './plan-context';
import { chainTail } from './trust-steps';
import { leafPlan } from './issued-steps';

export function addIdentityUpload(
  ctx: PlanContext,
  cert: CertificateDecl,
  g: Group,
  gates: Gates,
  isa: string[],
): { id: string; cert: CertificateDecl; nodes: NodeDecl[] } {
  const purpose = getPurpose(cert.purpose);
  const node = ctx.uploadNodeOf(cert);
  const covered = ctx.covered(cert);
  const leaf = leafPlan(ctx, cert);
  const ca = ctx.ca(cert.ca);
  const chain = [...[...ca.intermediates].reverse(), ca.root].map((p) => ctx.ref(p));
  const multi = cert.distribution === 'multi-server';
  const id = ctx.add({
    id: `${purpose.name}/identity/${ctx.short(node)}`,
    kind: 'upload-identity',
    node: node.fqdn,
    purpose: purpose.name,
    description: multi
      ? `Upload the multi-server ${purpose.name} certificate (${leaf.label}) on ${node.fqdn}; it is distributed to ${covered.map((n) => n.fqdn).join(', ')}`
      : `Upload the ${purpose.name} certificate (${leaf.label}) on ${node.fqdn}`,
    command: `set cert import own ${purpose.name}`,
    reason: multi
      ? 'DOMAIN.md §3 install 3: a multi-server certificate is uploaded once, on the publisher, after its CA chain is trusted'
      : 'DOMAIN.md §3 install 3: a single-server certificate is uploaded on its node, after its CA chain is trusted',
    ...leaf.upload,
    chain,
    distribution: cert.distribution,
    distributeTo: multi ? covered.map((n) => n.fqdn) : undefined,
    fingerprints: ctx.certFingerprints(cert),
  });
  ctx.graph.depend(id, chainTail(ctx, cert));
  if (leaf.after) ctx.graph.depend(id, leaf.after);
  if (isa.length > 0 && ctx.reachesImp(purpose.trustStore)) for (const gate of isa) ctx.graph.depend(id, gate);
  if (purpose.maintenanceWindow && gates.maintenance) ctx.graph.depend(id, gates.maintenance);
  if (purpose.ssoAround && gates.ssoDisable) ctx.graph.depend(id, gates.ssoDisable);
  return { id, cert, nodes: covered };
}

export function addVerifies(
  ctx: PlanContext,
  cert: CertificateDecl,
  restarts: Map<string, string[]>,
  uploads: { id: string; cert: CertificateDecl }[],
): string[] {
  const purpose = getPurpose(cert.purpose);
  const ca = ctx.ca(cert.ca);
  const leaf = leafPlan(ctx, cert);
  const expectChain = [...leaf.expectLeaf, ...[...ca.intermediates].reverse().map((p) => ctx.ref(p).sha256)];
  const upload = uploads.find((u) => u.cert === cert)!.id;
  const ids: string[] = [];
  for (const node of ctx.covered(cert)) {
    const nodeRestarts = restarts.get(node.fqdn) ?? [];
    const ports = purpose.ports.filter((p) => runsService(node, p.servedBy));
    const base = { kind: 'verify' as const, node: node.fqdn, purpose: purpose.name, expectChain, ...(leaf.leafFrom ? { leafFrom: leaf.leafFrom } : {}), fingerprints: ctx.certFingerprints(cert) };
    if (ports.length === 0) {
      const id = ctx.add({
        ...base,
        id: `${purpose.name}/verify/${ctx.short(node)}/identity`,
        description: `Check ${node.fqdn} holds the new ${purpose.name} certificate (${leaf.expectLeaf[0] ? `${leaf.expectLeaf[0].slice(0, 16)}…` : `the leaf in ${leaf.leafFrom!.chainFile}`})`,
        command: `show cert own ${purpose.name}`,
        reason: 'DOMAIN.md §3 install 5: verify each node has the new certificate',
      });
      ctx.graph.depend(id, nodeRestarts.at(-1) ?? upload);
      ids.push(id);
      continue;
    }
    for (const port of ports) {
      const number = node.ports[port.name] ?? port.port;
      const id = ctx.add({
        ...base,
        id: `${purpose.name}/verify/${ctx.short(node)}/${port.name}`,
        description: `Check ${node.fqdn}:${number} (${port.name}) presents the new ${purpose.name} chain`,
        command: `openssl s_client -connect ${node.fqdn}:${number} -servername ${node.fqdn}${port.handshake === 'xmpp-starttls' ? ' -starttls xmpp' : ''} -sigalgs ${purpose.keyType === 'EC' ? 'ECDSA+SHA256' : 'RSA+SHA256:RSA-PSS+SHA256'} -showcerts`,
        reason: 'DOMAIN.md §3 install 5: each node presents the new chain on its service port',
        port: { name: port.name, port: number, handshake: port.handshake, keyType: purpose.keyType },
      });
      const servedBy = nodeRestarts.find((r) => { const s = ctx.graph.get(r); return s.kind === 'restart-service' && s.service === port.servedBy; });
      ctx.graph.depend(id, servedBy ?? nodeRestarts.at(-1) ?? upload);
      ids.push(id);
    }
  }
  return ids;
}

export function addManualAfter(ctx: PlanContext, g: Group, ends: string[]): void {
  for (const action of g.purposes[0].manualAfter) {
    const id = ctx.addGroupAction(g, action, `DOMAIN.md §5: after a ${g.family} change`);
    for (const e of ends) ctx.graph.depend(id, e);
  }
}

/** IM&P: after the Tomcat restarts, each intercluster peer resyncs this cluster's Tomcat certificates. */
export function addPeerTomcatResync(ctx: PlanContext, g: Group, restarts: Map<string, string[]>): void {
  const impPub = publisherOf(ctx.cluster, 'imp');
  const impEnds = [...restarts].filter(([fqdn]) => isImpRole(findNode(ctx.cluster, fqdn)!.role)).map(([, ids]) => ids.at(-1)!);
  if (!impPub || impEnds.length === 0) return;
  for (const peer of [...ctx.cluster.interclusterPeers].sort()) {
    const id = ctx.add({
      id: `tomcat/manual/intercluster-resync/${peer}`,
      kind: 'manual',
      node: impPub.fqdn,
      purpose: g.purposes.map((p) => p.name).join('+'),
      description: `Resync the new Tomcat certificates with intercluster peer ${peer}`,
      command: `On ${peer}: intercluster troubleshooter, Force Manual Sync with "Also resync peer's Tomcat certificates"; expect "Connection is secure"`,
      reason: "DOMAIN.md §3 install 4: after the IM&P Tomcat restarts, verify intercluster sync with 'Also resync peer's Tomcat certificates'",
      fingerprints: ctx.fingerprintsOf([g]),
    });
    for (const e of impEnds) ctx.graph.depend(id, e);
  }
}
