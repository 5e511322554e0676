import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BatchFolder } from './batchRun';

/**
 * Where a batch's rescues live. Each rescue is a numbered round, `BATCH/rescue-K/`, holding the
 * salvage backup of the batch's output (`backup/`), the mask of the cells to rerun
 * (`run-mask-failed.nc`), the prepared rerun (`rerun/`, which writes `rerun/output/`) and, while it
 * is being merged, `merged/`. A merged round has put its result at the batch's output folder and kept
 * the output it replaced as `BATCH/output-before-rescue-K/`. Every step is one rename, so the state
 * of a round is read from what exists, and interrupted work is resumed, never done twice.
 */

export interface RescueRound {
  number: number;
  dir: string;
  backupDir: string;
  newMask: string;
  rerunDir: string;
  rerunOutput: string;
  mergedDir: string;
  /** Where the replaced (pre-rescue) output is kept once merged. */
  keptOutput: string;
}

export function rescueRound(batch: BatchFolder, number: number): RescueRound {
  const dir = path.join(batch.dir, `rescue-${number}`);
  return {
    number,
    dir,
    backupDir: path.join(dir, 'backup'),
    newMask: path.join(dir, 'run-mask-failed.nc'),
    rerunDir: path.join(dir, 'rerun'),
    rerunOutput: path.join(dir, 'rerun', 'output'),
    mergedDir: path.join(dir, 'merged'),
    keptOutput: path.join(path.dirname(batch.outputDir), `${path.basename(batch.outputDir)}-before-rescue-${number}`),
  };
}

/** The batch's latest rescue round, or undefined when it was never rescued. */
export function latestRound(batch: BatchFolder): RescueRound | undefined {
  let latest = 0;
  for (const name of fs.readdirSync(batch.dir)) {
    const m = /^rescue-(\d+)$/.exec(name);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  return latest ? rescueRound(batch, latest) : undefined;
}

/** Merged: the replaced output is kept and the merged folder has moved into place. */
export function isMerged(round: RescueRound): boolean {
  return fs.existsSync(round.keptOutput) && !fs.existsSync(round.mergedDir);
}

/** Prepared: backup, mask and rerun folder all exist. */
export function isPrepared(round: RescueRound): boolean {
  return fs.existsSync(round.backupDir) && fs.existsSync(round.newMask) && fs.existsSync(round.rerunDir);
}
