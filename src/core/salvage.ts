import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyTree, listTree } from './copyTree';
import { asUserError, UserError } from './errors';
import { describeGrid, sameGrid, type GridShape } from './grid';
import { isSameOrInside, requireFolder, requireNewFolder } from './paths';
import { readRunMask, writeRunMask } from './runMask';
import { readRunStatus } from './runStatus';
import { cellState, type CellState } from '../shared/cellStates';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import { publishFolder, removeQuietly, removeStaleStaging, stagingPath } from './staging';
import { syncFolder, WriteBehind } from './writeBehind';

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

/** Path checks that need no file reading: run before anything else. */
function checkSalvagePaths(opts: SalvageOptions): void {
  requireFolder(opts.outputDir, 'output folder');
  if (isSameOrInside(opts.backupDir, opts.outputDir))
    throw new UserError(`${opts.backupDir}: the backup folder must not be inside the output folder ${opts.outputDir}`);
  if (isSameOrInside(opts.outputDir, opts.backupDir))
    throw new UserError(`${opts.backupDir}: the backup folder must not contain the output folder`);
  if (fs.existsSync(opts.backupDir)) throw new UserError(`Backup directory already exists: ${opts.backupDir}`);
  requireNewFolder(opts.backupDir, 'backup folder', false);
  if (isSameOrInside(opts.newMask, opts.outputDir))
    throw new UserError(`${opts.newMask}: the new run-mask must not be written inside the output folder`);
  if (!opts.force && fs.existsSync(opts.newMask))
    throw new UserError(`${opts.newMask}: new run-mask file already exists (use --force to overwrite it)`);
  if (path.resolve(opts.newMask) === path.resolve(opts.originalMask))
    throw new UserError(`${opts.newMask}: the new run-mask must not replace the original mask`);
}

/**
 * Checks everything a salvage needs and says what it would do, writing nothing. A cell is failed when
 * it is enabled in the original mask (`run` != 0) and its run_status is not a success (> 0): -100
 * fail, -5 timeout, 0 not run, -9999 never written.
 */
export async function planSalvage(opts: SalvageOptions): Promise<SalvagePlan> {
  checkSalvagePaths(opts);

  const runStatusPath = opts.runStatus ?? path.join(opts.outputDir, RUN_STATUS_FILE);
  const status = await readRunStatus(runStatusPath);
  const mask = await readRunMask(opts.originalMask);
  if (!sameGrid(mask.grid, status.grid)) {
    throw new UserError(
      `${opts.originalMask}: the mask's grid is ${describeGrid(mask.grid)}, but ${runStatusPath} is ${describeGrid(status.grid)}`,
    );
  }
  const failedCells: FailedCell[] = [];
  let enabledCells = 0;
  let successfulCells = 0;
  for (let i = 0; i < mask.enabled.length; i++) {
    if (!mask.enabled[i]) continue;
    enabledCells++;
    const s = status.status[i];
    if (s > 0) successfulCells++;
    else
      failedCells.push({
        row: Math.floor(i / status.grid.cols),
        col: i % status.grid.cols,
        status: s,
        state: cellState(s),
      });
  }
  const entries = listTree(opts.outputDir);
  const files = entries.filter((e) => e.kind === 'file');
  return {
    grid: status.grid,
    runStatusPath,
    enabledCells,
    successfulCells,
    failedCells,
    files: files.length,
    bytes: files.reduce((n, e) => n + e.size, 0),
  };
}

/**
 * Backs up OUTPUT_DIR to BACKUP_DIR (a full copy, modification times kept) and writes a new run-mask
 * enabling only the failed cells. Inputs are never modified. The backup and the mask are both staged
 * and appear together at the end, complete, or not at all. The copy starts while the run status and
 * mask are still being checked (it goes to a hidden staging folder that a failed check removes).
 */
export async function salvageRun(
  opts: SalvageOptions,
  hooks: { onProgress?: (p: SalvageProgress) => void; isCancelled?: () => boolean } = {},
): Promise<SalvagePlan> {
  checkSalvagePaths(opts);
  removeStaleStaging(opts.backupDir);
  removeStaleStaging(opts.newMask);
  const staged = stagingPath(opts.backupDir, 'backup');
  const stagedMask = stagingPath(opts.newMask, 'mask');
  let abandon = false;
  let filesDone = 0;
  let bytesDone = 0;
  let total = { files: 0, bytes: 0 };
  // The backup becomes the only copy of the outputs once the rerun starts (dvmdostem deletes its
  // output folder): it is published only when every file of it is on disk.
  const disk = new WriteBehind();
  const copying = copyTree(opts.outputDir, staged, {
    isCancelled: () => abandon || (hooks.isCancelled?.() ?? false),
    onFile: (rel, bytes) => {
      disk.finished(path.join(staged, rel));
      filesDone++;
      bytesDone += bytes;
      hooks.onProgress?.({ file: rel, filesDone, filesTotal: total.files, bytesDone, bytesTotal: total.bytes });
    },
  });
  // Awaited below; handled now too, so that a copy failing (full disk, unreadable file) while the plan
  // is still being read is not an unhandled rejection, which would end the process with a stack
  // trace and leave the staging folder behind.
  copying.catch(() => undefined);
  try {
    const plan = await planSalvage(opts);
    total = { files: plan.files, bytes: plan.bytes };
    const enabled = new Uint8Array(plan.grid.rows * plan.grid.cols);
    for (const c of plan.failedCells) enabled[c.row * plan.grid.cols + c.col] = 1;
    await writeRunMask(opts.originalMask, stagedMask, enabled, { force: true, label: opts.newMask });
    disk.finished(stagedMask);
    await copying;
    await disk.settle(staged);
    publishFolder(staged, opts.backupDir);
    fs.renameSync(stagedMask, opts.newMask);
    syncFolder(path.dirname(path.resolve(opts.newMask)));
    return plan;
  } catch (err) {
    abandon = true;
    await copying.catch(() => undefined);
    await disk.settle().catch(() => undefined);
    removeQuietly(staged);
    removeQuietly(stagedMask);
    throw asUserError(err, `salvaging into ${opts.backupDir}`);
  }
}
