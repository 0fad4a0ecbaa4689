/** Generating a CSR and its private key (PKCS#10, PKCS#8), the way the platform's Generate CSR does. */
import { CsrContent, CsrOptions, csrContent } from './csr-content';
import { generateKeyPair, privateKeyPem, signingAlgorithm } from './keys';
import { PemLabel, toPem } from './pem';
import { usageExtensions } from './purpose-usage';
import { x509, X509 } from './x509';

export interface GeneratedCsr {
  /** File base name for `<name>.csr` and `<name>.key`. */
  readonly name: string;
  readonly csrPem: string;
  /** PKCS#8 PEM: write it with mode 0600, never into a plan or a log. */
  readonly keyPem: string;
  readonly commonName: string;
  readonly sans: string[];
}

export async function generateCsr(opts: CsrOptions): Promise<GeneratedCsr> {
  const content = csrContent(opts);
  const keys = await generateKeyPair(content.key);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: content.subject.map(([field, value]) => ({ [field]: [value] })),
    keys,
    signingAlgorithm: signingAlgorithm(content.key),
    extensions: csrExtensions(content),
  });
  return {
    name: content.name,
    csrPem: toPem(csr.rawData, PemLabel.CERTIFICATE_REQUEST),
    keyPem: await privateKeyPem(keys.privateKey),
    commonName: content.commonName,
    sans: [...content.sans],
  };
}

/** subjectAltName, then the purpose's key usage and extended key usage. */
export function csrExtensions(content: CsrContent): X509.Extension[] {
  return [
    new x509.SubjectAlternativeNameExtension(content.sans.map((value) => ({ type: 'dns' as const, value }))),
    ...usageExtensions(content.usage),
  ];
}
