/** What a finished step reports: one short line, and whether it changed anything on a node. */
export interface StepOutcome {
  readonly changed: boolean;
  readonly summary: string;
}

export const ALREADY_DONE: StepOutcome = { changed: false, summary: 'already done' };
