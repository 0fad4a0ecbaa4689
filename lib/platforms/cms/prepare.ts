/**
 * The impure shell around the CMS planner: lints the declared CMS certificates (errors refuse
 * the plan), reads their files into fingerprints, builds the PEM files sent over SFTP (leaf,
 * CA bundle, full chain), and plans one cluster. The caller writes the returned files next to
 * plan.json. Private keys are never read here: the plan names them by path.
 */
import { lintIssuersOfPlan } from '../../issuers/lint';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { CmsCertificateDecl, Declarations, cmsAwaitsSignature, throwIfProblems } from '../../model';
import { cmsBundle, cmsCaBundle } from '../../pki/bundle';
import { parseCertificate } from '../../pki/certificate';
import { lintCmsDeclarations } from './lint';
import { readCertificates } from '../../pki/input';
import { PemLabel, toPem } from '../../pki/pem';
import { CmsCertificateMaterial, CmsFileRef } from './material';
import { planCmsCluster } from './plan';
import { CmsClusterPlan } from './types';
import { StepCertificate } from '../../plan/types';
import { PrepareOptions, PreparedPlan } from '../platform';
import { readBounded } from '../../pki/bounded-read';

/** Folder of the PEM files the plan sends, relative to plan.json. */
export const CMS_FILES_DIR = 'cms-files';

export function prepareCmsClusterPlan(decls: Declarations, clusterName: string, opts: PrepareOptions): PreparedPlan<CmsClusterPlan> {
  const abs = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const fileRef = (p: string) => relative(opts.planDir, abs(p)).split(sep).join('/');
  const mine: Declarations = {
    ...decls,
    cmsClusters: (decls.cmsClusters ?? []).filter((c) => c.name === clusterName),
    cmsCertificates: (decls.cmsCertificates ?? []).filter((c) => c.cluster === clusterName),
  };
  const findings = opts.lint === false ? [] : [...lintCmsDeclarations(mine, { baseDir: opts.baseDir, now: opts.now }), ...lintIssuersOfPlan(decls, clusterName, { baseDir: opts.baseDir, now: opts.now })];
  throwIfProblems(findings.filter((f) => f.severity === 'error').map((f) => `lint ${f.code}: ${f.message}`));

  const files = new Map<string, string>();
  const write = (file: string, text: string): CmsFileRef => {
    files.set(file, text);
    return { file, sha256: createHash('sha256').update(text, 'latin1').digest('hex') };
  };
  // The CA's root and intermediates recur in every certificate of the cluster: read each file once.
  const ders = new Map<string, Buffer>();
  const firstDer = (p: string): Buffer => {
    let der = ders.get(p);
    if (!der) ders.set(p, (der = readCertificates(readBounded(abs(p)), p)[0]));
    return der;
  };
  const material = (cert: CmsCertificateDecl): CmsCertificateMaterial | undefined => {
    if (cmsAwaitsSignature(cert, (p) => existsSync(abs(p)))) return undefined;
    const ca = decls.certificateAuthorities.find((c) => c.name === cert.ca)!;
    const ref = (p: string, der: Buffer): StepCertificate => {
      const { sha256, subject } = parseCertificate(der, p);
      return { sha256, subject, file: fileRef(p) };
    };
    const leafDer = firstDer(cert.certificate);
    const interDers = ca.intermediates.map(firstDer);
    const rootDer = firstDer(ca.root);
    const leaf = ref(cert.certificate, leafDer);
    const { keyKind } = parseCertificate(leafDer, cert.certificate);
    if (keyKind === 'other') throw new Error(`${cert.certificate}: neither an RSA nor an EC key: Meeting Server services take RSA or EC certificates`);
    const stem = `${CMS_FILES_DIR}/${cert.service}-${leaf.sha256.slice(0, 8)}`;
    const leafPem = toPem(leafDer, PemLabel.CERTIFICATE);
    const bundle = cert.bundle ? readBounded(abs(cert.bundle)) : undefined;
    const caBundle: CmsFileRef = cert.bundle && bundle
      ? { file: fileRef(cert.bundle), sha256: createHash('sha256').update(bundle).digest('hex') }
      : write(`${CMS_FILES_DIR}/ca-${ca.name}-bundle.crt`, cmsCaBundle(interDers, rootDer));
    const fullChain = cert.service === 'webbridge3'
      ? write(`${stem}-fullchain.crt`, bundle ? leafPem + bundle.toString('latin1') : cmsBundle(leafDer, interDers, rootDer))
      : undefined;
    return {
      leaf,
      keyType: keyKind,
      // Declared root's child first; the bundle and the TLS chain want the issuing CA first.
      intermediates: ca.intermediates.map((p, i) => ref(p, interDers[i])).reverse(),
      root: ref(ca.root, rootDer),
      certificateFile: write(`${stem}.crt`, leafPem),
      caBundleFile: caBundle,
      fullChainFile: fullChain,
    };
  };
  const caChain = (caName: string): StepCertificate[] => {
    const ca = decls.certificateAuthorities.find((c) => c.name === caName)!;
    return [ca.root, ...ca.intermediates].map((p) => {
      const { sha256, subject } = parseCertificate(firstDer(p), p);
      return { sha256, subject, file: fileRef(p) };
    });
  };
  const plan = planCmsCluster(decls, clusterName, {
    material,
    fileRef,
    caChain,
    warnings: findings.filter((f) => f.severity === 'warning').map((f) => ({ severity: f.severity, code: f.code, message: f.message })),
  });
  return { plan, files: [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, text]) => ({ file, text })) };
}
