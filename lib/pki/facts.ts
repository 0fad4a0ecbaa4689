/**
 * Facts the planner needs of a certificate file (fingerprint, names, dates), read with
 * Node's own X.509 parser: fast, and no certificate body leaves this function.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CertificateFacts } from '../model';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** DER bodies of every certificate in a PEM (any number of blocks, CRLF or LF) or DER buffer. */
export function certificateDers(data: Buffer, label = 'input'): Buffer[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) {
      throw new Error(`${label}: no 'BEGIN CERTIFICATE' block found (is it a key or a CSR?): give a PEM or DER certificate`);
    }
    return blocks.map((b) => Buffer.from(b.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  }
  if (data.length === 0) throw new Error(`${label}: the file is empty: give a PEM or DER certificate`);
  return [data];
}

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
    data = readFileSync(path);
  } catch (e) {
    throw new Error(`Cannot read certificate file '${displayPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return factsFromDer(certificateDers(data, displayPath)[0], displayPath);
}

/** Node prints a DN one attribute per line; the plan wants one line. */
function dn(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}
