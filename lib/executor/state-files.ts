/**
 * What the executor keeps beside plan.json: the confirmations of manual steps (one file) and
 * a journal of finished steps (one file per step, so parallel Terraform steps never write
 * the same file). Neither holds a secret, but both say what was done to which node: the
 * folder is 0700 and the files 0600. A damaged file is reported, never silently replaced.
 */
import { chmodSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readBounded } from '../pki/bounded-read';
import type { PlanStep } from '../platforms';
import { StepFailure } from './errors';
import { LoadedPlan } from './plan-file';

function base(loaded: LoadedPlan): string {
  return join(loaded.dir, basename(loaded.path).replace(/\.json$/i, ''));
}

/** `plan.confirmations.json` next to `plan.json`. */
export function confirmationsFile(loaded: LoadedPlan): string {
  return `${base(loaded)}.confirmations.json`;
}

/** `plan.state/`: journal and first-contact host keys. */
export function stateDir(loaded: LoadedPlan): string {
  return `${base(loaded)}.state`;
}

export function firstContactKnownHosts(loaded: LoadedPlan): string {
  return join(stateDir(loaded), 'known_hosts.first-contact');
}

/** A confirmations file holds a line or so per manual step: thousands of them fit in this. */
export const MAX_CONFIRMATIONS_FILE_BYTES = 4 * 1024 * 1024;
/** A journal entry is an id, a trigger, two dates and a one-line summary. */
export const MAX_JOURNAL_ENTRY_BYTES = 1024 * 1024;

/**
 * The text of a state file, bounded: undefined when it does not exist; a file that cannot be
 * read, or is larger than any file of its kind (a device, a log written over it), throws
 * `unreadable(why)` or `tooLarge()`.
 */
function readStateFile(file: string, limit: number, unreadable: (why: string) => StepFailure, tooLarge: () => StepFailure): string | undefined {
  try {
    return readBounded(file, limit).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EFBIG') throw tooLarge();
    throw unreadable(code ?? (e as Error).message);
  }
}

export interface Confirmation {
  readonly trigger: string;
  readonly confirmedAt: string;
  readonly by: string;
}

/** The confirmations so far; none when the file does not exist. A damaged file throws, naming the fix. */
export function readConfirmations(loaded: LoadedPlan): Record<string, Confirmation> {
  const file = confirmationsFile(loaded);
  const damaged = (why: string) =>
    new StepFailure(`${file} is damaged (${why}): it records which manual steps were confirmed; repair it by hand, or move it away and confirm the manual steps again`);
  const text = readStateFile(
    file,
    MAX_CONFIRMATIONS_FILE_BYTES,
    (why) => new StepFailure(`Cannot read ${file} (${why}): fix its permissions`),
    () => damaged(`larger than ${MAX_CONFIRMATIONS_FILE_BYTES} bytes (${MAX_CONFIRMATIONS_FILE_BYTES / 1024 / 1024} MiB), more than any confirmations file holds`),
  );
  if (text === undefined) return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw damaged(`not JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw damaged(`expected a mapping of step ids, got ${data === null ? 'null' : Array.isArray(data) ? 'a list' : typeof data}`);
  for (const [id, c] of Object.entries(data)) {
    const ok = typeof c === 'object' && c !== null && typeof (c as Confirmation).trigger === 'string' && typeof (c as Confirmation).confirmedAt === 'string';
    if (!ok) throw damaged(`the entry of '${id}' has no trigger and confirmedAt`);
  }
  return data as Record<string, Confirmation>;
}

export function recordConfirmation(loaded: LoadedPlan, step: PlanStep, by: string, now = new Date()): Confirmation {
  const all = readConfirmations(loaded);
  const entry: Confirmation = { trigger: step.trigger, confirmedAt: now.toISOString(), by };
  all[step.id] = entry;
  const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  writeAtomically(confirmationsFile(loaded), `${JSON.stringify(sorted, null, 2)}\n`);
  return entry;
}

export interface JournalEntry {
  readonly id: string;
  /** The step's trigger when it ran: an entry of another trigger is about an older plan. */
  readonly trigger: string;
  /** When the step last succeeded (ISO-8601). */
  readonly doneAt: string;
  /** When it last changed something on a node (upload, restart, delete). */
  readonly changedAt?: string;
  readonly summary: string;
}

function journalDir(loaded: LoadedPlan): string {
  return join(stateDir(loaded), 'journal');
}

function journalFile(loaded: LoadedPlan, id: string): string {
  return join(journalDir(loaded), `${encodeURIComponent(id)}.json`);
}

/**
 * The journal entry of a step for its current trigger, if any: none when there is no entry, or
 * one of another trigger (an older plan). A damaged entry throws, naming the file and the fix:
 * it is never read as "not done" and overwritten, since it may be the only record that the step
 * ran (a `once` step is not run again after later steps built on it).
 */
export function readJournal(loaded: LoadedPlan, step: PlanStep): JournalEntry | undefined {
  const file = journalFile(loaded, step.id);
  const fix = `move it away to run the step again (it checks its node first and does only what is left), then apply again`;
  const damaged = (why: string) => new StepFailure(`The journal entry of step ${step.id}, ${file}, is damaged (${why}): ${fix}`);
  const text = readStateFile(
    file,
    MAX_JOURNAL_ENTRY_BYTES,
    (why) => new StepFailure(`Cannot read the journal entry of step ${step.id}, ${file} (${why}): fix its permissions, or ${fix}`),
    () => damaged(`larger than ${MAX_JOURNAL_ENTRY_BYTES} bytes (${MAX_JOURNAL_ENTRY_BYTES / 1024 / 1024} MiB), more than any journal entry holds`),
  );
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw damaged(`not JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw damaged(`expected an object, got ${data === null ? 'null' : Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const entry = data as Partial<Record<keyof JournalEntry, unknown>>;
  const missing = (['id', 'trigger', 'doneAt', 'summary'] as const).filter((k) => typeof entry[k] !== 'string');
  if (missing.length > 0) throw damaged(`no ${missing.join(', ')}`);
  if (entry.changedAt !== undefined && typeof entry.changedAt !== 'string') throw damaged('changedAt is not a date');
  if (Number.isNaN(Date.parse(entry.doneAt as string))) throw damaged(`doneAt '${String(entry.doneAt)}' is not a date`);
  if (entry.id !== step.id) throw damaged(`it is the entry of '${String(entry.id)}'`);
  return entry.trigger === step.trigger ? (data as JournalEntry) : undefined;
}

export function writeJournal(loaded: LoadedPlan, step: PlanStep, changed: boolean, summary: string, now = new Date()): JournalEntry {
  const previous = readJournal(loaded, step);
  const entry: JournalEntry = {
    id: step.id,
    trigger: step.trigger,
    doneAt: now.toISOString(),
    changedAt: changed ? now.toISOString() : previous?.changedAt,
    summary,
  };
  ensurePrivateDir(stateDir(loaded));
  ensurePrivateDir(journalDir(loaded));
  writeAtomically(journalFile(loaded, step.id), `${JSON.stringify(entry, null, 2)}\n`);
  return entry;
}

/** Ids with a journal entry (any trigger): for `status`-like reports and tests. */
export function journalIds(loaded: LoadedPlan): string[] {
  try {
    return readdirSync(journalDir(loaded))
      .filter((f) => f.endsWith('.json'))
      .map((f) => decodeURIComponent(f.slice(0, -5)))
      .sort();
  } catch {
    return [];
  }
}

/** The state folder and its subfolders: 0700, also when an older release made them 0755. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
