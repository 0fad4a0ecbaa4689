/**
 * The MMP command line of a simulated Meeting Server (docs/cms.md, "MMP output the checks read"):
 * `pki …`, the services' status / certs / enable / disable / restart, and `database cluster …`.
 * One line in, the server's lines out; a refusal is one line starting with `ERROR:`, success of
 * a configuration command prints nothing, as the MMP does.
 */
import { CmsService } from '../../model';
import { colonFingerprint } from '../../pki/fingerprint';
import { X509, x509 } from '../../pki/x509';
import { vendorDate } from '../core/certificate';
import { ShellProgram, Terminal, commandWords } from '../core/cli-shell';
import { databaseCerts, databaseInitialize, databaseJoin, databaseLocalnode, databaseRemove, databaseStatus } from './database';
import { certificatesOf, describeKey, keyMatchesCertificate, makeCsr, makeSelfSigned, newRsaKey, signCsr, validity, verifyAgainstBundle, CmsSubject } from './pki';
import { CmsResult, assignCerts, disableService, enableService, hasEnable, keyReplaced, restartService, serviceStatus } from './services';
import { CmsWorld } from './world';

const BASENAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_KEYS: Record<string, keyof CmsSubject> = { cn: 'CN', ou: 'OU', o: 'O', st: 'ST', c: 'C' };
const CSR_USAGE = 'usage: pki csr <basename> CN:<value> [OU:<value>] [O:<value>] [ST:<value>] [C:<value>] [subjectAltName:<name>[,<name>...]]';

/** The MMP over SSH: a short banner, then `<host name>> ` as the prompt. */
export function mmpShell(cw: CmsWorld, fqdn: string): ShellProgram {
  const spec = cw.spec(fqdn);
  return {
    banner: `\r\nCisco Meeting Server ${spec.cluster.version} (ucrollout digital twin)\r\n\r\n`,
    prompt: `${spec.hostname}> `,
    run: (line, term) => runMmpCommand(cw, spec.fqdn, line, term),
  };
}

/** Runs one MMP line; returns false when the session should end. */
export async function runMmpCommand(cw: CmsWorld, fqdn: string, line: string, term: Terminal): Promise<boolean> {
  const words = await commandWords(cw.faults(fqdn), cw.signal, line, term, ['exit', 'quit', 'logout']);
  if (!words) return false;
  if (words.length === 0) return true;
  for (const out of await dispatch(cw, fqdn, words)) term.print(out);
  return true;
}

async function dispatch(cw: CmsWorld, fqdn: string, words: string[]): Promise<string[]> {
  const [first, second, ...rest] = words;
  const spec = cw.spec(fqdn);
  if (first === 'pki') return pki(cw, fqdn, second, rest);
  if (first === 'database' && second === 'cluster') return database(cw, fqdn, rest);
  if (first === 'help') return help(cw, fqdn);
  const service = spec.available.find((s) => s === first);
  if (service) return serviceCommand(cw, fqdn, service, words.slice(1));
  return [`ERROR: Unknown command '${words.join(' ')}': type help for the commands`];
}

function result(r: CmsResult, ok: string[] = []): string[] {
  return r.ok ? ok : [`ERROR: ${r.error}`];
}

function help(cw: CmsWorld, fqdn: string): string[] {
  const services = cw.spec(fqdn).available;
  return [
    'pki list | inspect <file> | match <key> <crt> | verify <crt> <bundle> | unlink <file>',
    'pki csr <basename> CN:<value> [OU:] [O:] [ST:] [C:] [subjectAltName:<a>,<b>]',
    'pki selfsigned <basename> CN:<value> | pki sign <csr basename> <CA basename>',
    ...services.map((s) =>
      s === 'callbridge'
        ? 'callbridge | callbridge certs <key> <crt> [<bundle>] | callbridge restart'
        : s === 'webbridge3'
          ? 'webbridge3 | webbridge3 https certs <key> <full chain> | webbridge3 enable | disable | restart'
          : `${s} | ${s} certs <key> <crt> [<bundle>] | ${s} enable | disable | restart`,
    ),
    'database cluster status | remove | certs … | localnode <a-e> | initialize | join <primary> | connect <primary>',
  ];
}

// ---- services --------------------------------------------------------------------------------

async function serviceCommand(cw: CmsWorld, fqdn: string, service: CmsService, args: string[]): Promise<string[]> {
  const [verb, ...rest] = args;
  if (!verb) return serviceStatus(cw, fqdn, service);
  if (service === 'webbridge3' && verb === 'https' && rest[0] === 'certs') return result(assignCerts(cw, fqdn, service, rest.slice(1)));
  if (verb === 'certs' && service !== 'webbridge3') return result(assignCerts(cw, fqdn, service, rest));
  if (verb === 'restart') return result(await restartService(cw, fqdn, service));
  if (hasEnable(service) && verb === 'enable') return result(await enableService(cw, fqdn, service));
  if (hasEnable(service) && verb === 'disable') return result(disableService(cw, fqdn, service));
  return [`ERROR: Unknown command '${[service, ...args].join(' ')}': type help for the commands`];
}

// ---- database cluster -------------------------------------------------------------------------

function database(cw: CmsWorld, fqdn: string, [verb, ...args]: string[]): string[] {
  switch (verb) {
    case 'status':
      return databaseStatus(cw, fqdn);
    case 'remove':
      return result(databaseRemove(cw, fqdn));
    case 'certs':
      return result(databaseCerts(cw, fqdn, args));
    case 'localnode':
      return result(databaseLocalnode(cw, fqdn, args[0]));
    case 'initialize':
      return result(databaseInitialize(cw, fqdn));
    case 'join':
      return result(databaseJoin(cw, fqdn, args[0], 'join'));
    case 'connect':
      return result(databaseJoin(cw, fqdn, args[0], 'connect'));
    default:
      return ['ERROR: usage: database cluster status | remove | certs … | localnode <a-e> | initialize | join <primary> | connect <primary>'];
  }
}

// ---- pki ----------------------------------------------------------------------------------------

async function pki(cw: CmsWorld, fqdn: string, verb: string | undefined, args: string[]): Promise<string[]> {
  switch (verb) {
    case 'list':
      return ['User supplied certificates and keys:', ...cw.files.list(fqdn)];
    case 'inspect':
      return args[0] ? inspect(cw, fqdn, args[0]) : ['ERROR: usage: pki inspect <file>'];
    case 'match':
      return args.length === 2 ? match(cw, fqdn, args[0], args[1]) : ['ERROR: usage: pki match <key file> <certificate file>'];
    case 'verify':
      return args.length === 2 ? verify(cw, fqdn, args[0], args[1]) : ['ERROR: usage: pki verify <certificate file> <CA bundle or root file>'];
    case 'csr':
      return csr(cw, fqdn, args);
    case 'selfsigned':
      return selfsigned(cw, fqdn, args);
    case 'sign':
      return args.length === 2 ? sign(cw, fqdn, args[0], args[1]) : ['ERROR: usage: pki sign <CSR basename> <CA basename>'];
    case 'unlink':
      if (!args[0]) return ['ERROR: usage: pki unlink <file>'];
      if (!cw.files.remove(fqdn, args[0])) return [`ERROR: ${args[0]} not found`];
      cw.log(`${cw.spec(fqdn).fqdn}: pki unlink ${args[0]}`);
      return [];
    default:
      return ['ERROR: usage: pki list | inspect | match | verify | csr | selfsigned | sign | unlink'];
  }
}

function inspect(cw: CmsWorld, fqdn: string, name: string): string[] {
  const record = cw.files.stat(fqdn, name);
  if (!record) return [`ERROR: ${name} not found`];
  const text = cw.files.read(fqdn, name)!.toString('utf8');
  if (record.privateKey) return [`${name}: private key (${describeKey(text) ?? 'unreadable'})`];
  const certs = certificatesOf(text);
  if (certs) {
    const lines = [`Checking ${name} ...`, `File contains ${certs.length} PEM encoded certificate${certs.length > 1 ? 's' : ''}`];
    certs.forEach((c, i) => {
      lines.push(
        `Certificate ${i + 1}:`,
        `    Subject             : ${c.subject}`,
        `    Issuer              : ${c.issuer}`,
        `    Not before          : ${vendorDate(c.notBefore)}`,
        `    Not after           : ${vendorDate(c.notAfter)}`,
        `    Subject alt names   : ${c.dnsNames.length ? c.dnsNames.join(', ') : 'none'}`,
        `    SHA-256 fingerprint : ${colonFingerprint(c.sha256)}`,
        `    Status              : ${validity(c)}`,
      );
    });
    return lines;
  }
  if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
    try {
      const request = new x509.Pkcs10CertificateRequest(text);
      const san = request.extensions.find((e): e is X509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
      return [`Checking ${name} ...`, 'File contains a PEM encoded certificate signing request', `    Subject             : ${request.subject}`, `    Subject alt names   : ${san ? san.names.items.map((n) => n.value).join(', ') : 'none'}`];
    } catch {
      return [`ERROR: ${name} holds an unreadable certificate signing request`];
    }
  }
  return [`ERROR: ${name} is not a certificate, key or certificate signing request`];
}

function match(cw: CmsWorld, fqdn: string, keyName: string, certName: string): string[] {
  const key = cw.files.stat(fqdn, keyName);
  if (!key) return [`ERROR: ${keyName} not found`];
  if (!key.privateKey) return [`ERROR: ${keyName} is not a private key`];
  const text = cw.files.text(fqdn, certName);
  if (text === undefined) return [`ERROR: ${certName} not found`];
  const certs = certificatesOf(text);
  if (!certs) return [`ERROR: ${certName} holds no readable PEM certificate`];
  return [keyMatchesCertificate(cw.keyPem(key.path), certs[0].pem) ? 'Key and certificate match' : 'Key and certificate do not match'];
}

function verify(cw: CmsWorld, fqdn: string, certName: string, bundleName: string): string[] {
  const certText = cw.files.text(fqdn, certName);
  if (certText === undefined) return [`ERROR: ${certName} not found`];
  const bundleText = cw.files.text(fqdn, bundleName);
  if (bundleText === undefined) return [`ERROR: ${bundleName} not found`];
  const certs = certificatesOf(certText);
  const bundle = certificatesOf(bundleText);
  if (!certs) return [`ERROR: ${certName} holds no readable PEM certificate`];
  if (!bundle) return [`ERROR: ${bundleName} holds no readable PEM certificate`];
  const problem = verifyAgainstBundle(certs[0], bundle);
  return problem ? [`ERROR: verification failed: ${problem}`] : ['Certificate verified OK'];
}

/** `CN:x OU:y subjectAltName:a,b` → subject and SANs, or the reason it is refused. */
function parseSubject(args: readonly string[], allowSans: boolean): { subject: CmsSubject; sans: string[] } | string {
  const subject: Partial<Record<keyof CmsSubject, string>> = {};
  let sans: string[] = [];
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const key = colon > 0 ? arg.slice(0, colon) : '';
    const value = arg.slice(colon + 1);
    if (!key || !value) return `'${arg}' is not <attribute>:<value>`;
    if (allowSans && key.toLowerCase() === 'subjectaltname') {
      sans = value.split(',').filter(Boolean);
      continue;
    }
    const field = SUBJECT_KEYS[key.toLowerCase()];
    if (!field) return `unknown attribute '${key}'`;
    if (subject[field]) return `${field} given twice`;
    if (field === 'C' && !/^[A-Za-z]{2}$/.test(value)) return `C must be a two-letter ISO country code, got '${value}'`;
    subject[field] = value;
  }
  if (!subject.CN) return 'CN:<value> is required';
  return { subject: subject as CmsSubject, sans };
}

async function csr(cw: CmsWorld, fqdn: string, [basename, ...attrs]: string[]): Promise<string[]> {
  if (!basename || !BASENAME.test(basename)) return [`ERROR: ${CSR_USAGE} (basename: letters, digits, - and _)`];
  const parsed = parseSubject(attrs, true);
  if (typeof parsed === 'string') return [`ERROR: ${parsed}; ${CSR_USAGE}`];
  const key = await newRsaKey();
  const request = await makeCsr(key, parsed.subject, parsed.sans);
  const keyName = `${basename}.key`;
  const replaced = !!cw.files.stat(fqdn, keyName);
  cw.files.write(fqdn, keyName, Buffer.from(key));
  cw.files.write(fqdn, `${basename}.csr`, Buffer.from(request));
  cw.log(`${cw.spec(fqdn).fqdn}: pki csr ${basename} (CN ${parsed.subject.CN}${parsed.sans.length ? `, SANs ${parsed.sans.join(',')}` : ''})`);
  if (replaced) keyReplaced(cw, fqdn, keyName, 'pki csr');
  return [`Created key file ${keyName} and CSR ${basename}.csr`, `CSR file ${basename}.csr ready for download via SFTP`];
}

async function selfsigned(cw: CmsWorld, fqdn: string, [basename, ...attrs]: string[]): Promise<string[]> {
  const usage = 'usage: pki selfsigned <basename> CN:<value> [OU:<value>] [O:<value>] [ST:<value>] [C:<value>]';
  if (!basename || !BASENAME.test(basename)) return [`ERROR: ${usage}`];
  const parsed = parseSubject(attrs, false);
  if (typeof parsed === 'string') return [`ERROR: ${parsed}; ${usage}`];
  const key = await newRsaKey();
  const cert = await makeSelfSigned(key, parsed.subject, []);
  const keyName = `${basename}.key`;
  const replaced = !!cw.files.stat(fqdn, keyName);
  cw.files.write(fqdn, keyName, Buffer.from(key));
  cw.files.write(fqdn, `${basename}.crt`, Buffer.from(cert));
  cw.log(`${cw.spec(fqdn).fqdn}: pki selfsigned ${basename} (CN ${parsed.subject.CN})`);
  if (replaced) keyReplaced(cw, fqdn, keyName, 'pki selfsigned');
  return [`Created key file ${keyName} and self-signed certificate ${basename}.crt`];
}

async function sign(cw: CmsWorld, fqdn: string, csrBase: string, caBase: string): Promise<string[]> {
  const request = cw.files.text(fqdn, `${csrBase}.csr`);
  if (request === undefined) return [`ERROR: ${csrBase}.csr not found`];
  const caCert = cw.files.text(fqdn, `${caBase}.crt`);
  if (caCert === undefined) return [`ERROR: ${caBase}.crt not found`];
  const caKey = cw.files.stat(fqdn, `${caBase}.key`);
  if (!caKey?.privateKey) return [`ERROR: ${caBase}.key not found`];
  const signed = await signCsr(request, caCert, cw.keyPem(caKey.path));
  if (!signed.ok) return [`ERROR: ${signed.error}`];
  cw.files.write(fqdn, `${csrBase}.crt`, Buffer.from(signed.pem));
  cw.log(`${cw.spec(fqdn).fqdn}: pki sign ${csrBase} ${caBase}`);
  return [`Signed ${csrBase}.csr with ${caBase}: certificate ${csrBase}.crt`];
}
