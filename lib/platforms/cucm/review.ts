/**
 * PLAN.md: the review document a change board reads in a pull request. Pure text from
 * the plan, so two plans diff line by line.
 */
import { getPurpose } from '../../catalog';
import { SEED_CLEANUP_WAIT_SECONDS } from './cleanup-steps';
import { planScheduleSection, windowHeadline, windowSummaryRows } from '../../plan/schedule-review';
import { phasesOf } from '../../plan/schedule';
import { WINDOW_STEP, cucmPhase } from './plan';
import { bulletSection, esc, fullOrderSection, manualStepsSection, stepsByNodeSection } from '../../plan/review-sections';
import { CUCM_STEP_KINDS, ClusterPlan } from './types';
import { issuedCertificateReview, issuedWarnings } from './issued-review';

const KIND_ORDER = CUCM_STEP_KINDS;

export function renderReview(plan: ClusterPlan): string {
  const c = plan.cluster;
  const steps = plan.steps;
  const position = new Map(steps.map((s, i) => [s.id, i + 1]));
  const touched = c.nodes.filter((n) => steps.some((s) => s.node === n.fqdn && s.kind !== 'preflight'));
  const restarts = countBy(steps.filter((s) => s.kind === 'restart-service'), (s) => s.service!);
  const manual = steps.filter((s) => s.kind === 'manual');
  const out: string[] = [];

  out.push(`# Certificate rollout plan: cluster \`${c.name}\``, '');
  if (plan.schedule) out.push(windowHeadline(plan.schedule), '');
  out.push('## Summary', '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Cluster | ${c.name} (security mode ${c.securityMode}, SSO ${c.sso ? 'on' : 'off'}) |`);
  out.push(`| Purposes | ${plan.purposes.join(', ') || 'none (trust entries only)'} |`);
  out.push(`| Nodes touched | ${touched.length} of ${c.nodes.length}: ${touched.map((n) => n.fqdn).join(', ')} |`);
  out.push(`| Steps | ${steps.length}: ${KIND_ORDER.map((k) => `${steps.filter((s) => s.kind === k).length} ${k}`).join(', ')} |`);
  out.push(`| Services restarted | ${[...restarts].map(([svc, n]) => `${svc} ×${n}`).join(', ') || 'none'} |`);
  out.push(...windowSummaryRows(plan.schedule));
  out.push(`| Manual steps | ${manual.length} |`, '');

  out.push('## Certificates installed', '');
  if (!plan.certificates || plan.certificates.length === 0) out.push('None (trust entries only).');
  for (const cert of plan.certificates ?? []) {
    if (cert.issued) {
      out.push(...issuedCertificateReview(plan, cert));
      continue;
    }
    out.push(`### ${cert.purpose} (${cert.distribution}) — \`${cert.file}\``, '');
    out.push(`- subject: ${cert.subject}; issuer: ${cert.issuer} (CA \`${cert.ca}\`)`);
    out.push(`- valid ${cert.notBefore} → ${cert.notAfter}; SHA-256 ${cert.sha256}`);
    out.push(`- SAN: ${cert.dnsNames.join(', ') || 'none'}`);
    out.push(`- installed on: ${cert.covers.join(', ')}`, '');
  }

  out.push(...bulletSection('Warnings', reviewWarnings(plan)));

  out.push(
    ...planScheduleSection(plan, {
      phaseNotes: {
        before: beforeWindowNote(plan),
        in: 'trust and certificate uploads, restarts, checks, manual steps',
        after: steps.some((s) => s.kind === 'cleanup') ? 'the clean-up of the old self-signed certificates, after its wait' : 'nothing',
      },
      timingNote:
        'Durations: the timing model of lib/platforms/cucm/timing.ts (Cisco Tomcat 7 min, Cisco CallManager and XCP Router 4 min, TFTP and CTIManager 1.5 min, other restarts 1 min, a manual step 5 min), over which the cluster\'s and each node\'s `timing` win.',
    }),
  );

  out.push(...manualStepsSection(steps, position));

  out.push(
    ...stepsByNodeSection(c.nodes, steps, position, {
      title: 'Steps by node, in order',
      intro: [
        'Each step runs after the steps listed in "after" (numbers refer to the full order below). Terraform runs every step whose',
        '"after" steps are done, as many at a time as `-parallelism` allows (10 by default; the window section says what this plan needs): the numbering is one valid order, not a strict sequence.',
        'One node restarts one service at a time; Cisco Tomcat restarts on one node at a time, publisher first; call processing one node at a',
        'time unless CallManager groups are declared (then never a whole group at once). Where the rules leave the order free, the scheduler',
        'picked the one with the shortest window, and the "after" lists carry it.',
      ],
      heading: (node) => `${node.fqdn} (${node.role}, ${node.platform === 'imp' ? 'IM and Presence' : 'CUCM'}${node.peerOf ? `, intercluster peer cluster ${node.peerOf}` : ''})`,
      columns: ['what', 'command'],
      cells: (s) => [esc(s.description), commandCell(s)],
    }),
  );

  out.push('## Backout', '');
  out.push(
    '- Before the clean-up steps, the old self-signed certificates are still in the trust stores: to back out, upload the',
    "  previous identity certificates again (or `set cert regen <purpose>` for a self-signed one) and restart the same services",
    '  in the same order (the restart steps above). Re-running the plan with the previous certificates declared does exactly that.',
    '- The clean-up steps delete the old self-signed trust certificates: after them, backing out needs new certificates.',
    '- A step that fails stops its branch; `terraform apply` again resumes from it without repeating finished steps.',
    '',
  );

  out.push(
    ...fullOrderSection(steps, (s) =>
      'certificate' in s && s.certificate ? ` — certificate ${s.certificate.subject}, SHA-256 ${s.certificate.sha256}` : s.kind === 'upload-identity' && s.issued ? ` — the issued chain ${s.issued.chainFile}` : '',
    ),
  );
  return out.join('\n');
}

/** The "command" cell: a manual step whose instruction is its description says how it is released instead. */
function commandCell(s: ClusterPlan['steps'][number]): string {
  if (s.kind === 'manual' && s.command === s.description) return `(by a person) then \`./ucrollout confirm ${esc(s.id)}\``;
  return `\`${esc(s.command)}\``;
}

/** What the phase before the window holds: the steps not after the window's confirmation (scheduleOf's window rule). */
function beforeWindowNote(plan: ClusterPlan): string {
  const phases = phasesOf(plan.steps, cucmPhase, plan.steps.some((s) => s.id === WINDOW_STEP) ? WINDOW_STEP : undefined);
  const before = plan.steps.filter((s) => phases.get(s.id) === 'before');
  const checks = before.filter((s) => s.kind === 'manual' && s.id !== WINDOW_STEP).map((s) => `\`${s.id}\``);
  return [
    'preflight checks',
    ...(before.some((s) => s.kind === 'sign') ? ['the CSRs made on the nodes and signed by their issuers'] : []),
    ...(checks.length > 0 ? [`the checks a person makes that change nothing (${checks.join(', ')})`] : []),
    ...(before.some((s) => s.id === WINDOW_STEP) ? ['the confirmation that the window is open'] : []),
  ].join('; ');
}

/** What a reviewer must know before approving: window, phones, SSO, CTL, known defects, lint. */
export function reviewWarnings(plan: ClusterPlan): string[] {
  const w: string[] = [];
  const purposes = plan.purposes.map(getPurpose);
  const window = purposes.filter((p) => p.maintenanceWindow).map((p) => p.name);
  if (window.length > 0 || plan.steps.some((s) => s.id === WINDOW_STEP)) {
    const cause = window.length > 0 ? `the ${window.join(' and ')} change${window.length > 1 ? 's' : ''} ${window.length > 1 ? 'restart' : 'restarts'}` : 'the CallManager-trust entries restart';
    w.push(`MAINTENANCE WINDOW: ${cause} call processing services; phones re-register.`);
  }
  if (plan.cluster.securityMode === 'mixed' && purposes.some((p) => p.ctlUpdateInMixedMode)) {
    w.push('Mixed mode: the CTL file is updated (manual step) before the CallManager / CAPF services restart.');
  }
  if (plan.cluster.sso && purposes.some((p) => p.ssoAround)) {
    w.push('SSO is enabled: it is disabled before the tomcat change and re-enabled after it (manual steps).');
  }
  if (purposes.some((p) => p.family === 'CallManager') && plan.steps.some((s) => s.kind === 'upload-identity' && s.distribution === 'multi-server' && s.purpose.startsWith('CallManager'))) {
    w.push('CSCup28852: after a multi-server CallManager certificate update, watch for phones resetting every 7 minutes.');
  }
  if (plan.steps.some((s) => s.kind === 'upload-identity' && s.distribution === 'multi-server')) {
    w.push('CSCur97909: a multi-server upload leaves the old self-signed trust certificates; the clean-up steps delete them.');
  }
  for (const cert of plan.certificates ?? []) {
    const purpose = getPurpose(cert.purpose);
    if (cert.distribution !== 'multi-server') continue;
    const platformNodes = plan.cluster.nodes.filter((n) => !n.peerOf && purpose.platforms.includes(n.platform));
    const left = platformNodes.filter((n) => !cert.covers.includes(n.fqdn)).map((n) => n.fqdn);
    if (left.length > 0) w.push(`${left.join(', ')} not in the ${cert.purpose} SAN list: ${left.length > 1 ? 'they keep their' : 'it keeps its'} current (self-signed) ${cert.purpose} certificate.`);
  }
  const cleanupWait = plan.steps.find((s) => s.kind === 'cleanup')?.waitSeconds;
  if (cleanupWait !== undefined) w.push(cleanupRule(cleanupWait));
  w.push(...issuedWarnings(plan));
  for (const f of plan.warnings) w.push(`${f.severity.toUpperCase()} ${f.code}: ${f.message}`);
  return w;
}

/** seed 002's wait before the clean-up, and what the declared delay makes of it: stated even when the delay is 0. */
function cleanupRule(waitSeconds: number): string {
  const declared =
    waitSeconds >= SEED_CLEANUP_WAIT_SECONDS
      ? `this cluster waits ${waitSeconds} s`
      : `this cluster declares cleanupDelaySeconds ${waitSeconds}, shorter than the seed's 30 minutes: only where no Intercluster Sync Agent clean-up or propagation has to finish first`;
  return (
    `Clean-up (seed 002): the old self-signed trust certificates are deleted only about 30 minutes after the CA-signed certificates are in ` +
    `(the Intercluster Sync Agent's clean-up task, and their propagation to the CUCM nodes); ${declared}. The wait does not hold the window: ` +
    `an apply that reaches a clean-up earlier ends with it waiting (exit 3, saying from when it can run); apply again after that time.`
  );
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
