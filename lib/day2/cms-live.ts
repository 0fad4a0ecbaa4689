/**
 * What a Meeting Server holds and presents right now, read over the MMP (SSH) with the
 * commands a plan's checks read and nothing that changes the server (docs/cms.md, "MMP output
 * the checks read"): `pki list`, each service's status (`webadmin`, `callbridge`, …: the key and
 * certificate files it is configured with, and whether it is enabled), `pki inspect <crt>` of
 * the configured certificate (its facts), then a TLS handshake on each service port.
 */
import { CmsServiceInfo, cmsPortNumber, cmsServiceInfo } from '../catalog/cms';
import { MmpDriver, MmpTimeouts } from '../drivers/mmp-driver';
import { NodeAccess } from '../drivers/node-access';
import { probeChain } from '../drivers/tls-probe';
import { CmsServerDecl, CmsService } from '../model';
import { normalizeFingerprint } from '../pki/fingerprint';
import { LiveCertificate, LiveIdentity, NodeReading, PresentedPort } from './live';

/** Every service an MMP may have, in the plan's order. */
export const CMS_SERVICES: readonly CmsService[] = ['webadmin', 'callbridge', 'webbridge', 'webbridge3', 'xmpp', 'turn'];

export interface CmsReadTimeouts extends MmpTimeouts {
  /** A TLS probe of one port. @default 10000 */
  readonly probeMs?: number;
}

/** What `<service>` (status) prints: its configured files and whether it is enabled. */
export interface CmsServiceStatus {
  /** undefined: the service has no Enabled line (callbridge). */
  readonly enabled?: boolean;
  readonly keyFile?: string;
  /** The certificate file (webbridge3: the full chain file). */
  readonly certificateFile?: string;
  readonly bundleFile?: string;
}

const field = (text: string, label: string): string | undefined => {
  const m = new RegExp(`^[ \\t]*${label}[ \\t]*:[ \\t]*(\\S.*?)[ \\t]*$`, 'im').exec(text);
  const v = m?.[1];
  return v === undefined || /^(none|-|not set)$/i.test(v) ? undefined : v;
};

/** Undefined when the MMP refused the command (a service this release does not have). */
export function parseServiceStatus(text: string): CmsServiceStatus | undefined {
  if (/^\s*(ERROR|Failure)\b|Unknown command|invalid command/im.test(text)) return undefined;
  const enabled = field(text, 'Enabled');
  return {
    enabled: enabled === undefined ? undefined : /^true$/i.test(enabled),
    keyFile: field(text, 'HTTPS Key file') ?? field(text, 'Key file'),
    certificateFile: field(text, 'HTTPS Full chain certificate file') ?? field(text, 'Certificate file'),
    bundleFile: field(text, 'CA Bundle file'),
  };
}

/** The first certificate `pki inspect <crt>` prints (the leaf); undefined when it printed none. */
export function parseInspect(text: string): LiveCertificate | undefined {
  const first = text.split(/^\s*Certificate 2:/m)[0];
  const sha256 = normalizeFingerprint(field(first, 'SHA-256 fingerprint') ?? field(first, 'SHA256 Fingerprint') ?? '');
  if (sha256.length !== 64) return undefined;
  const date = (value: string | undefined): string => {
    const t = value ? Date.parse(value.replace(/\bUTC\b/, 'GMT')) : NaN;
    return Number.isNaN(t) ? '' : new Date(t).toISOString();
  };
  const subject = field(first, 'Subject') ?? '';
  const issuer = field(first, 'Issuer') ?? '';
  const sans = (field(first, 'Subject alt names') ?? '')
    .split(/[,\s]+/)
    .map((s) => s.replace(/^DNS:/i, '').trim())
    .filter(Boolean);
  return { sha256, subject, issuer, sans, notBefore: date(field(first, 'Not before')), notAfter: date(field(first, 'Not after')), selfSigned: subject !== '' && subject === issuer };
}

/** A service as a server runs it: its status and the facts of the certificate it is configured with. */
export interface CmsServiceReading {
  readonly service: CmsService;
  readonly status: CmsServiceStatus;
  readonly cert?: LiveCertificate;
}

/** Reads the services' status and certificates over an open MMP session; `services` undefined: every service the MMP knows. */
export async function readCmsServices(mmp: MmpDriver, services: readonly CmsService[] = CMS_SERVICES): Promise<{ files: string[]; services: CmsServiceReading[] }> {
  const files = (await mmp.run('pki list'))
    .split('\n')
    .flatMap((l) => l.trim().split(/\s+/))
    .filter((w) => /\.(crt|key|pem|cer|csr)$/i.test(w));
  const out: CmsServiceReading[] = [];
  for (const service of services) {
    const status = parseServiceStatus(await mmp.run(service));
    if (!status) continue;
    const cert = status.certificateFile ? parseInspect(await mmp.run(`pki inspect ${status.certificateFile}`)) : undefined;
    out.push({ service, status, cert });
  }
  return { files, services: out };
}

/**
 * Reads one Meeting Server: the declared services' certificates and what their ports present.
 * Throws when the server cannot be reached or logged into (the caller marks it unreachable).
 */
export async function readCmsServer(access: NodeAccess, server: CmsServerDecl, timeouts: CmsReadTimeouts, onOpen: (close: () => void) => void): Promise<NodeReading> {
  const mmp = await MmpDriver.connect(access.sshTarget(server.fqdn), timeouts);
  onOpen(() => mmp.close());
  let read: CmsServiceReading[];
  try {
    read = (await readCmsServices(mmp, CMS_SERVICES.filter((s) => server.services.includes(s)))).services;
  } finally {
    mmp.close();
  }
  const identities: LiveIdentity[] = [];
  for (const r of read) {
    if (!r.cert) continue;
    const info: CmsServiceInfo = cmsServiceInfo(r.service);
    const ports: PresentedPort[] = [];
    const number = cmsPortNumber(server, info.port);
    if (number !== undefined && r.status.enabled !== false) {
      try {
        const probe = await probeChain({ endpoint: access.endpoint(server.fqdn, info.port.name, number), handshake: info.port.handshake, timeoutMs: timeouts.probeMs });
        ports.push({ port: info.port.name, number, sha256: probe.chain[0]?.sha256 });
      } catch (e) {
        ports.push({ port: info.port.name, number, error: (e as Error).message.replace(`${server.fqdn}: `, '') });
      }
    }
    identities.push({ purpose: r.service, ...r.cert, ports });
  }
  return { fqdn: server.fqdn.toLowerCase(), reachable: true, identities, trust: [] };
}
