/**
 * Self-signed certificates like the ones a node makes for itself at install (the digital
 * twin's starting state): CA:TRUE with keyCertSign, as CUCM's own self-signed certificates carry.
 */
import { Eku } from '../catalog';
import { PkiInputError } from './errors';
import { addDays, issueCertificate } from './issue';
import { KeySpec, KeyType, generateKeyPair, privateKeyPem } from './keys';
import { PemLabel, toPem } from './pem';
import { x509 } from './x509';

export interface SelfSignedOptions {
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  /** EC is P-256 (milliseconds to generate); RSA is 2048-bit (about 150 ms). */
  readonly keyType: KeyType;
  /** @default 1825 (five years, as the platform does) */
  readonly days?: number;
}

export async function issueSelfSigned(opts: SelfSignedOptions): Promise<{ certPem: string; keyPem: string }> {
  if (!opts.commonName || /[,=+<>#;\\"]/.test(opts.commonName)) {
    throw new PkiInputError(`self-signed certificate: commonName must be a host name without , = + < > # ; \\ or ", got ${JSON.stringify(opts.commonName)}`);
  }
  const spec: KeySpec = opts.keyType === 'EC' ? { keyType: 'EC', curve: 'P-256' } : { keyType: 'RSA', keySize: 2048 };
  const keys = await generateKeyPair(spec);
  const name = `CN=${opts.commonName}`;
  const notBefore = addDays(new Date(), -1);
  const usage =
    x509.KeyUsageFlags.digitalSignature |
    x509.KeyUsageFlags.keyCertSign |
    (opts.keyType === 'EC' ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment);
  const cert = await issueCertificate({
    subject: name,
    publicKey: keys.publicKey,
    signer: { name, keys, spec },
    notBefore,
    notAfter: addDays(notBefore, opts.days ?? 1825),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, false),
      new x509.KeyUsagesExtension(usage, false),
      new x509.ExtendedKeyUsageExtension([Eku.SERVER_AUTH, Eku.CLIENT_AUTH], false),
      ...(opts.dnsNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(opts.dnsNames.map((value) => ({ type: 'dns' as const, value })))] : []),
    ],
  });
  return { certPem: toPem(cert.rawData, PemLabel.CERTIFICATE), keyPem: await privateKeyPem(keys.privateKey) };
}
