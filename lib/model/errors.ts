/** Declarations that cannot be planned: every problem found, each naming the prop, the value and the fix. */
export class DeclarationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems in the declarations:\n- ${problems.join('\n- ')}`);
    this.name = 'DeclarationError';
  }
}

/** Throws one DeclarationError holding every problem, when there is any. */
export function throwIfProblems(problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => !!p);
  if (found.length > 0) throw new DeclarationError(found);
}
