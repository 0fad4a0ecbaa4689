/**
 * Key usage and extended key usage against the purpose's row of the key-usage table
 * (DOMAIN.md §2): a missing EKU or digitalSignature is an error, other bits at most a warning,
 * keyEncipherment on RSA is never refused.
 */
import { CertPlatform, PurposeInfo } from '../../catalog';
import { CertificateView } from '../certificate';
import { ekuName } from '../oids';
import { purposeUsage } from '../purpose-usage';
import { LintFinding, finding } from './finding';

const ANY_EKU = '2.5.29.37.0';
const CA_BITS = ['keyCertSign', 'cRLSign'] as const;

export function lintUsage(leaf: CertificateView, purpose: PurposeInfo, platform?: CertPlatform): LintFinding[] {
  const out: LintFinding[] = [];
  const at = { certificate: leaf.label };
  const usage = purposeUsage(purpose, leaf.keyKind === 'EC' ? 'EC' : 'RSA', platform);

  const eku = leaf.extendedKeyUsage ?? [];
  if (!eku.includes(ANY_EKU)) {
    const missing = usage.eku.filter((oid) => !eku.includes(oid));
    if (missing.length > 0) {
      out.push(finding('EKU_MISSING', `${leaf.label}: extended key usage lacks ${missing.map(ekuName).join(', ')}, which ${purpose.name} requires: have the CA sign it with a template that includes ${missing.length === 1 ? 'it' : 'them'}`, at));
    }
  }

  const ku = leaf.keyUsage;
  if (ku === undefined) {
    out.push(finding('KEY_USAGE_ABSENT', `${leaf.label}: no key usage extension; the platform requests ${usage.keyUsage.join(', ')}: use a CA template that sets key usage`, at));
  } else {
    if (!ku.has('digitalSignature')) {
      out.push(finding('KU_DIGITAL_SIGNATURE_MISSING', `${leaf.label}: key usage lacks digitalSignature, which TLS needs: have the CA sign it with digitalSignature`, at));
    }
    const missing = usage.keyUsage.filter((bit) => bit !== 'digitalSignature' && !ku.has(bit) && !(leaf.keyKind === 'RSA' && bit === 'keyAgreement'));
    const extra = CA_BITS.filter((bit) => ku.has(bit) && !usage.keyUsage.includes(bit as 'keyCertSign'));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [missing.length ? `lacks ${missing.join(', ')}` : '', extra.length ? `has CA bits ${extra.join(', ')}` : ''].filter(Boolean).join(' and ');
      out.push(finding('KEY_USAGE_MISMATCH', `${leaf.label}: key usage ${parts}, unlike what ${purpose.name} requests: usually harmless; use the CA template for ${purpose.name} to match`, at));
    }
    if (leaf.keyKind === 'EC' && (ku.has('keyEncipherment') || ku.has('dataEncipherment'))) {
      out.push(finding('KU_ENCIPHERMENT_ON_EC', `${leaf.label}: key usage has key/data encipherment on an EC key, which cannot encipher: the CA template should set keyAgreement instead`, at));
    }
  }

  // CAPF signs phone certificates, so only it may be a (subordinate) CA.
  if (leaf.basicConstraints?.ca && purpose.family !== 'CAPF') {
    out.push(finding('LEAF_IS_CA', `${leaf.label}: basicConstraints CA:TRUE on a ${purpose.name} certificate: have the CA sign it with an end-entity (web server) template`, at));
  }
  return out;
}
