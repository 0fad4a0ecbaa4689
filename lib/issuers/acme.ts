/**
 * The acme issuer: RFC 8555 through `acme-client`, the order flow written out (no `auto()`: it
 * first looks the TXT record up through this machine's resolver, which need not see the CA's
 * DNS). DNS-01 only, through the declared hook, `<hook…> present|cleanup <fqdn> <value>` (lego's
 * exec provider), `<fqdn>` = `_acme-challenge.<name>.`. The account key is made once and kept
 * as a 0600 file in this issuer's state folder; the HMAC key of an external account binding is
 * read from its variable. The ACME server's HTTPS is checked against the declared caBundle.
 */
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as AcmeClient from 'acme-client';
import { certificatePems } from '../pki/pem';
import { writeSecretFile } from '../pki/secret-file';
import { checkIssuedChain, readSignRequest } from './check';
import { IssuerError, isIssuerError } from './errors';
import { httpsCall, shownUrl } from './http';
import { Issuer, IssuerContext, ResolvedContext, SignRequest, SignResult, issuerStateDir, readCaBundle, resolveContext } from './issuer';
import { runProgram } from './run-program';
import { Secrets, quoteOutside } from './secrets';
import { AcmeIssuerDecl } from './types';

export const ACME_ACCOUNT_KEY_FILE = 'acme-account.key';
const MAX_POLL_MS = 30_000;

type Acme = typeof AcmeClient;
type Order = AcmeClient.Order;

interface Presented {
  readonly fqdn: string;
  readonly value: string;
}

export class AcmeIssuer implements Issuer {
  readonly kind = 'acme' as const;
  readonly name: string;

  constructor(private readonly decl: AcmeIssuerDecl) {
    this.name = decl.name;
  }

  async sign(request: SignRequest, context: IssuerContext): Promise<SignResult> {
    const ctx = resolveContext(context);
    const d = this.decl;
    const csr = await readSignRequest(this.name, request);
    if (csr.ipAddresses.length > 0) {
      throw new IssuerError(this.name, 'bad-request', `the CSR holds IP addresses (${csr.ipAddresses.join(', ')}): this ACME issuer validates DNS names only; generate the CSR without IP SANs or use another issuer`);
    }
    const secrets = new Secrets(this.name);
    const eab = d.externalAccountBinding
      ? { kid: d.externalAccountBinding.kid, hmacKey: secrets.fromEnv(ctx.env, d.externalAccountBinding.hmacEnv, 'acme.externalAccountBinding.hmacEnv', 'the HMAC key the CA gave with the key id') }
      : undefined;
    const accountKey = secrets.add(this.accountKey(ctx));
    const acme = require('acme-client') as Acme;
    const release = routeThrough(acme, d.directory, { issuer: this.name, ca: readCaBundle(this.name, ctx, d.caBundle, 'acme.caBundle'), timeoutMs: ctx.timeouts.requestMs });
    const deadline = Date.now() + ctx.timeouts.orderMs;
    try {
      const client = new acme.Client({ directoryUrl: d.directory, accountKey, ...(eab ? { externalAccountBinding: eab } : {}) });
      await this.account(client, secrets);
      ctx.log(`issuer ${this.name}: ordering a certificate from ${shownUrl(d.directory)} for ${csr.dnsNames.join(', ')}`);
      let order = await this.step(secrets, 'the new order', () => client.createOrder({ identifiers: csr.dnsNames.map((value) => ({ type: 'dns', value })) }));
      await this.authorize(client, order, ctx, secrets, deadline);
      order = await this.step(secrets, 'finalizing the order', () => client.finalizeOrder(order, csr.pem));
      order = await this.until(ctx, deadline, 'the order to be issued', order, async (o) => {
        if (o.status === 'valid') return true;
        if (o.status === 'invalid') throw new IssuerError(this.name, 'refused', `the ACME server refused to issue the order${problemOf(o, secrets)}: check the CSR against the CA's policy`);
        return false;
      }, (o) => this.step(secrets, 'the order', () => client.getOrder(o)));
      const pem = await this.step(secrets, 'downloading the certificate', () => client.getCertificate(order));
      const chain = certificatePems(pem);
      if (chain.length === 0) throw new IssuerError(this.name, 'bad-response', 'the ACME server answered the certificate URL without a PEM certificate');
      ctx.log(`issuer ${this.name}: order issued for ${csr.dnsNames.join(', ')}`);
      return { status: 'issued', chainPem: checkIssuedChain(this.name, csr, chain, ctx.now(), ctx.log) };
    } finally {
      release();
    }
  }

  /**
   * The account of this key: looked up first (`onlyReturnExisting`: an existing account is not
   * "updated" with nothing, which servers refuse), registered when there is none, its contact
   * set to the declared e-mail.
   */
  private async account(client: AcmeClient.Client, secrets: Secrets): Promise<void> {
    const contact = this.decl.email ? { contact: [`mailto:${this.decl.email}`] } : {};
    try {
      await client.createAccount({ onlyReturnExisting: true });
    } catch (e) {
      if (!/does ?not ?exist|unable to find|no account|accountDoesNotExist/i.test((e as Error).message ?? '')) throw this.refusal(secrets, 'the account', e);
      await this.step(secrets, 'the account', () => client.createAccount({ termsOfServiceAgreed: true, ...contact }));
      return;
    }
    if (this.decl.email) await this.step(secrets, 'the account contact', () => client.updateAccount(contact));
  }

  /** Every pending authorization answered through the hook, validated, and its record cleaned up. */
  private async authorize(client: AcmeClient.Client, order: Order, ctx: ResolvedContext, secrets: Secrets, deadline: number): Promise<void> {
    const authzs = await this.step(secrets, 'the authorizations', () => client.getAuthorizations(order));
    const presented: Presented[] = [];
    try {
      const challenges: AcmeClient.Authorization['challenges'][number][] = [];
      for (const authz of authzs) {
        if (authz.status === 'valid') continue;
        const name = authz.identifier.value;
        if (authz.status !== 'pending') throw new IssuerError(this.name, 'refused', `the authorization for ${name} is ${authz.status}: place a new order (sign again)`);
        const challenge = authz.challenges.find((c) => c.type === 'dns-01');
        if (!challenge) {
          throw new IssuerError(this.name, 'refused', `the ACME server offers no dns-01 challenge for ${name} (only ${authz.challenges.map((c) => c.type).join(', ') || 'none'}): this issuer answers DNS-01 only`);
        }
        const value = await client.getChallengeKeyAuthorization(challenge);
        const fqdn = `_acme-challenge.${name.replace(/^\*\./, '')}.`;
        await this.hook(ctx, secrets, 'present', fqdn, value);
        presented.push({ fqdn, value });
        challenges.push(challenge);
      }
      if (challenges.length === 0) return;
      const wait = (this.decl.dns01PropagationSeconds ?? 0) * 1000;
      if (wait > 0) {
        ctx.log(`issuer ${this.name}: waiting ${wait / 1000} s for the TXT records to propagate`);
        await sleep(wait);
      }
      for (const c of challenges) await this.step(secrets, 'answering the challenge', () => client.completeChallenge(c));
      await this.until(ctx, deadline, 'the DNS-01 validation', authzs, async (list) => {
        const bad = list.find((a) => a.status === 'invalid');
        if (bad) {
          const ch = bad.challenges.find((c) => c.type === 'dns-01');
          const detail = ch?.error ? `: ${quoteOutside(String((ch.error as { detail?: string }).detail ?? JSON.stringify(ch.error)), secrets, 500)}` : '';
          throw new IssuerError(
            this.name,
            'refused',
            `the ACME server could not validate _acme-challenge.${bad.identifier.value}. (DNS-01)${detail}: check that the hook publishes the TXT record where the CA's resolvers look (raise dns01PropagationSeconds if it is slow)`,
          );
        }
        return list.every((a) => a.status === 'valid');
      }, () => this.step(secrets, 'the authorizations', () => client.getAuthorizations(order)));
    } finally {
      for (const p of presented.reverse()) {
        try {
          await this.hook(ctx, secrets, 'cleanup', p.fqdn, p.value);
        } catch (e) {
          ctx.log(`issuer ${this.name}: cleanup of ${p.fqdn} failed (remove the TXT record by hand): ${(e as Error).message}`);
        }
      }
    }
  }

  private async hook(ctx: ResolvedContext, secrets: Secrets, action: 'present' | 'cleanup', fqdn: string, value: string): Promise<void> {
    ctx.log(`issuer ${this.name}: DNS-01 hook ${action} ${fqdn}`);
    const r = await runProgram(this.name, 'the DNS-01 hook', {
      argv: [...this.decl.dns01Hook, action, fqdn, value],
      cwd: ctx.baseDir,
      env: ctx.env,
      timeoutMs: ctx.timeouts.hookMs,
    });
    if (r.code !== 0) {
      const said = quoteOutside(r.stderr, secrets, 1000);
      throw new IssuerError(
        this.name,
        'refused',
        `the DNS-01 hook '${this.decl.dns01Hook[0]} ${action} ${fqdn}' ${r.code !== undefined ? `exited with ${r.code}` : `was ended by ${r.signal}`}${said ? `: it said: ${said}` : ''}`,
      );
    }
  }

  /** Polls `fetch` until `done` says so, waiting pollMs, then twice as long each time (at most 30 s), within the order's deadline. */
  private async until<T>(ctx: ResolvedContext, deadline: number, what: string, first: T, done: (t: T) => Promise<boolean>, fetch: (t: T) => Promise<T>): Promise<T> {
    let current = first;
    let wait = ctx.timeouts.pollMs;
    while (!(await done(current))) {
      if (Date.now() + wait > deadline) {
        throw new IssuerError(this.name, 'unreachable', `waited ${Math.round(ctx.timeouts.orderMs / 1000)} s for ${what}: the ACME server has not finished; sign again later`);
      }
      await sleep(wait);
      wait = Math.min(wait * 2, MAX_POLL_MS);
      current = await fetch(current);
    }
    return current;
  }

  /** One protocol step; its failure is a refusal naming the step. */
  private async step<T>(secrets: Secrets, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.refusal(secrets, what, e);
    }
  }

  /** An acme-client failure as an IssuerError saying which step, its text redacted. */
  private refusal(secrets: Secrets, what: string, e: unknown): Error {
    if (isIssuerError(e)) return e;
    const text = quoteOutside((e as Error).message ?? String(e), secrets, 500);
    const fix = /externalAccount|external account/i.test(text)
      ? ': declare externalAccountBinding { kid, hmacEnv } with the key id and HMAC key the CA gave'
      : /unauthorized|badSignature|malformed/i.test(text)
        ? ': check the external account binding and the account key'
        : '';
    return new IssuerError(this.name, 'refused', `the ACME server refused ${what}: ${text || 'no reason given'}${fix}`);
  }

  /** The account key (PEM), made and written 0600 on first use; a key file others can read is made 0600 again. */
  private accountKey(ctx: ResolvedContext): string {
    const file = join(issuerStateDir(ctx, this.name), ACME_ACCOUNT_KEY_FILE);
    let pem: string;
    try {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) {
        chmodSync(file, 0o600);
        ctx.log(`issuer ${this.name}: ${file} was readable by others (mode ${mode.toString(8)}): made 0600`);
      }
      pem = readFileSync(file, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new IssuerError(this.name, 'config', `cannot read the ACME account key ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      writeSecretFile(file, pem);
      ctx.log(`issuer ${this.name}: created the ACME account key ${file} (0600): keep it with the stack state, not in it`);
      return pem;
    }
    try {
      createPrivateKey(pem);
    } catch {
      throw new IssuerError(this.name, 'config', `the ACME account key ${file} is not a readable private key: restore it from backup, or delete it to register a new account`);
    }
    return pem;
  }
}

function problemOf(o: { error?: unknown }, secrets: Secrets): string {
  const e = o.error as { detail?: string } | undefined;
  return e ? `: ${quoteOutside(String(e.detail ?? JSON.stringify(e)), secrets, 500)}` : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- transport: acme-client's shared axios instance, sent through httpsCall ----

interface Transport {
  readonly issuer: string;
  readonly ca?: readonly string[];
  readonly timeoutMs: number;
}

/** The part of axios's request config the adapter reads and hands back. */
interface AdapterConfig {
  url?: string;
  method?: string;
  headers?: { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
  data?: unknown;
  validateStatus?: ((status: number) => boolean) | null;
  adapter?: unknown;
}

const transports = new Map<string, Transport[]>();
let installed = false;

/**
 * Sends acme-client's requests to the directory's origin through httpsCall (the issuer's CA
 * bundle and timeout, no retries on a transport failure), until the returned release is called.
 * acme-client has one axios instance for the process: routes are kept per origin.
 */
function routeThrough(acme: Acme, directory: string, transport: Transport): () => void {
  const origin = new URL(directory).origin;
  if (!installed) {
    acme.axios.interceptors.request.use((config: AdapterConfig) => {
      config.adapter = adapter;
      return config as never;
    });
    installed = true;
  }
  transports.set(origin, [...(transports.get(origin) ?? []), transport]);
  return () => {
    const list = (transports.get(origin) ?? []).filter((t) => t !== transport);
    if (list.length > 0) transports.set(origin, list);
    else transports.delete(origin);
  };
}

async function adapter(config: AdapterConfig): Promise<unknown> {
  const url = config.url ?? '';
  let origin = '';
  try {
    origin = new URL(url).origin;
  } catch {
    // httpsCall names it
  }
  const route = transports.get(origin);
  const t: Transport = route?.[route.length - 1] ?? { issuer: 'acme', timeoutMs: 30_000 };
  const raw = config.headers && typeof config.headers.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {});
  const headers = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object').map(([k, v]) => [k, String(v)]));
  const method = (config.method ?? 'get').toUpperCase() as 'GET' | 'POST' | 'HEAD';
  const body = typeof config.data === 'string' ? config.data : config.data === undefined || config.data === null ? undefined : JSON.stringify(config.data);
  const answer = await httpsCall(t.issuer, { url, method, headers, body, ca: t.ca, timeoutMs: t.timeoutMs });
  const response = { data: answer.body.toString('utf8'), status: answer.status, statusText: '', headers: answer.headers, config, request: {} };
  if (!config.validateStatus || config.validateStatus(answer.status)) return response;
  // Shaped as axios's own rejection, so acme-client's retry interceptor reads status and response.
  throw Object.assign(new Error(`Request failed with status code ${answer.status}`), { config, response, isAxiosError: true });
}
