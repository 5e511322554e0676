import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATUS_CODES, type CellState } from '../../shared/cellStates';
import { asUserError, CancelledError, UserError } from '../errors';
import { gridAxes, type GridShape } from '../grid';
import { checkMergeable } from '../mergeFile';
import { openAlike, openNetcdfFor, type NcFile } from '../netcdf/ncfile';
import { compareNames, isSameOrInside, requireNewFolder } from '../paths';
import { readRunStatus } from '../runStatus';
import { isStagingName, publishFolder, removeQuietly, removeStaleStaging, stagingPath } from '../staging';
import { findBatchRun, type BatchFolder, type BatchRun } from './batchRun';
import { checkBatchGrid, forEachLimited, readBatchCells } from './batchStatus';
import { stitchFile } from './stitchFile';
import { WriteBehind } from '../writeBehind';
import { RUN_STATUS_FILE } from '../../shared/runFiles';

/**
 * Stitches a full-domain batch run into one run folder for the whole domain, as if it had been one
 * run: every NetCDF file takes each cell from the batch whose mask enables it, bit-identical (failed
 * cells keep their status); cells no batch ran stay as the batches wrote them (masked); cells of a
 * batch that never started are marked never written in run_status.nc. Fail logs are combined with
 * the batch named on each line. Every check runs before anything is written; the folder is staged
 * and renamed into place complete.
 */

export interface StitchOptions {
  batchDir: string;
  outputDir: string;
}

interface StitchSource {
  batch: BatchFolder;
  /** Flat indices of the cells its mask enables (in the domain's row-major order). */
  cells: Int32Array;
}

export interface StitchPlan {
  run: BatchRun;
  grid: GridShape;
  /** Batches that wrote output, by number. */
  sources: StitchSource[];
  /** NetCDF files to stitch, each with the batches that have it (the first is the base copy) and their opened metadata. */
  files: { name: string; from: StitchSource[]; opened: NcFile[] }[];
  /** Cells of batches that never started (no run_status.nc). */
  notStartedCells: Int32Array;
  notStarted: string[];
  warnings: string[];
}

export interface StitchResult {
  outputDir: string;
  files: string[];
  batches: number;
  counts: Record<CellState, number>;
  warnings: string[];
}

export interface StitchProgress {
  name: string;
  index: number;
  total: number;
}

const FAIL_LOG = 'fail_log.txt';

export async function planStitch(opts: StitchOptions): Promise<StitchPlan> {
  const run = findBatchRun(opts.batchDir);
  if (run.layout !== 'full-domain') {
    throw new UserError(
      `${opts.batchDir}: a row-slice batch run (batch_N folders); stitch handles full-domain batches (batch-N), use bp batch merge for row slices`,
    );
  }
  for (const b of run.batches) {
    if (isSameOrInside(opts.outputDir, b.dir))
      throw new UserError(`${opts.outputDir}: the stitched folder must not be inside a batch folder (${b.name})`);
  }
  requireNewFolder(opts.outputDir, 'stitched output folder', true);

  let grid: GridShape | undefined;
  let owner = new Int32Array(0);
  const sources: StitchSource[] = [];
  const notStarted: string[] = [];
  const notStartedCells: number[] = [];
  await forEachLimited(run.batches, 8, readBatchCells, (cells, index) => {
    const g = checkBatchGrid(run, cells, grid);
    if (!grid) {
      grid = g;
      owner = new Int32Array(g.rows * g.cols).fill(-1);
    }
    const mine: number[] = [];
    for (let i = 0; i < cells.enabled.length; i++) {
      if (!cells.enabled[i]) continue;
      if (owner[i] >= 0) {
        const other = run.batches[owner[i]].name;
        throw new UserError(
          `${cells.batch.name}: its run-mask enables cell (${Math.floor(i / g.cols)}, ${i % g.cols}), which ${other} also runs: two batches claim the same cell`,
        );
      }
      owner[i] = index;
      mine.push(i);
    }
    if (cells.status) sources.push({ batch: cells.batch, cells: Int32Array.from(mine) });
    else {
      notStarted.push(cells.batch.name);
      notStartedCells.push(...mine);
    }
  });
  if (!sources.length)
    throw new UserError(`${opts.batchDir}: no batch has written its run_status.nc yet; nothing to stitch`);

  const warnings: string[] = [];
  const byName = new Map<string, StitchSource[]>();
  const others = new Set<string>();
  for (const s of sources) {
    for (const d of fs.readdirSync(s.batch.outputDir, { withFileTypes: true })) {
      if (isStagingName(d.name)) continue;
      if (d.isFile() && d.name.endsWith('.nc')) byName.set(d.name, [...(byName.get(d.name) ?? []), s]);
      else if (d.name !== FAIL_LOG) others.add(d.name);
    }
  }
  if (!byName.has(RUN_STATUS_FILE)) throw new UserError(`${opts.batchDir}: no batch output holds ${RUN_STATUS_FILE}`);
  const files = [...byName]
    .map(([name, from]) => ({ name, from, opened: [] as NcFile[] }))
    .sort((a, b) => compareNames(a.name, b.name));
  for (const f of files) {
    f.opened = await openAlike(f.from.map((s) => path.join(s.batch.outputDir, f.name)));
    for (const [k, s] of f.from.entries()) {
      if (k === 0) continue;
      try {
        checkMergeable(f.name, f.opened[0], f.opened[k], grid!);
      } catch (err) {
        throw err instanceof UserError ? new UserError(`${s.batch.name}: ${err.message}`) : err;
      }
    }
    if (f.from.length < sources.length) {
      const lacking = sources.filter((s) => !f.from.includes(s)).map((s) => s.batch.name);
      warnings.push(
        `${f.name}: not in ${lacking.slice(0, 5).join(', ')}${lacking.length > 5 ? ', …' : ''}; their cells keep the value of ${f.from[0].batch.name}, where they are not run`,
      );
    }
  }
  if (others.size)
    warnings.push(`not carried into the stitched folder (each batch has its own): ${[...others].sort().join(', ')}`);
  return { run, grid: grid!, sources, files, notStartedCells: Int32Array.from(notStartedCells), notStarted, warnings };
}

export async function stitchBatchRun(
  opts: StitchOptions,
  hooks: {
    onPlan?: (plan: StitchPlan) => void;
    onProgress?: (p: StitchProgress) => void;
    isCancelled?: () => boolean;
  } = {},
): Promise<StitchResult> {
  const plan = await planStitch(opts);
  hooks.onPlan?.(plan);
  const isCancelled = hooks.isCancelled ?? (() => false);
  removeStaleStaging(opts.outputDir);
  const staged = stagingPath(opts.outputDir, 'stitch');
  const disk = new WriteBehind();
  try {
    fs.mkdirSync(staged);
    for (const [index, f] of plan.files.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      if (isCancelled()) throw new CancelledError();
      hooks.onProgress?.({ name: f.name, index, total: plan.files.length });
      const inputs = f.from.map((src, k) => ({
        path: path.join(src.batch.outputDir, f.name),
        cells: src.cells,
        file: f.opened[k],
      }));
      const out = path.join(staged, f.name);
      const { fragmented } = await stitchFile(f.name, inputs, out, plan.grid, isCancelled);
      // As in the merge: a copy patched in many small windows is flushed after the other files.
      if (fragmented) disk.finishedLater(out);
      else disk.finished(out);
    }
    if (plan.notStartedCells.length) {
      await markNeverWritten(path.join(staged, RUN_STATUS_FILE), plan.grid, plan.notStartedCells);
      disk.finished(path.join(staged, RUN_STATUS_FILE));
    }
    if (writeCombinedFailLog(plan.sources, path.join(staged, FAIL_LOG))) disk.finished(path.join(staged, FAIL_LOG));
    const status = await readRunStatus(path.join(staged, RUN_STATUS_FILE));
    if (isCancelled()) throw new CancelledError();
    await disk.settle(staged);
    publishFolder(staged, opts.outputDir);
    return {
      outputDir: opts.outputDir,
      files: plan.files.map((f) => f.name),
      batches: plan.sources.length,
      counts: status.counts,
      warnings: plan.warnings,
    };
  } catch (err) {
    await disk.settle().catch(() => undefined);
    removeQuietly(staged);
    throw asUserError(err, `writing the stitched folder ${opts.outputDir}`);
  }
}

/** Cells of batches that never started: fill (-9999, never written) in run_status, never masked (0). */
async function markNeverWritten(statusPath: string, grid: GridShape, cells: Int32Array): Promise<void> {
  const file = await openNetcdfFor(statusPath, 'run_status');
  const v = file.variable('run_status')!;
  const axes = gridAxes(v)!;
  const values = file.readNumbers(v);
  for (const i of cells) {
    const r = Math.floor(i / grid.cols);
    const c = i % grid.cols;
    values[axes.y < axes.x ? i : c * grid.rows + r] = STATUS_CODES.fill;
  }
  file.writeNumbers(v, values);
}

/**
 * Every batch's fail_log.txt, each line prefixed with its batch's name; none written when no batch has
 * one. Whether it was written.
 */
function writeCombinedFailLog(sources: StitchSource[], outPath: string): boolean {
  const lines: string[] = [];
  let any = false;
  for (const s of sources) {
    const p = path.join(s.batch.outputDir, FAIL_LOG);
    if (!fs.existsSync(p)) continue;
    any = true;
    for (const line of fs.readFileSync(p, 'utf8').split('\n')) if (line.trim()) lines.push(`${s.batch.name}: ${line}`);
  }
  if (any) fs.writeFileSync(outPath, lines.map((l) => l + '\n').join(''));
  return any;
}
