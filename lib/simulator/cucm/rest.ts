/**
 * The certificate REST API of release 14+ (base /platformcom/api/v1/certmgr/config), acting on
 * the node it is sent to; a node declared before 14 answers 404 as it has no such API.
 */
import { certificatePems } from '../../pki/pem';
import { generateNodeCsr, importIdentity } from './identity';
import { importTrust, trustStoreOfUnit } from './trust';
import { TwinWorld } from './world';

export const REST_BASE = '/platformcom/api/v1/certmgr/config';

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export async function handleRest(world: TwinWorld, fqdn: string, method: string, url: URL, body: string): Promise<JsonReply> {
  const spec = world.spec(fqdn);
  if (spec.major < 14) return { status: 404, body: { message: `The certificate REST API needs release 14 or later; this node runs ${spec.decl.version}` } };
  const route = `${method} ${url.pathname.slice(REST_BASE.length).replace(/\/+$/, '')}`;
  let input: Record<string, unknown> = {};
  if (method === 'POST') {
    try {
      input = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      return bad('The request body is not valid JSON');
    }
  }
  switch (route) {
    case 'POST /trust/certificates':
      return uploadTrust(world, fqdn, input);
    case 'POST /identity/certificates':
      return uploadIdentity(world, fqdn, input);
    case 'GET /identity/certificate':
      return getIdentity(world, fqdn, url.searchParams.get('service') ?? '');
    case 'GET /trust/certificate':
      return getTrust(world, fqdn, url.searchParams.get('service') ?? '');
    case 'GET /snapshot/server':
      return { status: 200, body: snapshot(world, fqdn) };
    case 'POST /csr': {
      const distribution = input.distribution ?? 'this-server';
      if (distribution !== 'this-server' && distribution !== 'multi-server') return bad('distribution must be "this-server" or "multi-server"');
      const altNames = input.altNames;
      if (altNames !== undefined && (!Array.isArray(altNames) || altNames.some((n) => typeof n !== 'string'))) return bad('altNames must be a list of DNS names');
      if (input.commonName !== undefined && typeof input.commonName !== 'string') return bad('commonName must be a DNS name');
      const result = await generateNodeCsr(world, fqdn, String(input.service ?? ''), {
        distribution,
        ...(typeof input.commonName === 'string' ? { commonName: input.commonName } : {}),
        ...(Array.isArray(altNames) ? { altNames: altNames as string[] } : {}),
        ...(typeof input.keyType === 'string' ? { keyType: input.keyType } : {}),
        ...(typeof input.keyLength === 'number' ? { keyLength: input.keyLength } : {}),
      });
      return result.ok ? { status: 200, body: { csr: result.value } } : bad(result.error);
    }
    default:
      return { status: 404, body: { message: `No such resource: ${method} ${url.pathname}` } };
  }
}

function bad(message: string, extra: Record<string, unknown> = {}): JsonReply {
  return { status: 400, body: { message, ...extra } };
}

function pemsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return undefined;
  return (value as string[]).flatMap((v) => certificatePems(v));
}

function uploadTrust(world: TwinWorld, fqdn: string, input: Record<string, unknown>): JsonReply {
  const services = Array.isArray(input.service) ? input.service : typeof input.service === 'string' ? [input.service] : undefined;
  const pems = pemsOf(input.certificates);
  if (!services || services.length === 0 || services.some((s) => typeof s !== 'string')) return bad('service must be a list of units such as ["tomcat"]');
  if (!pems || pems.length === 0) return bad('certificates must be a list of PEM certificates');
  const description = typeof input.description === 'string' ? input.description : undefined;
  const stored = [];
  for (const service of services as string[]) {
    const result = importTrust(world, fqdn, service, pems, description);
    if (!result.ok) return bad(result.error);
    stored.push(...result.value);
  }
  return { status: 200, body: { certificates: stored.map((s) => ({ service: s.store, fileName: s.fileName, sha256: s.sha256 })) } };
}

function uploadIdentity(world: TwinWorld, fqdn: string, input: Record<string, unknown>): JsonReply {
  const pems = pemsOf(input.certificates);
  if (typeof input.service !== 'string') return bad('service must name a unit such as "tomcat"');
  if (!pems || pems.length === 0) return bad('certificates must be a list: the leaf, then its intermediates and root');
  const result = importIdentity(world, fqdn, input.service, pems);
  if (result.error) return bad(result.error);
  const distribution = result.distribution.map((d) => (d.ok ? { node: d.node, status: 'success' } : { node: d.node, status: 'failed', reason: d.reason }));
  if (!result.ok) return bad(`The certificate was not imported on ${distribution.filter((d) => d.status === 'failed').length} node(s)`, { distribution });
  return { status: 200, body: { distribution } };
}

function getIdentity(world: TwinWorld, fqdn: string, service: string): JsonReply {
  const record = world.node(fqdn).identities[service];
  if (!record) return bad(`Invalid service ${service}`);
  return {
    status: 200,
    body: { service, certificate: record.chain[0], sha256: record.sha256, subject: record.subject, issuer: record.issuer, installedAt: record.installedAt },
  };
}

function getTrust(world: TwinWorld, fqdn: string, service: string): JsonReply {
  const store = trustStoreOfUnit(world.spec(fqdn), service);
  if (!store) return bad(`Invalid service ${service}`);
  const certificates = world.node(fqdn).trust[store].map((t) => ({ fileName: t.fileName, sha256: t.sha256, subject: t.subject }));
  return { status: 200, body: { service: store, certificates } };
}

function snapshot(world: TwinWorld, fqdn: string): unknown {
  const spec = world.spec(fqdn);
  const node = world.node(fqdn);
  return {
    identities: spec.purposes
      .map((p) => node.identities[p.name])
      .filter((r) => !!r)
      .map((r) => ({ service: r.unit, sha256: r.sha256, subject: r.subject, installedAt: r.installedAt })),
    trusts: spec.trustStores.flatMap((store) => node.trust[store].map((t) => ({ service: store, fileName: t.fileName, sha256: t.sha256, subject: t.subject }))),
    revoked: [],
  };
}
