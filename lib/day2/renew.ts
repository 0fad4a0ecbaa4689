/**
 * Renewal of what is due: from the live status, the declared certificates that are due
 * (renewBefore, or within the warning days, or expired), drifted (not the one installed) or
 * waiting for a restart are planned, and only those, CUCM / IM and Presence and Meeting Server
 * alike: the stacks are written by lib/terraform's synthDeclarations on the declarations
 * filtered to them, each plan's warnings saying why each certificate is renewed.
 *
 * A certificate from an issuer is renewed through it: its `renewalGeneration` goes up by one,
 * so the plan has the node make a fresh CSR and the issuer sign it. A Meeting Server certificate
 * made on the server gets the next `renewal` label the same way (a new basename: a fresh key and
 * CSR, signed by its issuer or the CA's person, saved over its file). A certificate declared as
 * a file is planned as declared; a file that is still the installed, due certificate changes
 * nothing when applied: it must first hold the renewed certificate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { collectHttpsAnchors } from '../executor/trust-anchors';
import { CertificateDecl, CmsCertificateDecl, CmsClusterDecl, Declarations } from '../model';
import { RolloutPlan } from '../platforms';
import { PlanFinding } from '../plan/types';
import { stackDir, synthDeclarations } from '../terraform';
import { webCaFiles } from './collect';
import { DeclaredCertificateStatus } from './renewal-reasons';

/** One certificate a renewal plans, whatever its platform. */
export interface SelectedRenewal {
  readonly cluster: string;
  /** The CUCM purpose, or the Meeting Server service. */
  readonly purpose: string;
  /** Single-server / per-server: the node it is for. */
  readonly node?: string;
  /** `'certs/x.pem'`, or `issued by 'corp-vault'`. */
  readonly source: string;
  readonly reasons: readonly string[];
  readonly unread: readonly string[];
  /** Planned as declared while its file is the installed, due certificate: applying changes nothing. */
  readonly sameCertificate: boolean;
}

export interface RenewalSelection {
  /** All the declarations, as read. */
  readonly original: Declarations;
  /** The declarations with only the certificates to renew (and their clusters and CAs). */
  readonly declarations: Declarations;
  readonly selected: readonly SelectedRenewal[];
  /** Per cluster: why each certificate is renewed (plan warnings). */
  readonly warnings: ReadonlyMap<string, PlanFinding[]>;
}

/** The HTTPS anchors of a renewal stack: the cluster's httpsCaFile and the CAs of its declared tomcat certificates. */
export const HTTPS_CA_BUNDLE = 'https-ca.pem';

/** What renewal does differently for one platform's declared certificates. */
interface RenewalRules<D> {
  describe(decl: D): Pick<SelectedRenewal, 'cluster' | 'purpose' | 'node' | 'source'>;
  /** Renewed through its issuer (or the server's next key): the declaration to plan and what to set in the declarations; undefined: planned as declared. */
  signAgain(status: DeclaredCertificateStatus<D>): { readonly decl: D; readonly code: string; readonly message: string } | undefined;
  /** What to do first when its file is the installed, due certificate. */
  renewedFileFirst(decl: D): string;
}

/** Where a renewed certificate comes from, as the warnings and the printed lines name it. */
const sourceOf = (d: { readonly issuer?: string; readonly certificate?: string }) => (d.issuer ? `issued by '${d.issuer}'` : `'${d.certificate}'`);

const CUCM_RULES: RenewalRules<CertificateDecl> = {
  describe: (d) => ({ cluster: d.cluster, purpose: d.purpose, node: d.node, source: sourceOf(d) }),
  signAgain: ({ decl }) => {
    if (!decl.issuer) return undefined;
    const generation = (decl.renewalGeneration ?? 0) + 1;
    return {
      decl: { ...decl, renewalGeneration: generation },
      code: 'renewal-generation',
      message: `a fresh CSR on the node, signed by '${decl.issuer}' (renewalGeneration ${generation}); set renewalGeneration: ${generation} in the declarations so later plans keep this certificate`,
    };
  },
  renewedFileFirst: (d) => `Put the renewed certificate in '${d.certificate}' (ucrollout csr --on-node, then have it signed) and run ucrollout renew again`,
};

const CMS_RULES: RenewalRules<CmsCertificateDecl> = {
  describe: (d) => ({ cluster: d.cluster, purpose: d.service, node: d.server, source: sourceOf(d) }),
  signAgain: ({ decl, declaredFileDue }) => {
    // Only while the file is the installed, due certificate: a signed file not installed yet
    // (after the first renewal stack) is installed as declared, with the label the user set.
    // A declared basename is the key in service: the user must name another (renewedFileFirst).
    if (decl.source !== 'server-csr' || !declaredFileDue || decl.basename) return undefined;
    const renewal = nextRenewalLabel(decl.renewal);
    const signer = decl.issuer ? `signed by '${decl.issuer}'` : `signed by CA '${decl.ca}' (the plan's manual step)`;
    return {
      decl: { ...decl, renewal, signAgain: true },
      code: 'renewal-label',
      message: `a fresh key and CSR on the server (renewal '${renewal}', a new basename), ${signer}, saved over '${decl.certificate}'; set renewal: '${renewal}' in the declarations, then run ucrollout renew again: it installs the new certificate`,
    };
  },
  renewedFileFirst: (d) =>
    d.source === 'server-csr'
      ? `Set a new basename (basename '${d.basename}' is the key in service), then run ucrollout renew again`
      : `Put the renewed certificate in '${d.certificate}' (its key in '${d.key}') and run ucrollout renew again`,
};

/** The next `renewal` label: a trailing number counted up (`2027` → `2028`, none → `1`), else `-1` appended. */
export function nextRenewalLabel(label: string | undefined): string {
  if (label === undefined || label === '') return '1';
  const m = /^(.*?)(\d+)$/.exec(label);
  if (!m) return `${label}-1`;
  return `${m[1]}${String(Number(m[2]) + 1).padStart(m[2].length, '0')}`;
}

/** The certificates of CUCM / IM&P (`certificates`) and of Meeting Servers (`cms`) with reasons, and the declarations of their renewal stacks. */
export function selectRenewals(
  decls: Declarations,
  certificates: readonly DeclaredCertificateStatus<CertificateDecl>[],
  cms: readonly DeclaredCertificateStatus<CmsCertificateDecl>[] = [],
): RenewalSelection {
  const warnings = new Map<string, PlanFinding[]>();
  const selected: SelectedRenewal[] = [];
  const choose = <D>(statuses: readonly DeclaredCertificateStatus<D>[], rules: RenewalRules<D>): Map<number, D> => {
    const renewed = new Map<number, D>();
    for (const c of statuses.filter((s) => s.reasons.length > 0)) {
      const where = rules.describe(c.decl);
      const list = warnings.get(where.cluster) ?? [];
      const which = `${where.purpose}${where.node ? ` of ${where.node}` : ''} (${where.source})`;
      list.push({ severity: 'warning', code: 'renewal', message: `${which} is renewed: ${c.reasons.join('; ')}` });
      const again = rules.signAgain(c);
      if (again) list.push({ severity: 'warning', code: again.code, message: `${which}: ${again.message}` });
      const sameCertificate = !again && c.declaredFileDue;
      if (sameCertificate) {
        list.push({
          severity: 'warning',
          code: 'renewal-same-certificate',
          message: `${which} is the installed certificate, itself due: applying re-installs it and changes nothing. ${rules.renewedFileFirst(c.decl)}`,
        });
      }
      if (c.unread.length > 0) list.push({ severity: 'warning', code: 'renewal-unread', message: `${which}: ${c.unread.join(', ')} could not be read; what they hold is not known` });
      warnings.set(where.cluster, list);
      renewed.set(c.index, again?.decl ?? c.decl);
      selected.push({ ...where, reasons: c.reasons, unread: c.unread, sameCertificate });
    }
    return renewed;
  };
  const cucm = choose(certificates, CUCM_RULES);
  const meeting = choose(cms, CMS_RULES);
  const clusters = new Set(selected.map((s) => s.cluster));
  const declarations: Declarations = {
    ...decls,
    clusters: decls.clusters.filter((c) => clusters.has(c.name)),
    certificates: decls.certificates.flatMap((c, i) => (cucm.has(i) ? [cucm.get(i)!] : [])),
    // Trust entries are not renewed certificates: `ucrollout plan` installs them.
    trustEntries: [],
    cmsClusters: (decls.cmsClusters ?? []).filter((c) => clusters.has(c.name)).map(withoutDatabaseProcedure),
    cmsCertificates: (decls.cmsCertificates ?? []).flatMap((c, i) => (meeting.has(i) ? [meeting.get(i)!] : [])),
  };
  return { original: decls, declarations, selected, warnings };
}

/** Status does not judge the database cluster certificates, and re-creating them is an outage of the database: `ucrollout plan` does it. */
function withoutDatabaseProcedure({ databaseCertificates: _, ...cluster }: CmsClusterDecl): CmsClusterDecl {
  return cluster;
}

/** Writes the renewal stacks (`<outdir>/stacks/<cluster>/…`); none when nothing is due. */
export function writeRenewalStacks(selection: RenewalSelection, opts: { outdir: string; baseDir: string; resourceType?: 'terraform_data' | 'null_resource' }): RolloutPlan[] {
  if (selection.selected.length === 0) return [];
  // A renewal without tomcat still talks HTTPS (REST, SOAP) to nodes that present the declared
  // tomcat certificate: the plan's anchors are the cluster's httpsCaFile and those CAs, in one bundle.
  const abs = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const clusters = selection.declarations.clusters.map((cluster) => {
    const pems = collectHttpsAnchors({
      httpsCaFile: cluster.httpsCaFile ? { path: abs(cluster.httpsCaFile), shown: cluster.httpsCaFile } : undefined,
      webChainFiles: webCaFiles(selection.original, cluster.name).map(abs),
    });
    if (pems.length === 0) return cluster;
    const dir = stackDir(opts.outdir, cluster.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, HTTPS_CA_BUNDLE);
    writeFileSync(file, pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
    return { ...cluster, httpsCaFile: file };
  });
  return synthDeclarations({ ...selection.declarations, clusters }, {
    outdir: opts.outdir,
    baseDir: opts.baseDir,
    resourceType: opts.resourceType,
    warnings: (cluster) => selection.warnings.get(cluster) ?? [],
  });
}
