/**
 * How an issuer twin signs: lib/pki's lab CA, the purpose by the CSR's key type, and the ways a
 * real CA goes wrong on demand (it signs another request, or adds a name), so the issuers'
 * checks meet them.
 */
import { createPublicKey } from 'node:crypto';
import { decodeSubjectAltNames } from '../../pki/certificate-der';
import { csrForKey } from '../../pki/csr';
import { readCsr } from '../../pki/input';
import { addDays, issueCertificate } from '../../pki/issue';
import { generateKeyPem, importKeyPair } from '../../pki/keys';
import { LabCa, issuingCa, signCsr } from '../../pki/lab-ca';
import { Oid } from '../../pki/oids';
import { PemLabel, toPem } from '../../pki/pem';
import { x509 } from '../../pki/x509';

/** `other-key`: the leaf is for a new key (the CA signed another request); `extra-san`: a name is added. */
export type SigningFault = 'other-key' | 'extra-san';

export const EXTRA_SAN = 'added-by-ca.example.com';

/** The CSR's names and key type; throws a short message when it is not a readable CSR. */
export function csrSummary(csrPem: string): { commonName: string; dnsNames: string[]; keyType: 'EC' | 'RSA' | 'other' } {
  const csr = readCsr(Buffer.from(csrPem, 'latin1'), 'CSR');
  const san = csr.getExtension(Oid.SUBJECT_ALT_NAME);
  const type = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }).asymmetricKeyType;
  return {
    commonName: csr.subjectName.getField('CN')[0] ?? '',
    dnsNames: san ? decodeSubjectAltNames(Buffer.from(san.value)).dns : [],
    keyType: type === 'ec' ? 'EC' : type === 'rsa' ? 'RSA' : 'other',
  };
}

/** Signs the CSR into a leaf PEM with the lab CA, or with the fault asked for. */
export async function twinSign(ca: LabCa, csrPem: string, fault?: SigningFault): Promise<string> {
  const { commonName, dnsNames, keyType } = csrSummary(csrPem);
  const purpose = keyType === 'EC' ? 'tomcat-ECDSA' : 'tomcat';
  if (fault === 'other-key') {
    const keyPem = await generateKeyPem(keyType === 'EC' ? { keyType: 'EC', curve: 'P-256' } : { keyType: 'RSA', keySize: 2048 });
    return signCsr(ca, await csrForKey({ subject: [['CN', commonName]], altNames: dnsNames, keyPem }), { purpose });
  }
  if (fault === 'extra-san') {
    const csr = readCsr(Buffer.from(csrPem, 'latin1'), 'CSR');
    const issuing = issuingCa(ca);
    const { keys, spec } = await importKeyPair(issuing.keyPem);
    const notBefore = new Date(Date.now() - 60_000);
    const leaf = await issueCertificate({
      subject: csr.subjectName,
      publicKey: csr.publicKey,
      signer: { name: new x509.X509Certificate(issuing.certPem).subjectName, keys, spec },
      notBefore,
      notAfter: addDays(notBefore, 365),
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.SubjectAlternativeNameExtension([...dnsNames, EXTRA_SAN].map((value) => ({ type: 'dns' as const, value })))],
    });
    return toPem(leaf.rawData, PemLabel.CERTIFICATE);
  }
  return signCsr(ca, csrPem, { purpose });
}

/** The CA certificates above a leaf, issuing CA first. */
export function caChain(ca: LabCa): string[] {
  return ca.intermediate ? [ca.intermediate.certPem, ca.root.certPem] : [ca.root.certPem];
}
