/**
 * The lab issuer: lib/pki's lab CA signs the CSR. For rehearsals only: every certificate it
 * makes says NOT FOR PRODUCTION.
 */
import { LabCa, issuingCa, loadLabCa, signCsr } from '../pki/lab-ca';
import { checkIssuedChain, readSignRequest } from './check';
import { IssuerError } from './errors';
import { Issuer, IssuerContext, SignRequest, SignResult, declaredPath, resolveContext } from './issuer';
import { LabIssuerDecl } from './types';

export class LabIssuer implements Issuer {
  readonly kind = 'lab' as const;
  readonly name: string;

  constructor(private readonly decl: LabIssuerDecl) {
    this.name = decl.name;
  }

  async sign(request: SignRequest, context: IssuerContext): Promise<SignResult> {
    const ctx = resolveContext(context);
    const csr = await readSignRequest(this.name, request);
    let ca: LabCa;
    try {
      ca = loadLabCa(declaredPath(ctx, this.decl.ca));
    } catch (e) {
      throw new IssuerError(this.name, 'config', (e as Error).message);
    }
    const purpose = request.purpose ?? (csr.keyKind === 'EC' ? 'tomcat-ECDSA' : 'tomcat');
    let leaf: string;
    try {
      leaf = await signCsr(ca, csr.pem, { purpose, days: this.decl.days, csrLabel: `the CSR for ${csr.commonName ?? csr.dnsNames[0]}` });
    } catch (e) {
      throw new IssuerError(this.name, 'refused', (e as Error).message);
    }
    const chain = [leaf, ...(ca.intermediate ? [issuingCa(ca).certPem] : []), ca.root.certPem];
    ctx.log(`issuer ${this.name}: lab CA (NOT FOR PRODUCTION) signed ${csr.commonName ?? csr.dnsNames[0]} for ${csr.dnsNames.join(', ')}`);
    return { status: 'issued', chainPem: checkIssuedChain(this.name, csr, chain, ctx.now(), ctx.log) };
  }
}
