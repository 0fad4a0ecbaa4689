/**
 * The TLS channel binding NTLM signs (MsvAvChannelBindings): MD5 of the GSS channel bindings
 * structure whose application data is `tls-server-end-point:` and the hash of the server's
 * certificate (RFC 5929 §4). A certsrv site hardened against NTLM relay (Extended Protection
 * for Authentication, Microsoft's advice for AD CS web enrollment) refuses a response without it.
 */
import { createHash } from 'node:crypto';
import { readCertificateDer } from '../../pki/certificate-der';

/** RFC 5929 §4.1: the certificate's signature hash, except MD5 and SHA-1 become SHA-256. */
function endPointHash(certDer: Buffer): string {
  const hash = readCertificateDer(certDer).signatureHash;
  return hash === 'SHA-384' ? 'sha384' : hash === 'SHA-512' ? 'sha512' : 'sha256';
}

/** The 16 bytes for MsvAvChannelBindings, from the server certificate (DER) the TLS connection presented. */
export function tlsServerEndPointBinding(certDer: Buffer): Buffer {
  const applicationData = Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), createHash(endPointHash(certDer)).update(certDer).digest()]);
  // gss_channel_bindings_struct: initiator and acceptor address types and addresses all empty.
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(applicationData.length, 16);
  return createHash('md5').update(fixed).update(applicationData).digest();
}
