/**
 * The vault issuer: HashiCorp Vault or OpenBao PKI, `POST /v1/<mount>/sign/<role>` with the CSR,
 * its common name and its names, the token from the variable the declaration names
 * (`X-Vault-Token`). Answer: `data.certificate`, then `data.ca_chain` (or `data.issuing_ca`).
 */
import { certificatePems } from '../pki/pem';
import { checkIssuedChain, readSignRequest } from './check';
import { IssuerError } from './errors';
import { httpsCall, shownUrl } from './http';
import { Issuer, IssuerContext, SignRequest, SignResult, readCaBundle, resolveContext } from './issuer';
import { Secrets, quoteOutside } from './secrets';
import { VaultIssuerDecl } from './types';

interface VaultAnswer {
  readonly data?: { readonly certificate?: unknown; readonly ca_chain?: unknown; readonly issuing_ca?: unknown };
  readonly errors?: unknown;
  readonly warnings?: unknown;
}

export class VaultIssuer implements Issuer {
  readonly kind = 'vault' as const;
  readonly name: string;

  constructor(private readonly decl: VaultIssuerDecl) {
    this.name = decl.name;
  }

  async sign(request: SignRequest, context: IssuerContext): Promise<SignResult> {
    const ctx = resolveContext(context);
    const d = this.decl;
    const csr = await readSignRequest(this.name, request);
    const secrets = new Secrets(this.name);
    const token = secrets.fromEnv(ctx.env, d.tokenEnv, 'vault.tokenEnv', 'a Vault token allowed to use this role');
    const ca = readCaBundle(this.name, ctx, d.caBundle, 'vault.caBundle');
    const url = `${d.address.replace(/\/+$/, '')}/v1/${d.mount}/sign/${d.role}`;
    const commonName = csr.commonName ?? csr.dnsNames[0];
    const body = {
      csr: csr.pem,
      common_name: commonName,
      alt_names: csr.dnsNames.join(','),
      ...(csr.ipAddresses.length > 0 ? { ip_sans: csr.ipAddresses.join(',') } : {}),
      // Vault adds the common name to the SANs: a CN that is not one of the CSR's names must stay out of them.
      ...(csr.dnsNames.includes(commonName.toLowerCase()) ? {} : { exclude_cn_from_sans: true }),
      format: 'pem',
      ...(d.ttl ? { ttl: d.ttl } : {}),
    };
    ctx.log(`issuer ${this.name}: POST ${shownUrl(url)} for ${csr.dnsNames.join(', ')}`);
    const answer = await httpsCall(this.name, {
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-vault-request': 'true',
        'x-vault-token': token,
        ...(d.namespace ? { 'x-vault-namespace': d.namespace } : {}),
      },
      body: JSON.stringify(body),
      ca,
      timeoutMs: ctx.timeouts.requestMs,
    });
    let parsed: VaultAnswer | undefined;
    try {
      parsed = JSON.parse(answer.body.toString('utf8')) as VaultAnswer;
    } catch {
      parsed = undefined;
    }
    const errors = Array.isArray(parsed?.errors) ? parsed!.errors.map((e) => quoteOutside(String(e), secrets, 500)) : [];
    if (answer.status !== 200) {
      const said = errors.length > 0 ? `: ${errors.join('; ')}` : '';
      if (answer.status === 403) {
        throw new IssuerError(this.name, 'refused', `Vault refused the token from ${d.tokenEnv} (403${said}): give a token whose policy allows update on ${d.mount}/sign/${d.role}`);
      }
      if (answer.status === 503) throw new IssuerError(this.name, 'unreachable', `Vault is sealed or in standby (503${said}): unseal it, or use the active node's address, then try again`);
      const code = answer.status >= 500 ? 'unreachable' : 'refused';
      throw new IssuerError(this.name, code, `Vault answered ${answer.status} to ${shownUrl(url)}${said}${answer.status === 404 ? `: check the mount '${d.mount}' and role '${d.role}'` : ''}`);
    }
    if (!parsed?.data || typeof parsed.data.certificate !== 'string') {
      throw new IssuerError(this.name, 'bad-response', `Vault answered 200 without data.certificate: is ${shownUrl(url)} a PKI sign endpoint?`);
    }
    if (Array.isArray(parsed.warnings)) for (const w of parsed.warnings) ctx.log(`issuer ${this.name}: Vault warns: ${quoteOutside(String(w), secrets, 500)}`);
    const chain = Array.isArray(parsed.data.ca_chain)
      ? parsed.data.ca_chain.filter((c): c is string => typeof c === 'string')
      : typeof parsed.data.issuing_ca === 'string'
        ? [parsed.data.issuing_ca]
        : [];
    const pems = [...certificatePems(parsed.data.certificate), ...chain.flatMap((c) => certificatePems(c))];
    return { status: 'issued', chainPem: checkIssuedChain(this.name, csr, pems, ctx.now(), ctx.log) };
  }
}
