/**
 * PLAN.md of a CMS cluster: the review document, in the sections of the CUCM one (review.ts):
 * summary, warnings (database outage, service interruptions, phase), the basenames chosen,
 * manual steps, steps by server, full order with reasons. Pure text from the plan.
 */
import { DATABASE_OUTAGE } from './database-plan';
import { CMS_WINDOW_STEP, cmsPhase } from './plan';
import { phasesOf } from '../../plan/schedule';
import { planScheduleSection, windowHeadline, windowSummaryRows } from '../../plan/schedule-review';
import { bulletSection, esc, fullOrderSection, manualStepsSection, stepsByNodeSection } from '../../plan/review-sections';
import { issuerEndpoint } from '../cucm/issued-review';
import { CMS_STEP_KINDS, CmsClusterPlan, CmsSignStep } from './types';

const KIND_ORDER = CMS_STEP_KINDS;

export function renderCmsReview(plan: CmsClusterPlan): string {
  const c = plan.cluster;
  const steps = plan.steps;
  const position = new Map(steps.map((s, i) => [s.id, i + 1]));
  const touched = c.nodes.filter((n) => steps.some((s) => s.node === n.fqdn && !s.id.startsWith('preflight/')));
  const manual = steps.filter((s) => s.kind === 'manual');
  const out: string[] = [];

  out.push(`# Certificate rollout plan: Meeting Server cluster \`${c.name}\``, '');
  if (plan.schedule) out.push(windowHeadline(plan.schedule), '');
  out.push('## Summary', '', '| | |', '|---|---|');
  const names = [c.clusterFqdn && `cluster FQDN ${c.clusterFqdn}`, c.joinUrl && `join URL ${c.joinUrl}`, c.xmppDomains.length > 0 && `XMPP domains ${c.xmppDomains.join(', ')}`].filter(Boolean);
  out.push(`| Cluster | ${c.name} (Meeting Server ${c.version}${names.length ? `; ${names.join('; ')}` : ''}) |`);
  out.push(`| Phase | ${phaseRow(plan)} |`);
  out.push(`| Services | ${plan.services.join(', ') || 'none'} |`);
  out.push(`| Database cluster certificates | ${plan.databaseCertificates ? '**re-created: OUTAGE of the database cluster**' : 'unchanged'} |`);
  out.push(`| Servers touched | ${touched.length} of ${c.nodes.length}: ${touched.map((n) => n.fqdn).join(', ')} |`);
  // `sign` only where an issuer signs: a plan signed by hand counts as it always did.
  const kinds = KIND_ORDER.filter((k) => k !== 'sign' || steps.some((s) => s.kind === k));
  out.push(`| Steps | ${steps.length}: ${kinds.map((k) => `${steps.filter((s) => s.kind === k).length} ${k}`).join(', ')} |`);
  out.push(...windowSummaryRows(plan.schedule));
  out.push(`| Manual steps | ${manual.length} |`, '');

  out.push(...bulletSection('Warnings', cmsReviewWarnings(plan)));

  out.push(
    ...planScheduleSection(plan, {
      phaseNotes: phaseNotes(plan),
      timingNote:
        'Durations: the timing model of lib/platforms/cms/timing.ts (an MMP login and each command 5 s, `callbridge restart` 1 min, `database cluster initialize` / `join` 2 min, a file 10 s, a manual step 5 min).',
    }),
  );

  out.push('## Certificates and their basenames on the servers', '');
  out.push('A renewal never reuses the basename of the key in service: `pki csr` or an upload over it breaks that service at once (DOMAIN.md §4).', '');
  out.push('| service | scope | source | servers | basename | why | certificate |', '|---|---|---|---|---|---|---|');
  for (const x of plan.certificates) {
    const cert = x.certificate.sha256 ? `${x.certificate.file} (${x.certificate.subject}, SHA-256 ${x.certificate.sha256})` : `${x.certificate.file} (not signed yet)`;
    out.push(`| ${x.service} | ${x.scope} | ${x.source} | ${x.servers.join(', ')} | \`${x.basename}\` | ${esc(x.basenameReason)} | ${esc(cert)} |`);
  }
  const keys = plan.certificates.filter((x) => x.keyFile).map((x) => x.keyFile!);
  if (keys.length > 0) out.push('', `Private key files, read only by the upload steps at apply time (never by the planner): ${[...new Set(keys)].join(', ')}.`);
  out.push('');
  out.push(...issuedSection(plan, position));

  out.push(...manualStepsSection(steps, position));

  out.push(
    ...stepsByNodeSection(c.nodes, steps, position, {
      title: 'Steps by server, in order',
      intro: ['Each step runs after the steps listed in "after" (numbers refer to the full order below). MMP steps of one server run one at a time.'],
      heading: (node) => `${node.fqdn} (database ${node.databaseRole}; ${node.services.join(', ') || 'no services'})`,
      columns: ['kind', 'what', 'command'],
      cells: (s) => [`${s.kind}${s.outage ? ' (outage)' : ''}`, esc(s.description), s.kind === 'manual' && s.command === s.description ? `(by a person) then \`./ucrollout confirm ${esc(s.id)}\`` : `\`${esc(s.command)}\``],
    }),
  );
  out.push(
    ...fullOrderSection(steps, (s) =>
      'files' in s ? ` — files ${s.files.map((f) => `${f.name}${f.sha256 ? ` (SHA-256 ${f.sha256})` : f.content === 'private-key' ? ' (private key, by path only)' : ''}`).join(', ')}` : '',
    ),
  );
  return out.join('\n');
}

/**
 * The summary's phase (docs/cms.md, two phases): phase 1 makes the CSRs; phase 2 makes the change,
 * every certificate signed and saved. Phase 2 keeps phase 1's CSR and signing steps (same ids and
 * triggers): done in phase 1, they are not run again.
 */
function phaseRow(plan: CmsClusterPlan): string {
  const awaiting = plan.certificates.filter((x) => x.awaitingSignature);
  if (awaiting.length > 0) return `1 of 2: ${awaiting.length} CSR(s) made on the servers await the CA's signature; plan again once signed`;
  const made = plan.certificates.filter((x) => x.source === 'server-csr');
  if (made.length === 0) return 'the change: every certificate is a signed file you hold (no CSR is made on the servers)';
  const signs = plan.steps.filter((s) => s.kind === 'sign' || (s.kind === 'manual' && /^[^/]+\/manual\/sign\//.test(s.id)));
  return `2 of 2 (the change): the ${made.length} certificate(s) made from CSRs on the servers are signed and saved; phase 1's ${signs.length} signing step(s) keep their ids and, done then, do not run again`;
}

/** What each phase of the window holds, from the steps before the window's confirmation (lib/plan/schedule.ts's window rule). */
function phaseNotes(plan: CmsClusterPlan): { before: string; in: string; after: string } {
  const window = plan.steps.some((s) => s.id === CMS_WINDOW_STEP) ? CMS_WINDOW_STEP : undefined;
  const phases = phasesOf(plan.steps, cmsPhase, window);
  const before = plan.steps.filter((s) => phases.get(s.id) === 'before');
  const inside = plan.steps.filter((s) => phases.get(s.id) === 'in');
  const has = (list: typeof before, pred: (s: (typeof before)[number]) => boolean) => list.some(pred);
  const notes = (list: typeof before, parts: [boolean, string][]) => parts.filter(([on]) => on).map(([, t]) => t).join('; ') || 'nothing';
  const csr = (s: (typeof before)[number]) => s.id.split('/')[1] === 'csr';
  const signing = (s: (typeof before)[number]) => s.kind === 'sign' || (s.kind === 'manual' && s.id !== CMS_WINDOW_STEP);
  return {
    before: notes(before, [
      [true, 'MMP logins and key lists (preflight)'],
      [has(before, csr), 'the CSRs made on the servers and fetched'],
      [has(before, signing), 'their signing'],
      [has(before, (s) => s.kind === 'upload-file'), 'the files sent under new basenames'],
      [has(before, (s) => s.id.split('/')[1] === 'check'), 'pki checks'],
      [has(before, (s) => s.id.startsWith('database/status/')), 'the database primary noted'],
      [!!window, 'the confirmation that the window is open'],
    ]),
    in: notes(inside, [
      [has(inside, (s) => s.outage !== undefined), 'the database cluster (outage)'],
      [has(inside, (s) => s.id.split('/')[1] === 'check'), 'pki checks'],
      [has(inside, (s) => s.id.split('/')[1] === 'assign'), 'assignments'],
      [has(inside, (s) => s.id.split('/')[1] === 'restart'), 'restarts'],
      [has(inside, (s) => s.kind === 'verify'), 'TLS checks'],
      [has(inside, (s) => !window && (csr(s) || signing(s) || s.kind === 'upload-file')), 'CSRs, signing, files'],
    ]),
    after: 'nothing',
  };
}

/** What a reviewer must know before approving: outage, interruptions, phase, lint. */
export function cmsReviewWarnings(plan: CmsClusterPlan): string[] {
  const w: string[] = [];
  const steps = plan.steps;
  const outage = steps.map((s, i) => ({ s, n: i + 1 })).filter(({ s }) => s.outage === DATABASE_OUTAGE);
  if (outage.length > 0) {
    const first = outage[0];
    const last = outage[outage.length - 1];
    w.push(
      `OUTAGE of the ${DATABASE_OUTAGE} (${plan.cluster.nodes.filter((n) => n.databaseRole !== 'none').map((n) => n.fqdn).join(', ')}) from step ${first.n} (\`${first.s.id}\`) to step ${last.n} (\`${last.s.id}\`): the database cluster is removed on every core and built again with the built-in CA; confirm the window first (manual step).`,
    );
  }
  if (steps.some((s) => s.id.startsWith('callbridge/restart/'))) {
    w.push('callbridge restart drops the calls of that server; a clustered callbridge certificate restarts one server at a time, after the previous one presents the new certificate.');
  }
  const downs = [...new Set(steps.filter((s) => s.id.includes('/assign/') && s.kind === 'mmp' && s.mmpOnFailure).map((s) => s.purpose))].sort();
  if (downs.length > 0) w.push(`${downs.join(', ')}: unavailable on each server between disable and enable (re-enabled with the old certificate if the assignment fails).`);
  const awaiting = plan.certificates.filter((x) => x.awaitingSignature);
  if (awaiting.length > 0) {
    const byIssuer = awaiting.filter((x) => x.issuer);
    const byHand = awaiting.filter((x) => !x.issuer);
    w.push(
      `PHASE 1 OF 2: ${awaiting.map((x) => `${x.service} (${x.certificate.file})`).join(', ')} not signed yet. This plan only makes the CSRs on the servers and fetches them` +
        (byIssuer.length > 0 ? `; its sign steps have ${[...new Set(byIssuer.map((x) => `issuer ${x.issuer}`))].join(', ')} sign ${byIssuer.map((x) => x.service).join(', ')} and write the certificates` : '') +
        (byHand.length > 0 ? `; after the CA signed ${byHand.map((x) => x.service).join(', ')}, save the certificates there` : '') +
        '; then run ucrollout plan again for the change itself.',
    );
  }
  const signs = steps.filter((s): s is CmsSignStep => s.kind === 'sign');
  const lab = signs.filter((s) => s.issuerKind === 'lab');
  if (lab.length > 0) w.push(`LAB ISSUER: ${lab.map((s) => `${s.purpose} of ${s.node} (issuer ${s.issuer})`).join(', ')} signed by a lab CA: for rehearsals on the digital twin only, never for a production server.`);
  if (signs.some((s) => s.issuerKind === 'adcs')) {
    w.push('AD CS: a template that needs a CA manager\'s approval leaves the sign step waiting (the apply ends with exit 3 naming the request id); approve it on the CA, then apply again.');
  }
  for (const x of plan.certificates.filter((c) => !c.awaitingSignature)) {
    w.push(`${x.service} (${x.scope}) uses the new basename \`${x.basename}\` on ${x.servers.join(', ')}: ${x.basenameReason}.`);
  }
  for (const f of plan.warnings) w.push(`${f.severity.toUpperCase()} ${f.code}: ${f.message}`);
  return w;
}

/** What is requested from whom: each sign step's issuer, names, CSR and where the certificate goes. */
function issuedSection(plan: CmsClusterPlan, position: ReadonlyMap<string, number>): string[] {
  const signs = plan.steps.filter((s): s is CmsSignStep => s.kind === 'sign');
  if (signs.length === 0) return [];
  const out = ['## Certificates requested from issuers', ''];
  for (const s of signs) {
    const decl = (plan.issuers ?? []).find((d) => d.name === s.issuer);
    out.push(
      `### ${s.purpose} of ${s.node} — issued by \`${s.issuer}\` (${s.issuerKind})${s.issuerKind === 'lab' ? ' — LAB ISSUER, FOR REHEARSALS ONLY (NOT FOR PRODUCTION)' : ''} (step ${position.get(s.id)}, \`${s.id}\`)`,
      '',
      `- requested from: ${decl ? issuerEndpoint(decl) : `issuer ${s.issuer}`}`,
      `- CN ${s.commonName}; SAN: ${s.altNames.join(', ')}`,
      `- the key and CSR are made on ${s.node} with \`pki csr\` (the key never leaves the server); the CSR is fetched to \`${s.csrFile}\``,
      `- the signed certificate and its chain are written to \`${s.chainFile}\`; its leaf must chain to ${s.caChain.map((c) => `\`${c.file}\``).join(', ')}; a re-apply requests nothing while that file holds a valid certificate for the CSR's key`,
      '',
    );
  }
  return out;
}
