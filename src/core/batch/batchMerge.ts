import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATUS_CODES } from '../../shared/cellStates';
import { UserError } from '../errors';
import { mergeRuns } from '../merge';
import { readRunMask } from '../runMask';
import { readRunStatus } from '../runStatus';
import { findBatchRun, namingBatch, type BatchFolder } from './batchRun';
import { isMerged, isPrepared, latestRound, type RescueRound } from './rescueRounds';
import { RUN_STATUS_FILE } from '../../shared/runFiles';

/**
 * Merge of a salvaged batch run, batch by batch: a rescue round whose rerun has finished is merged
 * (backup + rerun, the existing merge) and the result takes the place of the batch's output folder,
 * whose pre-rescue content is kept as `output-before-rescue-K`. A rerun that is missing or still
 * running is reported and left alone. Each step is a rename, so an interrupted merge resumes.
 */

export type BatchMergeAction =
  | { batch: string; action: 'merged'; round: number; successful: number; keptOutput: string }
  | { batch: string; action: 'rerun-missing' | 'rerun-running'; round: number; detail: string }
  | { batch: string; action: 'nothing-to-merge' };

export interface BatchMergeOptions {
  batchDir: string;
  /** A rerun whose run_status.nc changed within this many seconds with cells unwritten is still running (default 120). */
  runningThresholdSeconds?: number;
  now?: number;
}

export async function mergeBatchRun(
  opts: BatchMergeOptions,
  hooks: { onAction?: (a: BatchMergeAction, index: number, total: number) => void; isCancelled?: () => boolean } = {},
): Promise<BatchMergeAction[]> {
  const run = findBatchRun(opts.batchDir);
  const actions: BatchMergeAction[] = [];
  for (const [index, batch] of run.batches.entries()) {
    if (hooks.isCancelled?.())
      throw new UserError('stopped; batches merged so far are kept and a new merge resumes from there');
    const action = await namingBatch(batch, () => mergeOne(batch, opts, hooks.isCancelled));
    actions.push(action);
    hooks.onAction?.(action, index, run.batches.length);
  }
  return actions;
}

async function mergeOne(
  batch: BatchFolder,
  opts: BatchMergeOptions,
  isCancelled?: () => boolean,
): Promise<BatchMergeAction> {
  const round = latestRound(batch);
  if (!round || isMerged(round) || !isPrepared(round)) return { batch: batch.name, action: 'nothing-to-merge' };
  if (!fs.existsSync(round.mergedDir)) {
    const waiting = await rerunNotFinished(round, opts);
    if (waiting) return { batch: batch.name, action: waiting.action, round: round.number, detail: waiting.detail };
    await mergeRuns(
      { salvagedDir: round.backupDir, rerunDir: round.rerunOutput, outputDir: round.mergedDir },
      { isCancelled },
    );
  }
  // Two renames; a merge stopped between them finds the merged folder and the kept output and goes on.
  if (fs.existsSync(batch.outputDir)) fs.renameSync(batch.outputDir, round.keptOutput);
  fs.renameSync(round.mergedDir, batch.outputDir);
  const status = await readRunStatus(path.join(batch.outputDir, RUN_STATUS_FILE));
  return {
    batch: batch.name,
    action: 'merged',
    round: round.number,
    successful: status.counts.success,
    keptOutput: round.keptOutput,
  };
}

/** Why a prepared rerun cannot be merged yet, or undefined when it has finished. */
async function rerunNotFinished(
  round: RescueRound,
  opts: BatchMergeOptions,
): Promise<{ action: 'rerun-missing' | 'rerun-running'; detail: string } | undefined> {
  const statusPath = path.join(round.rerunOutput, RUN_STATUS_FILE);
  if (!fs.existsSync(statusPath))
    return { action: 'rerun-missing', detail: `${statusPath} does not exist yet (submit or run ${round.rerunDir})` };
  const status = await readRunStatus(statusPath);
  const mask = await readRunMask(round.newMask);
  let unwritten = 0;
  for (let i = 0; i < mask.enabled.length; i++)
    if (mask.enabled[i] && (status.status[i] === STATUS_CODES.fill || Number.isNaN(status.status[i]))) unwritten++;
  const thresholdMs = (opts.runningThresholdSeconds ?? 120) * 1000;
  if (unwritten > 0 && (opts.now ?? Date.now()) - status.mtimeMs < thresholdMs) {
    return {
      action: 'rerun-running',
      detail: `${unwritten} cells not written yet, ${statusPath} changed ${Math.round(((opts.now ?? Date.now()) - status.mtimeMs) / 1000)} s ago`,
    };
  }
  return undefined;
}
