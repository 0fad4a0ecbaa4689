/**
 * What every issuer checks, once: the request agrees with its CSR before it is sent, and what
 * comes back is a certificate for that CSR: the CSR's public key (a CA that signed another
 * request is refused) and exactly the CSR's names (a CA that adds or drops one breaks the CUCM
 * upload, DOMAIN.md §5), leaf first, each next certificate the issuer of the one before.
 */
import { KeyObject, createHash, createPublicKey } from 'node:crypto';
import { CertificateView, describeCertificate, parseCertificate } from '../pki/certificate';
import { decodeSubjectAltNames } from '../pki/certificate-der';
import { walkChain } from '../pki/chain';
import { readCertificates, readCsr } from '../pki/input';
import { Oid } from '../pki/oids';
import { PemLabel, toPem } from '../pki/pem';
import { IssuerError } from './errors';
import { SignRequest } from './issuer';

/** What an issuer needs of the CSR: read once, from the CSR itself. */
export interface CsrFacts {
  /** The CSR, normalised PEM. */
  readonly pem: string;
  readonly der: Buffer;
  /** SHA-256 of the DER, lowercase hex: names the CSR in state files and logs. */
  readonly sha256: string;
  readonly publicKey: KeyObject;
  readonly commonName?: string;
  /** DNS subjectAltNames, lower case, in CSR order. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly keyKind: 'RSA' | 'EC' | 'other';
}

/** Reads the request's CSR and checks it: signature, and the names the request gives are the CSR's own. */
export async function readSignRequest(issuer: string, request: SignRequest): Promise<CsrFacts> {
  if (typeof request.id !== 'string' || request.id.length === 0 || request.id.length > 512) {
    throw new IssuerError(issuer, 'bad-request', 'the sign request has no id (or one longer than 512 characters): give the plan step id and renewal generation');
  }
  if (typeof request.csrPem !== 'string') throw new IssuerError(issuer, 'bad-request', 'the sign request holds no CSR: give the PEM the node exported');
  let csr;
  try {
    csr = readCsr(Buffer.from(request.csrPem, 'latin1'), 'the CSR');
  } catch (e) {
    throw new IssuerError(issuer, 'bad-request', `${(e as Error).message}`);
  }
  if (!(await csr.verify())) throw new IssuerError(issuer, 'bad-request', "the CSR's signature does not verify (damaged, or edited after the node signed it): download it from the node again");
  const der = Buffer.from(csr.rawData);
  const publicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const san = csr.getExtension(Oid.SUBJECT_ALT_NAME);
  const names = san ? decodeSubjectAltNames(Buffer.from(san.value)) : { dns: [], ip: [], other: [] };
  const dnsNames = names.dns.map((n) => n.toLowerCase());
  const commonName = csr.subjectName.getField('CN')[0];
  const facts: CsrFacts = {
    pem: toPem(der, PemLabel.CERTIFICATE_REQUEST),
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    publicKey,
    ...(commonName !== undefined ? { commonName } : {}),
    dnsNames,
    ipAddresses: names.ip,
    keyKind: publicKey.asymmetricKeyType === 'rsa' ? 'RSA' : publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'other',
  };
  if (dnsNames.length === 0) throw new IssuerError(issuer, 'bad-request', `the CSR ('${commonName ?? 'no CN'}') holds no DNS subjectAltName: a CA signs the names in the SAN list; generate the CSR with its SANs`);
  const given = [...new Set((request.dnsNames ?? []).map((n) => String(n).toLowerCase()))];
  const { added, missing } = difference(given, dnsNames);
  if (added.length > 0 || missing.length > 0) {
    throw new IssuerError(
      issuer,
      'bad-request',
      `the sign request's names are not the CSR's (${describeDifference(added, missing, 'in the request only', 'in the CSR only')}): take the names from the CSR the node made`,
    );
  }
  if ((request.commonName ?? '').toLowerCase() !== (commonName ?? '').toLowerCase()) {
    throw new IssuerError(issuer, 'bad-request', `the sign request's common name '${request.commonName}' is not the CSR's '${commonName ?? ''}': take it from the CSR the node made`);
  }
  return facts;
}

/**
 * The chain as it is returned: leaf first (the certificate of the CSR's key), then its issuers
 * in order. Throws IssuerError 'mismatch' for another key, other names, a certificate already
 * expired, or a chain whose signatures do not link; certificates that are not on the leaf's
 * path are left out (and logged).
 */
export function checkIssuedChain(issuer: string, csr: CsrFacts, chainPem: readonly string[], now: Date, log: (line: string) => void = () => undefined): string[] {
  const all: CertificateView[] = [];
  chainPem.forEach((pem, i) => {
    let ders: Buffer[];
    try {
      ders = readCertificates(Buffer.from(pem, 'latin1'), `certificate ${i + 1} the CA returned`);
      ders.forEach((der, j) => all.push(parseCertificate(der, `certificate ${all.length + 1}${ders.length > 1 ? ` (#${j + 1} of block ${i + 1})` : ''} the CA returned`)));
    } catch (e) {
      throw new IssuerError(issuer, 'bad-response', (e as Error).message);
    }
  });
  if (all.length === 0) throw new IssuerError(issuer, 'bad-response', 'the CA returned no certificate');
  // A CA may return the leaf again inside its chain (AD CS's .p7b does): each certificate once.
  const certs = all.filter((c, i) => all.findIndex((o) => o.sha256 === c.sha256) === i);
  const leaf = certs.find((c) => publicKeyOf(c).equals(csr.publicKey));
  if (!leaf) {
    throw new IssuerError(
      issuer,
      'mismatch',
      `the CA returned ${describeCertificate(certs[0])}, which is not for the CSR's key: it signed another request; nothing was installed. Check the CA's request queue, then sign again`,
    );
  }
  if (leaf !== certs[0]) log(`issuer ${issuer}: the CA returned the leaf at position ${certs.indexOf(leaf) + 1}: it is put first`);
  const dns = difference(leaf.dnsNames, csr.dnsNames);
  const ip = difference(leaf.ipAddresses, csr.ipAddresses);
  if (dns.added.length + dns.missing.length + ip.added.length + ip.missing.length > 0) {
    const parts = [
      dns.added.length + dns.missing.length > 0 ? `DNS names ${describeDifference(dns.added, dns.missing, 'added', 'dropped')}` : '',
      ip.added.length + ip.missing.length > 0 ? `IP addresses ${describeDifference(ip.added, ip.missing, 'added', 'dropped')}` : '',
    ].filter(Boolean);
    throw new IssuerError(
      issuer,
      'mismatch',
      `the CA changed the CSR's subjectAltNames (${parts.join('; ')}): CUCM refuses a certificate whose names are not its CSR's (DOMAIN.md §5); configure the template, role or profile to copy the CSR's names unchanged`,
    );
  }
  if (leaf.notAfter.getTime() <= now.getTime()) {
    throw new IssuerError(issuer, 'mismatch', `the CA returned ${describeCertificate(leaf)}, which expired ${leaf.notAfter.toISOString()}: check the CA's clock and the template's validity`);
  }
  const walk = walkChain(
    leaf,
    certs.filter((c) => c !== leaf),
  );
  if (walk.end === 'bad-signature') {
    const last = walk.path[walk.path.length - 1];
    throw new IssuerError(issuer, 'mismatch', `in the chain the CA returned, ${describeCertificate(last)} is not signed by ${describeCertificate(walk.namedIssuer!)}, which bears its issuer's name: the chain is broken; ask the CA for its current chain`);
  }
  const left = certs.filter((c) => !walk.path.includes(c));
  if (left.length > 0) log(`issuer ${issuer}: left out ${left.length} certificate(s) not on the leaf's issuer path: ${left.map(describeCertificate).join(', ')}`);
  return walk.path.map((c) => toPem(c.der, PemLabel.CERTIFICATE));
}

function publicKeyOf(c: CertificateView): KeyObject {
  return createPublicKey({ key: c.spki, format: 'der', type: 'spki' });
}

function difference(got: readonly string[], want: readonly string[]): { added: string[]; missing: string[] } {
  const g = new Set(got.map((n) => n.toLowerCase()));
  const w = new Set(want.map((n) => n.toLowerCase()));
  return { added: [...g].filter((n) => !w.has(n)).sort(), missing: [...w].filter((n) => !g.has(n)).sort() };
}

function describeDifference(added: readonly string[], missing: readonly string[], addedWord: string, missingWord: string): string {
  return [added.length > 0 ? `${addedWord}: ${added.join(', ')}` : '', missing.length > 0 ? `${missingWord}: ${missing.join(', ')}` : ''].filter(Boolean).join('; ');
}
