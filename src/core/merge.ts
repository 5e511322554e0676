import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFileKeepingTime, copyTree } from './copyTree';
import { asUserError, CancelledError, UserError } from './errors';
import { describeGrid, sameGrid, type GridShape } from './grid';
import { checkMergeable, mergeFile, type FileCheck } from './mergeFile';
import { openAlike, type NcFile } from './netcdf/ncfile';
import { compareNames, isSameOrInside, requireFolder, requireNewFolder } from './paths';
import { cellsWhere, readRunStatus, type RunStatus } from './runStatus';
import { isStagingName, publishFolder, removeQuietly, removeStaleStaging, stagingPath } from './staging';
import { WriteBehind } from './writeBehind';
import { RUN_STATUS_FILE } from '../shared/runFiles';

export interface MergeOptions {
  salvagedDir: string;
  rerunDir: string;
  outputDir: string;
}

export type FileAction =
  | { name: string; action: 'merge'; salvaged: NcFile; rerun: NcFile; check: FileCheck }
  | { name: string; action: 'copy'; from: 'salvaged' | 'rerun'; reason?: string };

export interface MergePlan {
  grid: GridShape;
  salvagedStatus: RunStatus;
  rerunStatus: RunStatus;
  /** Flat indices of the cells taken from the rerun: rerun run_status > 0. */
  rerunCells: Int32Array;
  files: FileAction[];
  warnings: string[];
}

export interface MergeResult {
  outputDir: string;
  salvagedSuccessful: number;
  rerunSuccessful: number;
  merged: string[];
  copiedOnly: { name: string; from: 'salvaged' | 'rerun'; reason: string }[];
  totalSuccessful: number;
  warnings: string[];
}

export interface MergeProgress {
  name: string;
  action: 'merge' | 'copy';
  index: number;
  total: number;
}

/**
 * Checks all files of both runs before anything is written: grids, variables, shapes, types.
 * Throws a UserError naming the file, the variable and both shapes at the first problem.
 */
export async function planMerge(opts: MergeOptions): Promise<MergePlan> {
  requireFolder(opts.salvagedDir, 'salvaged folder');
  requireFolder(opts.rerunDir, 'rerun folder');
  for (const input of [opts.salvagedDir, opts.rerunDir]) {
    if (isSameOrInside(opts.outputDir, input))
      throw new UserError(`${opts.outputDir}: the merged output folder must not be inside an input folder (${input})`);
    if (isSameOrInside(input, opts.outputDir))
      throw new UserError(`${opts.outputDir}: the merged output folder must not contain an input folder (${input})`);
  }
  if (path.resolve(opts.salvagedDir) === path.resolve(opts.rerunDir))
    throw new UserError(`${opts.rerunDir}: the salvaged and rerun folders are the same folder`);
  requireNewFolder(opts.outputDir, 'merged output folder', true);

  const salvagedStatus = await readRunStatus(path.join(opts.salvagedDir, RUN_STATUS_FILE));
  const rerunStatus = await readRunStatus(path.join(opts.rerunDir, RUN_STATUS_FILE));
  const grid = salvagedStatus.grid;
  if (!sameGrid(grid, rerunStatus.grid)) {
    throw new UserError(
      `${rerunStatus.path}: the rerun's grid is ${describeGrid(rerunStatus.grid)}, the salvaged run's is ${describeGrid(grid)}`,
    );
  }
  const rerunCells = cellsWhere(rerunStatus.status.length, (i) => rerunStatus.status[i] > 0);

  const topLevel = (dir: string) =>
    new Map(
      fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => !isStagingName(d.name))
        .map((d) => [d.name, d] as const),
    );
  const sEntries = topLevel(opts.salvagedDir);
  const rEntries = topLevel(opts.rerunDir);
  const files: FileAction[] = [];
  const warnings: string[] = [];
  for (const [name, d] of sEntries) {
    const isNc = d.isFile() && name.endsWith('.nc');
    const inRerun = rEntries.get(name);
    if (isNc && inRerun?.isFile()) {
      const [salvaged, rerun] = await openAlike([path.join(opts.salvagedDir, name), path.join(opts.rerunDir, name)]);
      files.push({ name, action: 'merge', salvaged, rerun, check: checkMergeable(name, salvaged, rerun, grid) });
    } else if (isNc) {
      const reason = 'not in the rerun folder';
      warnings.push(`${name}: ${reason}; copied from the salvaged run as it is`);
      files.push({ name, action: 'copy', from: 'salvaged', reason });
    } else {
      files.push({ name, action: 'copy', from: 'salvaged' });
    }
  }
  for (const [name, d] of rEntries) {
    if (sEntries.has(name) || !(d.isFile() && name.endsWith('.nc'))) continue;
    const reason = 'only in the rerun folder';
    warnings.push(`${name}: ${reason}; copied from the rerun as it is`);
    files.push({ name, action: 'copy', from: 'rerun', reason });
  }
  files.sort((a, b) => compareNames(a.name, b.name));
  return { grid, salvagedStatus, rerunStatus, rerunCells, files, warnings };
}

/**
 * Combines a salvaged run and a rerun of its failed cells into OUTPUT_DIR, as if the batch had
 * succeeded the first time: for every NetCDF file (outputs, restart files, run_status.nc), every
 * variable with both spatial dimensions takes the rerun's values at the rerun cells across all its
 * other dimensions; every other byte is the salvaged file's. OUTPUT_DIR appears complete or not at all.
 */
export async function mergeRuns(
  opts: MergeOptions,
  hooks: {
    onPlan?: (plan: MergePlan) => void;
    onProgress?: (p: MergeProgress) => void;
    isCancelled?: () => boolean;
  } = {},
): Promise<MergeResult> {
  const plan = await planMerge(opts);
  hooks.onPlan?.(plan);
  const isCancelled = hooks.isCancelled ?? (() => false);
  removeStaleStaging(opts.outputDir);
  const staged = stagingPath(opts.outputDir, 'merge');
  const result: MergeResult = {
    outputDir: opts.outputDir,
    salvagedSuccessful: plan.salvagedStatus.counts.success,
    rerunSuccessful: plan.rerunStatus.counts.success,
    merged: [],
    copiedOnly: [],
    totalSuccessful: 0,
    warnings: plan.warnings,
  };
  const disk = new WriteBehind();
  try {
    fs.mkdirSync(staged);
    for (const [index, f] of smallestFirst(plan.files, opts).entries()) {
      // Let signal handlers and messages in between files (the file work itself is synchronous).
      await new Promise((resolve) => setImmediate(resolve));
      if (isCancelled()) throw new CancelledError();
      hooks.onProgress?.({ name: f.name, action: f.action, index, total: plan.files.length });
      const out = path.join(staged, f.name);
      if (f.action === 'merge') {
        const { fragmented } = mergeFile(f.salvaged, f.rerun, out, f.check, plan.grid, plan.rerunCells, isCancelled);
        if (fragmented) disk.finishedLater(out);
        else disk.finished(out);
        result.merged.push(f.name);
        continue;
      }
      const src = path.join(f.from === 'salvaged' ? opts.salvagedDir : opts.rerunDir, f.name);
      if (fs.lstatSync(src).isDirectory())
        await copyTree(src, out, { isCancelled, onFile: (rel) => disk.finished(path.join(out, rel)) });
      else if (fs.lstatSync(src).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), out);
      else {
        copyFileKeepingTime(src, out);
        disk.finished(out);
      }
      if (f.reason) result.copiedOnly.push({ name: f.name, from: f.from, reason: f.reason });
    }
    result.merged.sort(compareNames);
    result.copiedOnly.sort((a, b) => compareNames(a.name, b.name));
    const mergedStatus = await readRunStatus(path.join(staged, RUN_STATUS_FILE));
    result.totalSuccessful = mergedStatus.counts.success;
    if (isCancelled()) throw new CancelledError();
    await disk.settle(staged);
    publishFolder(staged, opts.outputDir);
  } catch (err) {
    await disk.settle().catch(() => undefined);
    removeQuietly(staged);
    throw asUserError(err, `writing the merged folder ${opts.outputDir}`);
  }
  return result;
}

/**
 * The files in the order they are written: smallest first. Each file is flushed while the next one is
 * merged, so the disk starts after the first small file and, being slower per byte than the merge,
 * stays busy to the end. In name order a large file in the middle left it idle while that file was
 * merged.
 */
function smallestFirst(files: FileAction[], opts: MergeOptions): FileAction[] {
  const size = (f: FileAction) => {
    if (f.action === 'merge') return f.salvaged.size;
    const st = fs.lstatSync(path.join(f.from === 'salvaged' ? opts.salvagedDir : opts.rerunDir, f.name));
    return st.isFile() ? st.size : 0;
  };
  return files
    .map((f) => ({ f, bytes: size(f) }))
    .sort((a, b) => a.bytes - b.bytes)
    .map(({ f }) => f);
}
