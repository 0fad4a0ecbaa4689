/**
 * Reading what a user hands us (certificate, chain, key, CSR) into DER bodies and key
 * objects, with an error that names the file, says what is wrong and what to give instead.
 */
import { KeyObject, createPrivateKey } from 'node:crypto';
import { PkiInputError } from './errors';
import { derShape, describeShape } from './der';
import { PemLabel, isPem, pemBlocks } from './pem';
import { readPkcs7 } from './pkcs7';
import { bytes, x509, X509 } from './x509';

const CERT_LABELS: readonly string[] = [PemLabel.CERTIFICATE, PemLabel.X509_CERTIFICATE, PemLabel.TRUSTED_CERTIFICATE];
const P7_LABELS: readonly string[] = [PemLabel.PKCS7, PemLabel.CMS];
const CSR_LABELS: readonly string[] = [PemLabel.CERTIFICATE_REQUEST, PemLabel.NEW_CERTIFICATE_REQUEST];
const PKCS7_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');

/** The file holds nothing but white space. */
function isBlank(data: Buffer): boolean {
  return data.toString('latin1').trim().length === 0;
}

/**
 * DER bodies of every certificate in the data: PEM (any number of CERTIFICATE or PKCS7
 * blocks, other blocks ignored), a DER certificate, or a DER PKCS#7 bundle.
 */
export function readCertificates(data: Buffer, label: string): Buffer[] {
  if (isBlank(data)) throw new PkiInputError(`${label}: the file is empty: give a PEM or DER certificate`);
  if (isPem(data)) {
    const blocks = pemBlocks(data, label);
    const ders: Buffer[] = [];
    for (const b of blocks) {
      if (CERT_LABELS.includes(b.label)) ders.push(b.der);
      else if (P7_LABELS.includes(b.label)) ders.push(...readPkcs7(b.der, label));
    }
    if (ders.length === 0) {
      const found = [...new Set(blocks.map((b) => b.label))].join(', ');
      throw new PkiInputError(`${label}: holds ${found ? `a ${found} block` : 'no complete PEM block'}, not a certificate: give the certificate (PEM 'BEGIN CERTIFICATE' or DER)`);
    }
    return ders;
  }
  // A DER ContentInfo starts with the signedData OID right after its SEQUENCE header.
  const p7 = data.subarray(0, 16).indexOf(PKCS7_SIGNED_DATA);
  if (p7 >= 0) return readPkcs7(data, label);
  const shape = derShape(data);
  if (shape !== 'ok') {
    throw new PkiInputError(`${label}: not a certificate (${describeShape(shape)}): give a PEM ('BEGIN CERTIFICATE') or DER certificate`);
  }
  return [data];
}

/** A private key from PEM (PKCS#8, PKCS#1 or SEC1) or DER; encrypted keys are refused. */
export function readPrivateKey(data: Buffer, label: string): KeyObject {
  if (isBlank(data)) throw new PkiInputError(`${label}: the file is empty: give the unencrypted private key (PEM or DER)`);
  if (isPem(data)) {
    const blocks = pemBlocks(data, label);
    if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) {
      throw new PkiInputError(`${label}: the private key is encrypted: decrypt it to a file with mode 0600 (openssl pkey) or leave the key check out`);
    }
    const key = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
    if (!key) {
      const found = [...new Set(blocks.map((b) => b.label))].join(', ');
      throw new PkiInputError(`${label}: holds ${found ? `a ${found} block` : 'no complete PEM block'}, not a private key: give the key file (PEM 'BEGIN PRIVATE KEY')`);
    }
    try {
      return createPrivateKey({ key: data.toString('latin1'), format: 'pem' });
    } catch (e) {
      throw new PkiInputError(`${label}: not a readable private key (${(e as Error).message}): give the unencrypted key (PEM or DER)`);
    }
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: data, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new PkiInputError(`${label}: not a private key (${describeShape(derShape(data))}): give the unencrypted key (PEM 'BEGIN PRIVATE KEY' or DER)`);
}

/** A PKCS#10 certificate signing request from PEM or DER. */
export function readCsr(data: Buffer, label: string): X509.Pkcs10CertificateRequest {
  if (isBlank(data)) throw new PkiInputError(`${label}: the file is empty: give the CSR (PEM 'BEGIN CERTIFICATE REQUEST' or DER)`);
  let der = data;
  if (isPem(data)) {
    const blocks = pemBlocks(data, label);
    const block = blocks.find((b) => CSR_LABELS.includes(b.label));
    if (!block) {
      const found = [...new Set(blocks.map((b) => b.label))].join(', ');
      throw new PkiInputError(`${label}: holds ${found ? `a ${found} block` : 'no complete PEM block'}, not a CSR: give the CSR (PEM 'BEGIN CERTIFICATE REQUEST')`);
    }
    der = block.der;
  }
  const shape = derShape(der);
  if (shape !== 'ok') throw new PkiInputError(`${label}: not a CSR (${describeShape(shape)}): give the CSR (PEM or DER)`);
  try {
    return new x509.Pkcs10CertificateRequest(bytes(der));
  } catch (e) {
    throw new PkiInputError(`${label}: not a readable CSR (${(e as Error).message}): give the CSR (PEM or DER)`);
  }
}
