/**
 * Renewal of what is due: from the live status, the declared certificates that are due
 * (renewBefore, or within the warning days, or expired), drifted (not the one installed) or
 * waiting for a restart are planned, and only those: the stacks are written by
 * lib/terraform's synthDeclarations on the declarations filtered to them, each plan's
 * warnings saying why each certificate is renewed.
 *
 * A certificate from an issuer is renewed through it: its `renewalGeneration` goes up by one,
 * so the plan has the node make a fresh CSR and the issuer sign it. A certificate declared as a
 * file is planned as declared; a file that is still the installed, due certificate changes
 * nothing when applied: it must first hold the renewed certificate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { collectHttpsAnchors } from '../executor/trust-anchors';
import { CertificateDecl, Declarations } from '../model';
import { RolloutPlan } from '../platforms';
import { PlanFinding } from '../plan/types';
import { stackDir, synthDeclarations } from '../terraform';
import { webCaFiles } from './collect';
import { DeclaredCertificateStatus } from './status';

export interface RenewalSelection {
  /** All the declarations, as read. */
  readonly original: Declarations;
  /** The declarations with only the certificates to renew (and their clusters and CAs). */
  readonly declarations: Declarations;
  readonly selected: readonly DeclaredCertificateStatus[];
  /** Per cluster: why each certificate is renewed (plan warnings). */
  readonly warnings: ReadonlyMap<string, PlanFinding[]>;
}

/** The HTTPS anchors of a renewal stack: the cluster's httpsCaFile and the CAs of its declared tomcat certificates. */
export const HTTPS_CA_BUNDLE = 'https-ca.pem';

export function selectRenewals(decls: Declarations, certificates: readonly DeclaredCertificateStatus[]): RenewalSelection {
  const selected = certificates.filter((c) => c.reasons.length > 0);
  const clusters = new Set(selected.map((c) => c.decl.cluster));
  const warnings = new Map<string, PlanFinding[]>();
  const renewed = new Map<number, CertificateDecl>();
  for (const c of selected) {
    const list = warnings.get(c.decl.cluster) ?? [];
    const source = c.decl.issuer ? `issued by '${c.decl.issuer}'` : `'${c.decl.certificate}'`;
    const which = `${c.decl.purpose}${c.decl.node ? ` of ${c.decl.node}` : ''} (${source})`;
    list.push({ severity: 'warning', code: 'renewal', message: `${which} is renewed: ${c.reasons.join('; ')}` });
    if (c.decl.issuer) {
      const generation = (c.decl.renewalGeneration ?? 0) + 1;
      renewed.set(c.index, { ...c.decl, renewalGeneration: generation });
      list.push({
        severity: 'warning',
        code: 'renewal-generation',
        message: `${which}: a fresh CSR on the node, signed by '${c.decl.issuer}' (renewalGeneration ${generation}); set renewalGeneration: ${generation} in the declarations so later plans keep this certificate`,
      });
    } else if (c.declaredFileDue) {
      list.push({
        severity: 'warning',
        code: 'renewal-same-certificate',
        message: `${which} is the installed certificate, itself due: applying re-installs it and changes nothing. Put the renewed certificate in '${c.decl.certificate}' (ucrollout csr, then sign it) and run ucrollout renew again`,
      });
    }
    if (c.unread.length > 0) list.push({ severity: 'warning', code: 'renewal-unread', message: `${which}: ${c.unread.join(', ')} could not be read; what they hold is not known` });
    warnings.set(c.decl.cluster, list);
  }
  const certs = new Set(selected.map((c) => c.index));
  const declarations: Declarations = {
    clusters: decls.clusters.filter((c) => clusters.has(c.name)),
    certificateAuthorities: decls.certificateAuthorities,
    certificates: decls.certificates.flatMap((c, i) => (certs.has(i) ? [renewed.get(i) ?? c] : [])),
    // Trust entries are not renewed certificates: `ucrollout plan` installs them.
    trustEntries: [],
  };
  return { original: decls, declarations, selected, warnings };
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
