/**
 * Facts the planner needs of a certificate file (fingerprint, names, dates), read with
 * Node's own X.509 parser: fast, and no certificate body leaves this function.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { CertificateFacts } from '../model';
import { readCertificates } from './input';
import { readBounded } from './bounded-read';

export function factsFromDer(der: Buffer, path: string): CertificateFacts {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (e) {
    throw new Error(`${path}: not a readable X.509 certificate (${(e as Error).message}): give a PEM or DER certificate`);
  }
  const subject = dn(cert.subject);
  const issuer = dn(cert.issuer);
  return {
    path,
    sha256: createHash('sha256').update(der).digest('hex'),
    subject,
    issuer,
    commonName: /(?:^|, )CN=([^,]*)/.exec(subject)?.[1] ?? '',
    dnsNames: (cert.subjectAltName ?? '')
      .split(/,\s*/)
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4)),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    selfIssued: subject === issuer,
    isCa: cert.ca,
  };
}

/** Facts of the first certificate in the file. */
export function readCertificateFacts(path: string, displayPath = path): CertificateFacts {
  let data: Buffer;
  try {
    data = readBounded(path);
  } catch (e) {
    throw new Error(`Cannot read certificate file '${displayPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return factsFromDer(readCertificates(data, displayPath)[0], displayPath);
}

/** Node prints a DN one attribute per line; the plan wants one line. */
function dn(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}
