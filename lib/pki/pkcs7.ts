/**
 * PKCS#7 (`.p7b`) certificate bundles, the way some CAs hand out a chain. Written with the
 * `PKCS7` PEM label: the library's own `CMS` label is refused by `openssl pkcs7`.
 */
import { PkiInputError } from './errors';
import { derShape, describeShape } from './der';
import { PemLabel, isPem, pemBlocks, toPem } from './pem';
import { bytes, x509, X509 } from './x509';

/** DER bodies of the certificates in a PKCS#7 bundle (DER, or PEM labelled PKCS7 or CMS), in bundle order. */
export function readPkcs7(data: Buffer | string, label = 'PKCS#7 bundle'): Buffer[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let der = buf;
  if (isPem(buf)) {
    const block = pemBlocks(buf, label).find((b) => b.label === PemLabel.PKCS7 || b.label === PemLabel.CMS);
    if (!block) throw new PkiInputError(`${label}: no 'BEGIN PKCS7' block found: give a .p7b file (PEM or DER)`);
    der = block.der;
  }
  if (derShape(der) !== 'ok') throw new PkiInputError(`${label}: not a PKCS#7 bundle (${describeShape(derShape(der))}): give a .p7b file (PEM or DER)`);
  let certs: X509.X509Certificates;
  try {
    certs = new x509.X509Certificates(bytes(der));
  } catch (e) {
    throw new PkiInputError(`${label}: not a readable PKCS#7 certificate bundle (${(e as Error).message}): give a .p7b file (PEM or DER)`);
  }
  if (certs.length === 0) throw new PkiInputError(`${label}: the PKCS#7 bundle holds no certificate: ask the CA for the chain again`);
  return certs.map((c) => Buffer.from(c.rawData));
}

/** A PKCS#7 bundle of the certificates (DER bodies), as PEM with the `PKCS7` label. */
export function writePkcs7(ders: readonly Buffer[]): string {
  const bundle = new x509.X509Certificates(ders.map((d) => new x509.X509Certificate(bytes(d))));
  return toPem(bundle.export('raw'), PemLabel.PKCS7);
}
