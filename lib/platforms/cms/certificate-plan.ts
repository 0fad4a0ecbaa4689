/**
 * The steps of one CMS service certificate (DOMAIN.md §4): a key made on the server with
 * `pki csr` when it is server-made; then per server the files over SFTP, the `pki` checks,
 * the assignment (`disable / certs / enable`, or `certs` then `restart`) and the TLS check.
 * A clustered certificate changes its servers one at a time, so its peers keep serving.
 */
import { CmsCertificateFiles, CmsExpectedNames, cmsAssignCommands, cmsCheckCommands, cmsCsrCommand, cmsPortNumber, cmsServiceInfo } from '../../catalog';
import { CmsCertificateDecl, CmsClusterDecl, CmsServerDecl, cmsShortName } from '../../model';
import { CmsBasename } from './basename';
import { CmsStepGraph, fileNamePattern, sha256 } from './graph';
import { CmsCertificateMaterial } from './material';
import { MmpCommand, StepFile } from './types';
import type { IssuerDecl } from '../../issuers/types';
import type { StepCertificate } from '../../plan/types';

/** A declared certificate with everything the planner derived for it. */
export interface PlannedCmsCertificate {
  readonly decl: CmsCertificateDecl;
  readonly names: CmsExpectedNames;
  /** Servers it is assigned on, in declaration order. */
  readonly targets: readonly CmsServerDecl[];
  readonly basename: CmsBasename;
  readonly files: CmsCertificateFiles;
  /** Undefined while a server-made CSR awaits the CA's signature. */
  readonly material?: CmsCertificateMaterial;
  /** server-csr: where `pki csr` runs (the server, or the first peer); the others get the key copied. */
  readonly csrServer?: CmsServerDecl;
  /** server-csr: the downloaded CSR, relative to plan.json. */
  readonly csrFile?: string;
  /** The declared certificate file, relative to plan.json. */
  readonly certificateRef: string;
  readonly keyRef?: string;
}

export interface CertificatePlanContext {
  readonly graph: CmsStepGraph;
  readonly cluster: CmsClusterDecl;
  readonly caName: string;
  /** server-csr with an issuer: it signs at apply time (a sign step instead of the manual one). */
  readonly issuer?: IssuerDecl;
  /** With an issuer: the declared CA, root first, the leaf must chain to. */
  readonly caChain?: readonly StepCertificate[];
}

/** A service's status line once it is enabled (`Enabled : true`). */
export const SERVICE_ENABLED = '^\\s*enabled\\s*:\\s*true\\b';

/** Regular expressions (flags `mi`) for the MMP output of the pki checks; docs/cms.md gives the twin's wording. */
export const PKI_CHECKS: Readonly<Record<'inspect' | 'match' | 'verify', Omit<MmpCommand, 'command'>>> = {
  // An MMP refusal (`ERROR: … not found`) must fail a check as surely as a bad certificate.
  inspect: { reject: ['\\bexpired\\b', 'not yet valid', '^\\s*error\\b'] },
  match: { expect: ['\\bmatch'], reject: ['(do|does|did) not match', 'mismatch', '^\\s*error\\b'] },
  verify: { expect: ['\\b(ok|verified|valid)\\b'], reject: ['fail', 'error', 'unable', '\\binvalid\\b', 'not valid'] },
};

function label(c: PlannedCmsCertificate): string {
  return c.decl.scope === 'clustered' ? `clustered ${c.decl.service}` : `${c.decl.service}`;
}

/** server-csr: `pki csr` on the MMP, the CSR fetched over SFTP, then a person has the CA sign it. Returns the signing step. */
export function addCsrSteps(ctx: CertificatePlanContext, c: PlannedCmsCertificate, after: readonly string[]): string {
  const { graph, cluster } = ctx;
  const server = c.csrServer!;
  const s = cmsShortName(cluster, server);
  const svc = c.decl.service;
  const command = cmsCsrCommand(c.basename.basename, c.names, c.decl.subject);
  // Stable from the CSR alone: the steps keep their triggers when the signed file appears.
  const fingerprints = [sha256(command)];
  const key = `${c.basename.basename}.key`;
  const csrName = `${c.basename.basename}.csr`;
  const csr = graph.addStep(
    {
      id: `${svc}/csr/${s}`,
      kind: 'mmp',
      node: server.fqdn,
      purpose: svc,
      description: `Make the ${label(c)} key and CSR on ${server.fqdn}: CN ${c.names.commonName}${c.names.subjectAltNames.length ? `, SANs ${c.names.subjectAltNames.join(', ')}` : ''}; ${c.basename.reason}`,
      command,
      reason: `DOMAIN.md §4: the ${svc} CSR (${c.decl.scope}) names ${c.decl.scope === 'clustered' ? 'the cluster FQDN' : 'the server FQDN'}${c.names.subjectAltNames.length ? ' and carries its CN in the SAN list' : ''}; a new basename keeps the key in service`,
      mmp: [{ command }],
      doneWhen: { mmp: 'pki list', matches: [fileNamePattern(key), fileNamePattern(csrName)] },
      refuseWhen: {
        mmp: 'pki list',
        matches: [fileNamePattern(key)],
        message: `${server.fqdn} already holds ${key} without its CSR, maybe in service: pki csr would replace it and break that service at once. Set a new basename (or renewal) and plan again`,
      },
      fingerprints,
    },
    after,
  );
  const download = graph.addStep(
    {
      id: `${svc}/download-csr/${s}`,
      kind: 'download-file',
      node: server.fqdn,
      purpose: svc,
      description: `Fetch ${csrName} from ${server.fqdn} over SFTP to ${c.csrFile}`,
      command: `sftp ${server.fqdn}: get ${csrName} ${c.csrFile}`,
      reason: 'DOMAIN.md §4: the CSR made on the MMP goes to the CA to be signed',
      files: [{ name: csrName, content: 'csr', file: c.csrFile }],
      fingerprints,
    },
    [csr],
  );
  if (ctx.issuer) {
    const issuer = ctx.issuer;
    const caChain = ctx.caChain ?? [];
    return graph.addStep(
      {
        id: `${svc}/sign/${s}`,
        kind: 'sign',
        node: server.fqdn,
        purpose: svc,
        issuer: issuer.name,
        issuerKind: issuer.kind,
        commonName: c.names.commonName,
        altNames: c.names.subjectAltNames,
        csrFile: c.csrFile!,
        chainFile: c.certificateRef,
        caChain,
        description: `Have issuer ${issuer.name} (${issuer.kind}${issuer.kind === 'lab' ? ', rehearsals only' : ''}) sign ${c.csrFile}, the ${label(c)} CSR of ${server.fqdn} for ${c.names.subjectAltNames.join(', ')}; the certificate and its chain are saved as ${c.certificateRef}, and the next ucrollout plan uploads and assigns it`,
        command: `ucrollout step run ${svc}/sign/${s} (issuer ${issuer.name}, ${issuer.kind}): sign ${c.csrFile}, save ${c.certificateRef}`,
        reason: `DOMAIN.md §4: a key made on the server needs its CSR signed before the certificate can be uploaded; issuer ${issuer.name} signs exactly the CSR's names and its leaf must chain to CA '${ctx.caName}'`,
        // The CA's facts too: another CA is another request. Id and trigger stay across the
        // phases (nothing here depends on the signed file), so phase 2 does not sign again.
        fingerprints: [...fingerprints, ...caChain.map((x) => x.sha256)],
      },
      [download],
    );
  }
  return graph.addStep(
    {
      id: `${svc}/manual/sign/${s}`,
      kind: 'manual',
      node: server.fqdn,
      purpose: svc,
      // Phase 2 (the signed file exists): the same step (id, command and trigger) says what it now asks.
      description: c.material
        ? `Confirm that CA '${ctx.caName}' signed ${c.csrFile} and that ${c.certificateRef} is that signed ${label(c)} certificate (phase 1's signing; once confirmed it is not asked again)`
        : `Have CA '${ctx.caName}' sign ${c.csrFile} and save the signed ${label(c)} certificate as ${c.certificateRef}; then run ucrollout plan again: the upload and assignment steps are planned once that file exists`,
      command: `Sign ${c.csrFile} with CA '${ctx.caName}' (server authentication, keep the CSR's names) and save it as ${c.certificateRef}`,
      reason: 'DOMAIN.md §4: a key made on the server needs the CA to sign its CSR before the certificate can be uploaded',
      fingerprints,
    },
    [download],
  );
}

/** Per server: upload, check, assign (and restart), verify; one server at a time for a clustered certificate. Returns the last step of each server. */
export function addAssignmentSteps(ctx: CertificatePlanContext, c: PlannedCmsCertificate, after: readonly string[]): string[] {
  const { graph, cluster } = ctx;
  const m = c.material!;
  const svc = c.decl.service;
  const info = cmsServiceInfo(svc);
  const f = c.files;
  const fingerprints = [m.leaf.sha256, ...m.intermediates.map((x) => x.sha256), m.root.sha256, m.certificateFile.sha256, m.caBundleFile.sha256, ...(m.fullChainFile ? [m.fullChainFile.sha256] : [])];
  const expectChain = [m.leaf.sha256, ...m.intermediates.map((x) => x.sha256)];
  const presented = f.fullChain ?? f.certificate;
  const ends: string[] = [];
  let previousEnd: string | undefined;
  for (const server of c.targets) {
    const s = cmsShortName(cluster, server);
    const files = uploadFiles(c, server);
    const upload = graph.addStep(
      {
        id: `${svc}/upload/${s}`,
        kind: 'upload-file',
        node: server.fqdn,
        purpose: svc,
        description: `Send ${files.map((x) => x.name).join(', ')} to ${server.fqdn} over SFTP (basename ${c.basename.basename}: ${c.basename.reason})`,
        command: `sftp ${server.fqdn}: ${files.map((x) => (x.fromNode ? `copy ${x.fromNode}:${x.name} ${x.name}` : `put ${x.file} ${x.name}`)).join('; ')}`,
        reason: 'DOMAIN.md §4: the key, certificate and bundle are on the server before the checks and the assignment',
        files,
        certificate: m.leaf,
        chain: [...m.intermediates, m.root],
        fingerprints,
      },
      after,
    );
    const checks = cmsCheckCommands(f);
    const check = graph.addStep(
      {
        id: `${svc}/check/${s}`,
        kind: 'mmp',
        node: server.fqdn,
        purpose: svc,
        description: `Check on ${server.fqdn} that ${f.certificate} is valid, matches ${f.key} and chains to ${f.caBundle}`,
        command: checks.join('; '),
        reason: 'DOMAIN.md §4: pki inspect, pki match and pki verify before a certificate is assigned',
        mmp: [
          { command: checks[0], ...PKI_CHECKS.inspect },
          { command: checks[1], ...PKI_CHECKS.match },
          { command: checks[2], ...PKI_CHECKS.verify },
        ],
        fingerprints,
      },
      [upload],
    );
    const assignCommands = cmsAssignCommands(svc, f);
    const rolling = previousEnd && c.decl.scope === 'clustered' ? [previousEnd] : [];
    const restarts = info.apply === 'certs-restart';
    const assign = graph.addStep(
      {
        id: `${svc}/assign/${s}`,
        kind: 'mmp',
        node: server.fqdn,
        purpose: svc,
        description: `Put the new ${label(c)} certificate in service on ${server.fqdn}${restarts ? '' : ` (${svc} is down between disable and enable)`}`,
        command: assignCommands.join('; '),
        reason: restarts ? `DOMAIN.md §4: ${svc} certs, then ${svc} restart` : `DOMAIN.md §4: ${svc} disable, ${svc} certs, ${svc} enable`,
        mmp: assignCommands.map((command) => ({ command })),
        mmpOnFailure: restarts ? undefined : [`${svc} enable`],
        // A service left disabled by a fault is not done: its status must also say it is enabled.
        doneWhen: { mmp: svc, matches: [fileNamePattern(f.key), fileNamePattern(presented), ...(restarts ? [] : [SERVICE_ENABLED])] },
        fingerprints,
      },
      restarts ? [check] : [check, ...rolling],
    );
    const number = cmsPortNumber(server, info.port);
    const port = number === undefined ? undefined : { name: info.port.name, port: number, handshake: info.port.handshake, keyType: m.keyType };
    let last = assign;
    if (restarts) {
      last = graph.addStep(
        {
          id: `${svc}/restart/${s}`,
          kind: 'mmp',
          node: server.fqdn,
          purpose: svc,
          description: `Restart ${svc} on ${server.fqdn} so it presents the new certificate${c.decl.scope === 'clustered' ? ' (one server at a time: calls move to its peers)' : ''}`,
          command: `${svc} restart`,
          reason: `DOMAIN.md §4: ${svc} certs then ${svc} restart`,
          mmp: [{ command: `${svc} restart` }],
          doneWhen: port && { port, leafSha256: m.leaf.sha256 },
          fingerprints,
        },
        [assign, ...rolling],
      );
    }
    if (port) {
      last = graph.addStep(
        {
          id: `${svc}/verify/${s}/${port.name}`,
          kind: 'verify',
          node: server.fqdn,
          purpose: svc,
          description: `Check ${server.fqdn}:${port.port} (${port.name}) presents the new ${label(c)} chain`,
          command: `openssl s_client -connect ${server.fqdn}:${port.port} -servername ${server.fqdn} -showcerts`,
          reason: 'DOMAIN.md §6: each service presents the new chain on its port (ports are data: the server may override them)',
          port,
          expectChain,
          fingerprints,
        },
        [last],
      );
    }
    ends.push(last);
    previousEnd = last;
  }
  return ends;
}

/** The files one server needs; a server-made key travels from the CSR server to the other peers. */
function uploadFiles(c: PlannedCmsCertificate, server: CmsServerDecl): StepFile[] {
  const m = c.material!;
  const f = c.files;
  const files: StepFile[] = [];
  if (c.decl.source === 'ca') files.push({ name: f.key, content: 'private-key', file: c.keyRef });
  else if (server !== c.csrServer) files.push({ name: f.key, content: 'private-key', fromNode: c.csrServer!.fqdn });
  files.push({ name: f.certificate, content: 'certificate', ...m.certificateFile });
  files.push({ name: f.caBundle, content: 'ca-bundle', ...m.caBundleFile });
  if (f.fullChain && m.fullChainFile) files.push({ name: f.fullChain, content: 'full-chain', ...m.fullChainFile });
  return files;
}
