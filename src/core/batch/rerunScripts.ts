import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError } from '../errors';
import { commentText, shQuote } from '../rerun/shellQuote';
import { removeQuietly, stagingPath } from '../staging';

/**
 * The two scripts at the top of a batch run that start every queued rerun: submit-reruns.sh (sbatch,
 * each job id appended to rerun-jobs.txt; a script already listed there is not submitted again) and
 * run-reruns-locally.sh (one after another on this machine; a rerun whose output already has
 * run_status.nc is skipped). Paths go in as quoted data.
 */

export interface QueuedRerun {
  name: string;
  /** rerun: a prepared rescue round; resubmit: the batch's own job, which never started. */
  kind: 'rerun' | 'resubmit';
  slurmScript: string;
  /** run.sh of a prepared rerun (resubmitted batches run their slurm_runner.sh with bash). */
  runScript?: string;
  outputDir: string;
}

export const SUBMIT_SCRIPT = 'submit-reruns.sh';
export const LOCAL_SCRIPT = 'run-reruns-locally.sh';
export const JOBS_FILE = 'rerun-jobs.txt';

export function writeRerunScripts(
  batchDir: string,
  queue: QueuedRerun[],
  workdir: string,
): { submitScript: string; localScript: string } {
  const dir = path.resolve(batchDir);
  const jobs = path.join(dir, JOBS_FILE);
  const submit = [
    '#!/usr/bin/env bash',
    `# Written by pyddt-batch salvage: submits the ${queue.length} queued reruns of this batch run with sbatch.`,
    `# Each job id is appended to ${JOBS_FILE}; a script listed there already is not submitted again,`,
    '# so running this again after an interruption submits only what is missing.',
    'set -euo pipefail',
    `jobs=${shQuote(jobs)}`,
    'touch -- "$jobs"',
    'submit() { # batch, script, folder to submit from',
    '  if grep -qF -- " $2" "$jobs"; then echo "$1: already submitted ($(grep -F -- " $2" "$jobs" | tail -n 1 | cut -d" " -f2))"; return; fi',
    '  local id',
    '  id=$(cd -- "$3" && sbatch --parsable -- "$2")',
    '  id=${id%%;*}',
    '  echo "$1 $id $2" >> "$jobs"',
    '  echo "$1: submitted job $id"',
    '}',
    ...queue.map(
      (q) =>
        `submit ${shQuote(q.name)} ${shQuote(q.slurmScript)} ${shQuote(q.kind === 'resubmit' ? workdir : path.dirname(q.slurmScript))}`,
    ),
    '',
  ];
  const local = [
    '#!/usr/bin/env bash',
    `# Written by pyddt-batch salvage: runs the ${queue.length} queued reruns of this batch run one after another`,
    '# on this machine. A rerun whose output already has run_status.nc is skipped; then pyddt-batch merge.',
    'set -uo pipefail',
    'failed=0',
    'run() { # batch, output folder, folder to run in, script',
    '  if [ -e "$2/run_status.nc" ]; then echo "$1: already ran ($2/run_status.nc exists)"; return; fi',
    '  echo "$1: running $4"',
    '  if ! (cd -- "$3" && bash -- "$4"); then echo "$1: FAILED" >&2; failed=$((failed + 1)); fi',
    '}',
    ...queue.map((q) =>
      q.kind === 'resubmit'
        ? `run ${shQuote(q.name)} ${shQuote(q.outputDir)} ${shQuote(workdir)} ${shQuote(q.slurmScript)}`
        : `run ${shQuote(q.name)} ${shQuote(q.outputDir)} ${shQuote(path.dirname(q.runScript!))} ${shQuote(q.runScript!)}`,
    ),
    'if [ "$failed" -gt 0 ]; then echo "$failed reruns failed" >&2; exit 1; fi',
    '',
  ];
  const header = `# Batch run: ${commentText(dir)}`;
  const submitScript = path.join(dir, SUBMIT_SCRIPT);
  const localScript = path.join(dir, LOCAL_SCRIPT);
  writeScript(submitScript, [submit[0], header, ...submit.slice(1)].join('\n'));
  writeScript(localScript, [local[0], header, ...local.slice(1)].join('\n'));
  return { submitScript, localScript };
}

/** Writes a script complete or not at all (staged next to it, renamed). */
function writeScript(p: string, text: string): void {
  const staged = stagingPath(p, 'script');
  try {
    fs.writeFileSync(staged, text, { mode: 0o755 });
    fs.renameSync(staged, p);
  } catch (err) {
    removeQuietly(staged);
    throw asUserError(err, `writing ${p}`);
  }
}
