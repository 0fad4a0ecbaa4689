/**
 * Expected durations of Meeting Server steps, for the window estimate (lib/plan/timing.ts).
 *
 * Where the defaults come from (this project's estimates, not vendor figures):
 * - an MMP step: an SSH login to the MMP (5 s) and each command (5 s), except the commands that
 *   restart or rebuild something: `callbridge restart` (1 min: the call bridge drops its calls and
 *   comes back), `database cluster initialize` / `join` (2 min: the database is built or copied),
 *   `database cluster connect` (1 min), `database cluster remove` (30 s); a command that waits for
 *   an expected output (`waitSeconds`) counts half its wait, at most 1 min.
 * - a file over SFTP (upload-file, download-file): 10 s; a verify over TLS: 10 s; a sign step
 *   (an issuer's answer): 30 s;
 * - a manual step: 5 min (as on CUCM).
 */
import { TimingDefaults, TimingModel } from '../../plan/timing';
import { CmsStep } from './types';

export const CMS_TIMING_DEFAULTS: TimingDefaults = {
  steps: { 'upload-file': 10, 'download-file': 10, sign: 30, verify: 10 },
  otherStepSeconds: 10,
  restarts: {},
  otherRestartSeconds: 60,
  manualSeconds: 300,
};

const MMP_SESSION_SECONDS = 5;
const MMP_COMMAND_SECONDS = 5;
/** Commands that take longer than a plain MMP command, by their first words. */
export const MMP_SLOW_COMMANDS: readonly [prefix: string, seconds: number][] = [
  ['callbridge restart', 60],
  ['database cluster initialize', 120],
  ['database cluster join', 120],
  ['database cluster connect', 60],
  ['database cluster remove', 30],
];

export function cmsStepSeconds(model = new TimingModel(CMS_TIMING_DEFAULTS)): (step: CmsStep) => number {
  return (step) => {
    const declared = model.declaredById(step.id);
    if (declared !== undefined) return declared;
    if (step.kind !== 'mmp') return model.stepSeconds(step);
    return (
      MMP_SESSION_SECONDS +
      step.mmp.reduce((sum, c) => {
        const slow = MMP_SLOW_COMMANDS.find(([prefix]) => c.command === prefix || c.command.startsWith(`${prefix} `));
        const wait = c.waitSeconds ? Math.min(60, Math.round(c.waitSeconds / 2)) : 0;
        return sum + (slow ? slow[1] : MMP_COMMAND_SECONDS) + wait;
      }, 0)
    );
  };
}
