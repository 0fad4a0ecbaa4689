/**
 * Self-signed certificates like the ones a node makes for itself at install (the digital
 * twin's starting state): CA:TRUE with keyCertSign, as CUCM's own self-signed certificates carry.
 */
import { Eku } from '../catalog';
import { PkiInputError } from './errors';
import { addDays, issueCertificate } from './issue';
import { KeySpec, KeyType, generateKeyPair, importKeyPair, privateKeyPem } from './keys';
import { PemLabel, toPem } from './pem';
import { x509 } from './x509';

export interface SelfSignedOptions {
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  /** EC is P-256 (milliseconds to generate); RSA is 2048-bit (about 150 ms). With keyPem, that key's type counts. */
  readonly keyType: KeyType;
  /** @default 1825 (five years, as the platform does) */
  readonly days?: number;
  /**
   * Certify this private key (PEM) rather than a new one: the digital twin's RSA identities
   * share one key, RSA generation being slow.
   * @default - a new key of keyType
   */
  readonly keyPem?: string;
  /** Subject attributes after the CN (`CN=…, OU=…, O=…`), as a node's installer fills them in. @default - none */
  readonly organizationalUnit?: string;
  readonly organization?: string;
  /** @default - one day ago */
  readonly notBefore?: Date;
}

const DN_SPECIALS = /[,=+<>#;\\"]/;

export async function issueSelfSigned(opts: SelfSignedOptions): Promise<{ certPem: string; keyPem: string }> {
  if (!opts.commonName || DN_SPECIALS.test(opts.commonName)) {
    throw new PkiInputError(`self-signed certificate: commonName must be a host name without , = + < > # ; \\ or ", got ${JSON.stringify(opts.commonName)}`);
  }
  for (const [field, value] of [['organizationalUnit', opts.organizationalUnit], ['organization', opts.organization]] as const) {
    if (value !== undefined && (!value || DN_SPECIALS.test(value))) {
      throw new PkiInputError(`self-signed certificate: ${field} must be plain text without , = + < > # ; \\ or ", got ${JSON.stringify(value)}`);
    }
  }
  const { keys, spec } = opts.keyPem ? await importKeyPair(opts.keyPem) : await newKeys(opts.keyType);
  const name = [`CN=${opts.commonName}`, ...(opts.organizationalUnit ? [`OU=${opts.organizationalUnit}`] : []), ...(opts.organization ? [`O=${opts.organization}`] : [])].join(', ');
  const notBefore = opts.notBefore ?? addDays(new Date(), -1);
  const usage =
    x509.KeyUsageFlags.digitalSignature |
    x509.KeyUsageFlags.keyCertSign |
    (spec.keyType === 'EC' ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment);
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
  return { certPem: toPem(cert.rawData, PemLabel.CERTIFICATE), keyPem: opts.keyPem ?? (await privateKeyPem(keys.privateKey)) };
}

async function newKeys(keyType: KeyType): Promise<{ keys: CryptoKeyPair; spec: KeySpec }> {
  const spec: KeySpec = keyType === 'EC' ? { keyType: 'EC', curve: 'P-256' } : { keyType: 'RSA', keySize: 2048 };
  return { keys: await generateKeyPair(spec), spec };
}
