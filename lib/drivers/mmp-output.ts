/**
 * Reading what the Meeting Server MMP prints (docs/cms.md "MMP output the checks read"):
 * the prompt, the echo of a command, the plan's regular expressions (JavaScript, flags `mi`)
 * and the lines by which the MMP says a command failed. Pure: the tests feed captured text.
 */

/**
 * The MMP waits for a command: a line that is only `<name>>` (`cms1>`, `acano>`) at the end of
 * what was printed so far.
 */
export const MMP_PROMPT = /(?:^|\n)[ \t]*[A-Za-z0-9][A-Za-z0-9._-]*>[ \t]*$/;

/**
 * Lines by which the MMP refuses a command the plan gives no `expect` or `reject` for:
 * `Failure: …`, `ERROR: …`, `Unknown command`, a usage line. A refused `webadmin certs` or
 * `database cluster initialize` must stop the step there, not at a later check.
 */
const FAILURE_LINE = /^[ \t]*(?:error|failure|failed|fatal|refused)\b.*$|^.*\b(?:unknown|invalid|unrecogni[sz]ed) (?:command|argument|parameter|option)s?\b.*$|^[ \t]*usage:.*$/im;

/** A plan expression, compiled as docs/cms.md says (flags `mi`); undefined when it is not a valid expression. */
export function compileMmpPattern(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'mi');
  } catch {
    return undefined;
  }
}

export interface MmpExpectations {
  readonly expect?: readonly string[];
  readonly reject?: readonly string[];
}

export type MmpVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Expressions of `expect` the output does not match. */
      readonly missing: readonly string[];
      /** Expressions of `reject` the output matches, or the MMP's own failure line. */
      readonly rejected: readonly string[];
      /** The MMP's own failure line (only looked for when the plan gives neither `expect` nor `reject`). */
      readonly failureLine?: string;
    };

/**
 * Every `expect` matches and no `reject` does. A command with neither (an action such as
 * `webadmin certs …`) fails on the MMP's failure lines (FAILURE_LINE): the plan's own
 * expressions judge the commands that have them. Throws on an expression that does not compile.
 */
export function judgeMmpOutput(output: string, want: MmpExpectations): MmpVerdict {
  const compile = planPattern;
  const missing = (want.expect ?? []).filter((e) => !compile(e).test(output));
  const rejected = (want.reject ?? []).filter((r) => compile(r).test(output));
  const judgedByPlan = (want.expect?.length ?? 0) > 0 || (want.reject?.length ?? 0) > 0;
  const failureLine = judgedByPlan ? undefined : mmpFailureLine(output);
  if (missing.length === 0 && rejected.length === 0 && !failureLine) return { ok: true };
  return { ok: false, missing, rejected, failureLine };
}

/** Every expression matches the output (doneWhen / refuseWhen). */
export function allMatch(output: string, expressions: readonly string[]): boolean {
  return expressions.every((source) => planPattern(source).test(output));
}

/** compileMmpPattern, throwing a message that names the expression and the fix. */
function planPattern(source: string): RegExp {
  const re = compileMmpPattern(source);
  if (!re) throw new Error(`the plan's expression ${JSON.stringify(source)} is not a valid JavaScript regular expression: re-create the plan`);
  return re;
}

/** The first line by which the MMP says a command failed, if any. */
export function mmpFailureLine(output: string): string | undefined {
  return FAILURE_LINE.exec(output)?.[0].trim();
}

/** Drop the echoed command line a pty prints before the answer (the same as the admin CLI's). */
export function stripMmpEcho(text: string, command: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() !== '');
  if (i >= 0 && lines[i].trim().endsWith(command.trim())) lines.splice(0, i + 1);
  return lines.join('\n');
}

/** The output as one short quoted line for an error message. */
export function outputExcerpt(output: string, max = 300): string {
  const text = output.trim().replace(/\s*\n\s*/g, ' | ');
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * Commands that only read (they change nothing on the server): `pki list|inspect|match|verify`,
 * `database cluster status`, and a service name alone (its status).
 */
export function isReadOnlyMmpCommand(command: string): boolean {
  const c = command.trim().replace(/\s+/g, ' ');
  return /^pki (list|inspect|match|verify)\b/.test(c) || c === 'database cluster status' || /^(webadmin|callbridge|webbridge|webbridge3|xmpp|turn)$/.test(c);
}

/** Commands that can take minutes on a real server (a restart, the database cluster). */
export function isSlowMmpCommand(command: string): boolean {
  return /\b(restart|initialize|join|connect|remove)\b/.test(command);
}
