/**
 * The command issuer: any program signs (`step ca sign`, `certreq`, `openssl ca` behind a
 * script). CSR (PEM) on its standard input, the PEM chain (leaf first) on its standard output;
 * a non-zero exit is a refusal, shown with its standard error (bounded, secrets blanked out).
 * What is asked for is in its environment too (REQUEST_ENV), so one script can choose the CA's
 * profile by purpose: nothing secret, only what the CSR and the plan already say.
 */
import { certificatePems } from '../pki/pem';
import { checkIssuedChain, readSignRequest } from './check';
import { IssuerError } from './errors';
import { Issuer, IssuerContext, SignRequest, SignResult, resolveContext } from './issuer';
import { runProgram } from './run-program';
import { Secrets, quoteOutside } from './secrets';
import { CommandIssuerDecl } from './types';

/** The variables the program gets besides the environment: what is asked for (never a secret). */
export const REQUEST_ENV = {
  /** The catalog purpose (`tomcat`, `CallManager`, `ipsec`…); unset when the request names none. */
  purpose: 'UCROLLOUT_PURPOSE',
  /** The CSR's subject common name; unset when it has none. */
  commonName: 'UCROLLOUT_CN',
  /** The CSR's DNS subjectAltNames, comma-separated, in CSR order. */
  sans: 'UCROLLOUT_SANS',
  /** The declared issuer's name. */
  issuer: 'UCROLLOUT_ISSUER',
  /** The sign request's stable id (the plan's sign step and renewal generation). */
  requestId: 'UCROLLOUT_REQUEST_ID',
} as const;

export class CommandIssuer implements Issuer {
  readonly kind = 'command' as const;
  readonly name: string;

  constructor(private readonly decl: CommandIssuerDecl) {
    this.name = decl.name;
  }

  async sign(request: SignRequest, context: IssuerContext): Promise<SignResult> {
    const ctx = resolveContext(context);
    const csr = await readSignRequest(this.name, request);
    const secrets = new Secrets(this.name);
    (this.decl.secretEnv ?? []).forEach((name, i) => secrets.fromEnv(ctx.env, name, `command.secretEnv[${i}]`, "the program's secret"));
    const program = this.decl.run[0];
    ctx.log(`issuer ${this.name}: running ${program} for ${csr.dnsNames.join(', ')}`);
    const r = await runProgram(this.name, 'the command', {
      argv: this.decl.run,
      cwd: ctx.baseDir,
      env: {
        ...ctx.env,
        // set, or removed when there is none: never a value left over from the caller's environment
        [REQUEST_ENV.purpose]: request.purpose,
        [REQUEST_ENV.commonName]: csr.commonName,
        [REQUEST_ENV.sans]: csr.dnsNames.join(','),
        [REQUEST_ENV.issuer]: this.name,
        [REQUEST_ENV.requestId]: request.id,
      },
      stdin: csr.pem,
      timeoutMs: ctx.timeouts.commandMs,
    });
    if (r.code !== 0) {
      const stderr = quoteOutside(r.stderr, secrets);
      const how = r.code !== undefined ? `exited with ${r.code}` : `was ended by ${r.signal}`;
      throw new IssuerError(
        this.name,
        'refused',
        `the command '${program}' ${how}: ${stderr ? `it said: ${stderr}${r.stderrCut ? ' …(standard error cut)' : ''}` : 'it printed nothing on standard error'}`,
      );
    }
    const pems = certificatePems(r.stdout.toString('latin1'));
    if (pems.length === 0) {
      throw new IssuerError(this.name, 'bad-response', `the command '${program}' exited 0 but printed no PEM certificate on standard output: it must print the chain (leaf first)`);
    }
    return { status: 'issued', chainPem: checkIssuedChain(this.name, csr, pems, ctx.now(), ctx.log) };
  }
}
