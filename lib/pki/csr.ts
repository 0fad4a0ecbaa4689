/** Generating a CSR and its private key (PKCS#10, PKCS#8), the way the platform's Generate CSR does. */
import { keyUsageFlags } from './certificate';
import { CsrContent, CsrOptions, csrContent } from './csr-content';
import { generateKeyPair, importKeyPair, privateKeyPem, signingAlgorithm } from './keys';
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
  return generateCsrFor(csrContent(opts));
}

/**
 * What a CSR made here holds, once a platform's rules decided it: CUCM's in csrContent, a
 * Meeting Server's in lib/platforms/cms/key-file-csr.ts. An empty `sans` asks for no SAN list.
 */
export type CsrRequest = Pick<CsrContent, 'name' | 'commonName' | 'subject' | 'sans' | 'key' | 'usage'>;

/** A new key pair and the PKCS#10 request for it, as the request says. */
export async function generateCsrFor(request: CsrRequest): Promise<GeneratedCsr> {
  const keys = await generateKeyPair(request.key);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: request.subject.map(([field, value]) => ({ [field]: [value] })),
    keys,
    signingAlgorithm: signingAlgorithm(request.key),
    extensions: csrExtensions(request),
  });
  return {
    name: request.name,
    csrPem: toPem(csr.rawData, PemLabel.CERTIFICATE_REQUEST),
    keyPem: await privateKeyPem(keys.privateKey),
    commonName: request.commonName,
    sans: [...request.sans],
  };
}

/** subjectAltName (none when the rule gives no names: an empty SAN extension is invalid), then the key usage and extended key usage. */
export function csrExtensions(content: Pick<CsrRequest, 'sans' | 'usage'>): X509.Extension[] {
  return [
    ...(content.sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(content.sans.map((value) => ({ type: 'dns' as const, value })))] : []),
    ...usageExtensions(content.usage),
  ];
}

export interface KeyCsrOptions {
  /** Subject attributes in order, e.g. `[['CN', 'a.example.com'], ['OU', 'Voice']]`. */
  readonly subject: readonly (readonly [string, string])[];
  /** subjectAltName entries: IP addresses, e-mail addresses (with `@`) and DNS names, told apart by their form. @default - no subjectAltName */
  readonly altNames?: readonly string[];
  /** Extended key usage OIDs. @default - no extendedKeyUsage */
  readonly extendedKeyUsage?: readonly string[];
  /** Key usage bits (critical, as the platforms request them). @default - no keyUsage */
  readonly keyUsage?: readonly string[];
  /** The private key (PEM) that signs the request: one its owner keeps, as a node's own Generate CSR does. */
  readonly keyPem: string;
}

/** A PKCS#10 request (PEM) for the subject and names, signed with a key the caller keeps. */
export async function csrForKey(opts: KeyCsrOptions): Promise<string> {
  const { keys, spec } = await importKeyPair(opts.keyPem);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: opts.subject.map(([field, value]) => ({ [field]: [value] })),
    keys,
    signingAlgorithm: signingAlgorithm(spec),
    extensions: [
      ...(opts.altNames?.length ? [subjectAltNames(opts.altNames)] : []),
      ...(opts.keyUsage?.length ? [new x509.KeyUsagesExtension(keyUsageFlags(opts.keyUsage), true)] : []),
      ...(opts.extendedKeyUsage ? [new x509.ExtendedKeyUsageExtension([...opts.extendedKeyUsage])] : []),
    ],
  });
  return toPem(csr.rawData, PemLabel.CERTIFICATE_REQUEST);
}

/** subjectAltName of names given as text: an IPv4 or IPv6 address, an e-mail address, else a DNS name. */
export function subjectAltNames(names: readonly string[]): X509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(
    names.map((value) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':')
        ? { type: 'ip' as const, value }
        : value.includes('@')
          ? { type: 'email' as const, value }
          : { type: 'dns' as const, value },
    ),
  );
}
