import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyTree, listTree } from './copyTree';
import { asUserError, UserError } from './errors';
import { describeGrid, sameGrid, type GridShape } from './grid';
import { isSameOrInside, requireFolder, requireNewFolder } from './paths';
import { readRunMask, writeRunMask } from './runMask';
import { cellState, readRunStatus, type CellState } from './runStatus';
import { publishFolder, removeQuietly, removeStaleStaging, stagingPath } from './staging';

export interface SalvageOptions {
  outputDir: string;
  backupDir: string;
  originalMask: string;
  newMask: string;
  /** Default: OUTPUT_DIR/run_status.nc */
  runStatus?: string;
  /** Overwrite an existing new-mask file. */
  force?: boolean;
}

export interface FailedCell {
  row: number;
  col: number;
  status: number;
  state: CellState;
}

export interface SalvagePlan {
  grid: GridShape;
  runStatusPath: string;
  enabledCells: number;
  successfulCells: number;
  failedCells: FailedCell[];
  /** What the backup will copy. */
  files: number;
  bytes: number;
}

export interface SalvageProgress {
  file: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/**
 * Checks everything a salvage needs and says what it would do, writing nothing. A cell is failed when
 * it is enabled in the original mask (`run` != 0) and its run_status is not a success (> 0): -100
 * fail, -5 timeout, 0 not run, -9999 never written.
 */
export async function planSalvage(opts: SalvageOptions): Promise<SalvagePlan> {
  requireFolder(opts.outputDir, 'output folder');
  if (isSameOrInside(opts.backupDir, opts.outputDir)) throw new UserError(`${opts.backupDir}: the backup folder must not be inside the output folder ${opts.outputDir}`);
  if (isSameOrInside(opts.outputDir, opts.backupDir)) throw new UserError(`${opts.backupDir}: the backup folder must not contain the output folder`);
  if (fs.existsSync(opts.backupDir)) throw new UserError(`Backup directory already exists: ${opts.backupDir}`);
  requireNewFolder(opts.backupDir, 'backup folder', false);
  if (isSameOrInside(opts.newMask, opts.outputDir)) throw new UserError(`${opts.newMask}: the new run-mask must not be written inside the output folder`);
  if (!opts.force && fs.existsSync(opts.newMask)) throw new UserError(`${opts.newMask}: new run-mask file already exists (use --force to overwrite it)`);
  if (path.resolve(opts.newMask) === path.resolve(opts.originalMask)) throw new UserError(`${opts.newMask}: the new run-mask must not replace the original mask`);

  const runStatusPath = opts.runStatus ?? path.join(opts.outputDir, 'run_status.nc');
  const status = await readRunStatus(runStatusPath);
  const mask = await readRunMask(opts.originalMask);
  if (!sameGrid(mask.grid, status.grid)) {
    throw new UserError(`${opts.originalMask}: the mask's grid is ${describeGrid(mask.grid)}, but ${runStatusPath} is ${describeGrid(status.grid)}`);
  }
  const failedCells: FailedCell[] = [];
  let enabledCells = 0;
  let successfulCells = 0;
  for (let i = 0; i < mask.enabled.length; i++) {
    if (!mask.enabled[i]) continue;
    enabledCells++;
    const s = status.status[i];
    if (s > 0) successfulCells++;
    else failedCells.push({ row: Math.floor(i / status.grid.cols), col: i % status.grid.cols, status: s, state: cellState(s) });
  }
  const entries = listTree(opts.outputDir);
  const files = entries.filter((e) => e.kind === 'file');
  return { grid: status.grid, runStatusPath, enabledCells, successfulCells, failedCells, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) };
}

/**
 * Backs up OUTPUT_DIR to BACKUP_DIR (a full copy, modification times kept) and writes a new run-mask
 * enabling only the failed cells. Inputs are never modified; the backup and the mask each appear
 * complete or not at all.
 */
export async function salvageRun(
  opts: SalvageOptions,
  hooks: { onProgress?: (p: SalvageProgress) => void; isCancelled?: () => boolean } = {},
): Promise<SalvagePlan> {
  const plan = await planSalvage(opts);
  removeStaleStaging(opts.backupDir);
  const staged = stagingPath(opts.backupDir, 'backup');
  let filesDone = 0;
  let bytesDone = 0;
  try {
    copyTree(opts.outputDir, staged, {
      isCancelled: hooks.isCancelled,
      onFile: (rel, bytes) => {
        filesDone++;
        bytesDone += bytes;
        hooks.onProgress?.({ file: rel, filesDone, filesTotal: plan.files, bytesDone, bytesTotal: plan.bytes });
      },
    });
    publishFolder(staged, opts.backupDir);
  } catch (err) {
    removeQuietly(staged);
    throw asUserError(err, `creating the backup ${opts.backupDir}`);
  }
  const enabled = new Uint8Array(plan.grid.rows * plan.grid.cols);
  for (const c of plan.failedCells) enabled[c.row * plan.grid.cols + c.col] = 1;
  await writeRunMask(opts.originalMask, opts.newMask, enabled, { force: opts.force });
  return plan;
}
