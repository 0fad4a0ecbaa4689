/** The most problems a DeclarationError lists: the rest are counted, not printed. */
export const PROBLEM_LIMIT = 50;

export interface ProblemsBeyond {
  /** Problems found but not kept (beyond those given). @default 0 */
  readonly more?: number;
  /** Entries left unchecked once the limit was reached. @default 0 */
  readonly unchecked?: number;
}

/** Declarations that cannot be planned: every problem found, each naming the prop, the value and the fix. */
export class DeclarationError extends Error {
  /** Problems found beyond the first PROBLEM_LIMIT listed in the message (kept or not). */
  readonly notListed: number;

  constructor(
    readonly problems: readonly string[],
    beyond: ProblemsBeyond = {},
  ) {
    super(declarationMessage(problems, beyond));
    this.name = 'DeclarationError';
    this.notListed = Math.max(0, problems.length - PROBLEM_LIMIT) + (beyond.more ?? 0);
  }
}

function declarationMessage(problems: readonly string[], beyond: ProblemsBeyond): string {
  const more = Math.max(0, problems.length - PROBLEM_LIMIT) + (beyond.more ?? 0);
  const unchecked = beyond.unchecked ?? 0;
  const total = problems.length + (beyond.more ?? 0);
  if (total === 1 && unchecked === 0) return problems[0];
  const listed = problems.slice(0, PROBLEM_LIMIT);
  const head =
    unchecked > 0
      ? `${count(total)} problems in the declarations before checking stopped (the first ${listed.length} listed):`
      : `${count(total)} problems in the declarations${more > 0 ? ` (the first ${listed.length} listed)` : ''}:`;
  const tail: string[] = [];
  if (more > 0 || unchecked > 0) {
    const counted = more > 0 ? `… and ${count(more)} more` : '… and maybe more';
    tail.push(unchecked > 0 ? `${counted}, and ${count(unchecked)} entries not checked: fix these and check again` : counted);
  }
  return [head, ...[...listed, ...tail].map((p) => `- ${p}`)].join('\n');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Throws one DeclarationError holding every problem, when there is any. */
export function throwIfProblems(problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => !!p);
  if (found.length > 0) throw new DeclarationError(found);
}

/**
 * Problems collected up to a limit: the first ones are kept, the rest only counted, and a
 * caller with many entries stops checking once it is `full` (a file of 400,000 junk entries
 * is refused at once, in a few lines).
 */
export class ProblemList {
  private readonly kept: string[] = [];
  private more = 0;
  private unchecked = 0;

  constructor(private readonly limit = PROBLEM_LIMIT) {}

  add(...problems: readonly (string | undefined)[]): void {
    for (const p of problems) {
      if (!p) continue;
      if (this.kept.length < this.limit) this.kept.push(p);
      else this.more++;
    }
  }

  /** The limit is reached: further entries need not be checked. */
  get full(): boolean {
    return this.kept.length >= this.limit;
  }

  /** Counts entries skipped because the list is full. */
  skip(entries = 1): void {
    this.unchecked += entries;
  }

  get empty(): boolean {
    return this.kept.length === 0;
  }

  /** Throws a DeclarationError of the problems, each with the prefix, when there is any. */
  throwIfAny(prefix = ''): void {
    if (this.empty) return;
    throw new DeclarationError(
      this.kept.map((p) => prefix + p),
      { more: this.more, unchecked: this.unchecked },
    );
  }
}
