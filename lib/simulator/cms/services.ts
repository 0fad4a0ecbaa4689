/**
 * The MMP services that present a certificate (webadmin, callbridge, webbridge, webbridge3, xmpp,
 * turn): `<service> certs` names the files after checking them (a key that does not match its
 * certificate and a file never uploaded are refused); the port presents them only once the
 * service is enabled again (disable / certs / enable) or restarted (callbridge). `pki csr` over
 * the key a running service uses breaks that service at once (DOMAIN.md §4).
 */
import { cmsPortNumber, cmsServiceInfo } from '../../catalog';
import { CmsService } from '../../model';
import { restartFails } from '../core/faults';
import { certificatesOf, keyMatchesCertificate } from './pki';
import { CmsPresented, CmsServiceRecord } from './state';
import { CmsWorld } from './world';

export type CmsResult = { readonly ok: true } | { readonly ok: false; readonly error: string };


/** Services switched with `disable` / `enable`; callbridge has `restart` only. */
export function hasEnable(service: CmsService): boolean {
  return cmsServiceInfo(service).apply === 'disable-certs-enable';
}

/** Reads and checks a key, a certificate (or full chain) and a bundle of the server's folder. */
export function loadIdentity(cw: CmsWorld, fqdn: string, key: string, certificate: string, bundle?: string): { ok: true; value: Omit<CmsPresented, 'since'> } | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  const keyFile = cw.files.stat(fqdn, key);
  if (!keyFile) return fail(`${key} not found: upload it over SFTP or make it with pki csr`);
  if (!keyFile.privateKey) return fail(`${key} is not a private key`);
  const certText = cw.files.text(fqdn, certificate);
  if (certText === undefined) return fail(`${certificate} not found: upload it over SFTP first`);
  const certs = certificatesOf(certText);
  if (!certs) return fail(`${certificate} holds no readable PEM certificate`);
  if (!keyMatchesCertificate(cw.keyPem(keyFile.path), certs[0].pem)) return fail(`the key ${key} does not match the certificate ${certificate}`);
  const chain = [...certs];
  if (bundle !== undefined) {
    const bundleText = cw.files.text(fqdn, bundle);
    if (bundleText === undefined) return fail(`${bundle} not found: upload it over SFTP first`);
    const bundled = certificatesOf(bundleText);
    if (!bundled) return fail(`${bundle} holds no readable PEM certificate`);
    for (const c of bundled) if (!chain.some((x) => x.sha256 === c.sha256)) chain.push(c);
  }
  return { ok: true, value: { keyPath: keyFile.path, chain: chain.map((c) => c.pem), leafSha256: certs[0].sha256 } };
}

/** `<service> certs <key> <crt> [<bundle>]`, `webbridge3 https certs <key> <full chain>`. */
export function assignCerts(cw: CmsWorld, fqdn: string, service: CmsService, args: readonly string[]): CmsResult {
  const fullChain = cmsServiceInfo(service).fullChain;
  const usage = fullChain ? `${service} https certs <key file> <full chain file>` : `${service} certs <key file> <certificate file> [<CA bundle file>]`;
  if (fullChain ? args.length !== 2 : args.length < 2 || args.length > 3) return { ok: false, error: `usage: ${usage}` };
  const [key, certificate, bundle] = args;
  const loaded = loadIdentity(cw, fqdn, key, certificate, bundle);
  if (!loaded.ok) return loaded;
  const record = cw.service(fqdn, service);
  record.key = key;
  record.certificate = certificate;
  record.bundle = bundle;
  cw.save();
  cw.log(`${cw.spec(fqdn).fqdn}: ${service} certs ${args.join(' ')}`);
  return { ok: true };
}

export function disableService(cw: CmsWorld, fqdn: string, service: CmsService): CmsResult {
  const record = cw.service(fqdn, service);
  record.enabled = false;
  delete record.failure;
  cw.save();
  cw.log(`${cw.spec(fqdn).fqdn}: ${service} disabled`);
  return { ok: true };
}

/** `<service> enable`: the port presents the configured files from now on. */
export function enableService(cw: CmsWorld, fqdn: string, service: CmsService): Promise<CmsResult> {
  const missing = notSetUp(cw, fqdn, service);
  if (missing) return Promise.resolve(missing);
  return startService(cw, fqdn, service, 'enable');
}

/** `<service> restart` (callbridge's way to take new certificates). */
export function restartService(cw: CmsWorld, fqdn: string, service: CmsService): Promise<CmsResult> {
  const missing = notSetUp(cw, fqdn, service);
  if (missing) return Promise.resolve(missing);
  if (hasEnable(service) && !cw.service(fqdn, service).enabled) return Promise.resolve({ ok: false, error: `${service} is disabled: use ${service} enable` });
  return startService(cw, fqdn, service, 'restart');
}

/** A service the server does not run (not declared) cannot start: it has no listening interface. */
function notSetUp(cw: CmsWorld, fqdn: string, service: CmsService): CmsResult | undefined {
  const spec = cw.spec(fqdn);
  if (spec.decl.services.includes(service)) return undefined;
  return { ok: false, error: `${service} has no listening interface on ${spec.fqdn} (the service is not set up there)` };
}

/** One start of a service at a time; each reads its files when it begins. */
function startService(cw: CmsWorld, fqdn: string, service: CmsService, how: 'enable' | 'restart'): Promise<CmsResult> {
  return cw.twin.oneAtATime(`${cw.spec(fqdn).fqdn}/${service}`, () => runStart(cw, fqdn, service, how));
}

async function runStart(cw: CmsWorld, fqdn: string, service: CmsService, how: 'enable' | 'restart'): Promise<CmsResult> {
  const name = cw.spec(fqdn).fqdn;
  const record = cw.service(fqdn, service);
  if (!record.key || !record.certificate) {
    return fail(cw, record, how, `${service} has no certificate configured: use ${cmsServiceInfo(service).fullChain ? `${service} https certs` : `${service} certs`} first`);
  }
  const loaded = loadIdentity(cw, fqdn, record.key, record.certificate, record.bundle);
  if (!loaded.ok) return fail(cw, record, how, loaded.error);
  record.restarting = true;
  cw.save();
  cw.log(`${name}: ${service} ${how === 'enable' ? 'enabling' : 'restarting'}`);
  try {
    const ms = cw.twin.restartMillisOf(name, service);
    await cw.twin.serviceStarting(fqdn, service, how === 'restart' ? ms : ms / 2);
  } catch (e) {
    record.restarting = false;
    record.failure = `${how} interrupted: the twin stopped`;
    throw e;
  }
  record.restarting = false;
  if (restartFails(cw.faults(fqdn), service)) {
    cw.log(`${name}: ${service} failed to start (injected fault)`);
    return fail(cw, record, how, `${service} failed to start`);
  }
  record.presents = { ...loaded.value, since: new Date().toISOString() };
  record.enabled = true;
  delete record.failure;
  cw.save();
  cw.log(`${name}: ${service} presents ${loaded.value.leafSha256.slice(0, 16)}`);
  return { ok: true };
}

/** A failed enable leaves the service disabled; a failed restart leaves it down. */
function fail(cw: CmsWorld, record: CmsServiceRecord, how: 'enable' | 'restart', error: string): CmsResult {
  if (how === 'enable') record.enabled = false;
  else record.failure = error;
  cw.save();
  return { ok: false, error };
}

/** `pki csr` / `pki selfsigned` wrote a new key under a name in use: what uses it breaks at once. */
export function keyReplaced(cw: CmsWorld, fqdn: string, keyName: string, by: string): string[] {
  const server = cw.server(fqdn);
  const broken: string[] = [];
  for (const [service, record] of Object.entries(server.services) as [CmsService, CmsServiceRecord][]) {
    if (record.key !== keyName || !record.presents || !record.enabled) continue;
    record.failure = `its key ${keyName} was replaced by ${by}: the key no longer matches ${record.certificate}`;
    broken.push(service);
  }
  const certs = server.database.certs;
  if (server.database.membership !== 'none' && certs && (certs.serverKey === keyName || certs.clientKey === keyName)) {
    server.database.failure = `its key ${keyName} was replaced by ${by}: the database certificates no longer match`;
    broken.push('database');
  }
  if (broken.length) {
    cw.save();
    cw.log(`${server.fqdn}: ${by} replaced ${keyName} in use: ${broken.join(', ')} broken`);
  }
  return broken;
}

const PAD = 36;
const row = (label: string, value: string): string => `${label.padEnd(PAD)}: ${value}`;

/** `<service>` without arguments: its state and files, as the checks read them (docs/cms.md). */
export function serviceStatus(cw: CmsWorld, fqdn: string, service: CmsService): string[] {
  const spec = cw.spec(fqdn);
  const record = cw.service(fqdn, service);
  const port = cmsPortNumber(spec.decl, cmsServiceInfo(service).port);
  const iface = spec.decl.databaseInterface;
  const lines: string[] = [];
  const file = (name: string | undefined): string => name ?? 'none';
  if (hasEnable(service)) lines.push(row('Enabled', String(record.enabled)));
  switch (service) {
    case 'callbridge':
      lines.push(row('Listening interfaces', iface), row('Preferred interface', 'none'));
      break;
    case 'webbridge3':
      lines.push(row('HTTPS listening ports and interfaces', port ? `${iface}:${port}` : 'none'));
      break;
    case 'xmpp':
      lines.push(row('Listening interfaces', iface), row('Domain', spec.cluster.xmppDomains[0] ?? 'none'), row('TLS listening port', String(port ?? 'none')));
      break;
    default:
      lines.push(row('TLS listening interface', iface), row('TLS listening port', String(port ?? 'none')));
  }
  if (service === 'webbridge3') {
    lines.push(row('HTTPS Key file', file(record.key)), row('HTTPS Full chain certificate file', file(record.certificate)));
  } else {
    lines.push(row('Key file', file(record.key)), row('Certificate file', file(record.certificate)), row('CA Bundle file', file(record.bundle)));
  }
  if (service === 'callbridge' || service === 'webbridge') lines.push(row('Trust bundle', 'none'));
  const running = record.failure ? `failed: ${record.failure}` : record.restarting ? 'starting' : !record.enabled ? 'stopped' : record.presents ? 'running' : 'stopped';
  lines.push(row('Status', running));
  return lines;
}
