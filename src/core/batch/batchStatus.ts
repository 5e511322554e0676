import * as fs from 'node:fs';
import * as path from 'node:path';
import { CELL_STATES, cellState, type CellState } from '../../shared/cellStates';
import { UserError } from '../errors';
import { describeGrid, type GridShape } from '../grid';
import { openNetcdfFor } from '../netcdf/ncfile';
import { statOrExplain } from '../stableRead';
import { findBatchRun, type BatchFolder, type BatchLayout, type BatchRun } from './batchRun';
import { readGridValues, readStableGrid } from './gridValues';
import { RUN_STATUS_FILE } from '../../shared/runFiles';

/**
 * The status of a batch-split run: each batch's cells by state, and the domain's totals (each cell of
 * the domain counted once). Batches are read a few at a time and folded into domain-sized arrays, so
 * memory stays bounded whatever the number of batches.
 */

export type Totals = Record<CellState, number>;

/** complete: every enabled cell succeeded; not-started: no run_status.nc; running: still being written. */
export type BatchState = 'complete' | 'failures' | 'not-started' | 'running';

export interface BatchStatus {
  name: string;
  number: number;
  state: BatchState;
  /** The batch's enabled cells by state (a batch that never started: all `unwritten`). */
  counts: Totals;
  enabled: number;
}

export interface BatchRunStatus {
  dir: string;
  layout: BatchLayout;
  grid: GridShape;
  totals: Totals;
  complete: boolean;
  batches: BatchStatus[];
  warnings: string[];
}

export interface BatchStatusOptions {
  /** Batches read at a time (default 8). */
  concurrency?: number;
  /** A run_status.nc changed within this many seconds with cells still unwritten is `running` (default 120). */
  runningThresholdSeconds?: number;
  now?: number;
  onBatch?: (done: number, total: number) => void;
}

/** What one batch holds, in the batch's own grid. */
export interface BatchCells {
  batch: BatchFolder;
  grid: GridShape;
  /** Row-major flags of the cells its mask enables. */
  enabled: Uint8Array;
  /** Row-major run_status, or null when the batch never wrote run_status.nc. */
  status: Float64Array | null;
  statusMtimeMs?: number;
}

const STATE_INDEX = new Map(CELL_STATES.map((s, i) => [s, i] as const));
const UNWRITTEN = STATE_INDEX.get('unwritten')!;
const MASKED = STATE_INDEX.get('masked')!;

export const zeroTotals = (): Totals => ({ success: 0, fail: 0, timeout: 0, masked: 0, unwritten: 0, other: 0 });

/** Reads one batch's mask and (when present) run_status.nc; errors name the batch. */
export async function readBatchCells(batch: BatchFolder): Promise<BatchCells> {
  try {
    statOrExplain(batch.maskPath, 'run-mask file');
    const mask = readGridValues(await openNetcdfFor(batch.maskPath, 'run'), 'run', 'a dvmdostem run-mask');
    const enabled = new Uint8Array(mask.values.length);
    for (let i = 0; i < enabled.length; i++) enabled[i] = mask.values[i] !== 0 && !Number.isNaN(mask.values[i]) ? 1 : 0;
    const statusPath = path.join(batch.outputDir, RUN_STATUS_FILE);
    if (!fs.existsSync(statusPath)) return { batch, grid: mask.grid, enabled, status: null };
    const rs = await readStableGrid(
      statusPath,
      (p) => openNetcdfFor(p, 'run_status'),
      'run_status',
      'a dvmdostem run_status.nc',
    );
    if (rs.grid.rows !== mask.grid.rows || rs.grid.cols !== mask.grid.cols) {
      throw new UserError(
        `${statusPath}: run_status is ${describeGrid(rs.grid)}, the batch's run-mask ${batch.maskPath} is ${describeGrid(mask.grid)}`,
      );
    }
    return { batch, grid: mask.grid, enabled, status: rs.values, statusMtimeMs: rs.mtimeMs };
  } catch (err) {
    if (err instanceof UserError && !err.message.startsWith(`${batch.name}:`))
      throw new UserError(`${batch.name}: ${err.message}`);
    throw err;
  }
}

/** Runs `read` over `items` with at most `limit` in flight, handing results to `use` in order. */
export async function forEachLimited<T, R>(
  items: T[],
  limit: number,
  read: (item: T) => Promise<R>,
  use: (result: R, index: number) => void,
): Promise<void> {
  const pending = new Map<number, Promise<R>>();
  let next = 0;
  const start = () => {
    while (next < items.length && pending.size < limit) {
      const i = next++;
      const p = read(items[i]);
      p.catch(() => undefined);
      pending.set(i, p);
    }
  };
  for (let i = 0; i < items.length; i++) {
    start();
    const result = await pending.get(i)!;
    pending.delete(i);
    use(result, i);
  }
}

/**
 * Where each batch's cells sit in the domain: full-domain batches share the domain's grid; row-slice
 * batch N is row N of a domain with as many rows as the highest batch number + 1.
 */
export function checkBatchGrid(run: BatchRun, cells: BatchCells, domain: GridShape | undefined): GridShape {
  const { batch, grid } = cells;
  if (run.layout === 'row-slices') {
    if (grid.rows !== 1)
      throw new UserError(
        `${batch.name}: its run-mask ${batch.maskPath} is ${describeGrid(grid)}, expected one row (a row-slice batch)`,
      );
    const rows = run.batches[run.batches.length - 1].number + 1;
    if (domain && domain.cols !== grid.cols) {
      throw new UserError(
        `${batch.name}: its run-mask ${batch.maskPath} has ${grid.cols} columns, the other batches have ${domain.cols}: a batch from another grid`,
      );
    }
    return { rows, cols: grid.cols };
  }
  if (domain && (domain.rows !== grid.rows || domain.cols !== grid.cols)) {
    throw new UserError(
      `${batch.name}: its run-mask ${batch.maskPath} is ${describeGrid(grid)}, the other batches' are ${describeGrid(domain)}: a batch from another grid`,
    );
  }
  return grid;
}

/** Offset of a batch's cell 0 in the domain's row-major cells. */
export const domainOffset = (run: BatchRun, batch: BatchFolder, domain: GridShape) =>
  run.layout === 'row-slices' ? batch.number * domain.cols : 0;

export async function readBatchRunStatus(dir: string, opts: BatchStatusOptions = {}): Promise<BatchRunStatus> {
  const run = findBatchRun(dir);
  const now = opts.now ?? Date.now();
  const thresholdMs = (opts.runningThresholdSeconds ?? 120) * 1000;
  const warnings: string[] = [];
  const batches: BatchStatus[] = [];
  let domain: GridShape | undefined;
  // Per domain cell: index of the batch that owns it (-1: none) and its state's index in CELL_STATES.
  let owner = new Int32Array(0);
  let state = new Uint8Array(0);
  const conflicts: string[] = [];
  await forEachLimited(run.batches, opts.concurrency ?? 8, readBatchCells, (cells, index) => {
    const grid = checkBatchGrid(run, cells, domain);
    if (!domain) {
      domain = grid;
      owner = new Int32Array(grid.rows * grid.cols).fill(-1);
      state = new Uint8Array(grid.rows * grid.cols).fill(MASKED);
    }
    const offset = domainOffset(run, cells.batch, domain);
    const counts = zeroTotals();
    let enabled = 0;
    for (let i = 0; i < cells.enabled.length; i++) {
      if (!cells.enabled[i]) continue;
      enabled++;
      const s: CellState = cells.status ? cellState(cells.status[i]) : 'unwritten';
      counts[s]++;
      const d = offset + i;
      if (owner[d] >= 0) {
        if (conflicts.length < 5)
          conflicts.push(
            `(${Math.floor(d / domain.cols)}, ${d % domain.cols}) in ${run.batches[owner[d]].name} and ${cells.batch.name}`,
          );
        continue;
      }
      owner[d] = index;
      state[d] = STATE_INDEX.get(s)!;
    }
    batches.push({
      name: cells.batch.name,
      number: cells.batch.number,
      state: batchState(cells, counts, enabled, now, thresholdMs),
      counts,
      enabled,
    });
    opts.onBatch?.(index + 1, run.batches.length);
  });
  if (conflicts.length) warnings.push(`cells enabled in two batches (counted for the first): ${conflicts.join('; ')}`);
  const grid = domain!;
  if (run.layout === 'row-slices') {
    // A row without a batch folder: nothing says which of its cells were meant to run; shown as never written.
    const have = new Set(run.batches.map((b) => b.number));
    const missing: number[] = [];
    for (let r = 0; r < grid.rows; r++) {
      if (have.has(r)) continue;
      missing.push(r);
      state.fill(UNWRITTEN, r * grid.cols, (r + 1) * grid.cols);
    }
    if (missing.length)
      warnings.push(
        `rows without a batch folder (counted as never written): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
      );
  }
  const totals = zeroTotals();
  for (let i = 0; i < state.length; i++) totals[CELL_STATES[state[i]]]++;
  const complete = batches.every((b) => b.state === 'complete') && totals.unwritten === 0;
  return { dir: run.dir, layout: run.layout, grid, totals, complete, batches, warnings };
}

function batchState(cells: BatchCells, counts: Totals, enabled: number, now: number, thresholdMs: number): BatchState {
  if (!cells.status) return 'not-started';
  if (counts.success === enabled) return 'complete';
  if (counts.unwritten > 0 && cells.statusMtimeMs !== undefined && now - cells.statusMtimeMs < thresholdMs)
    return 'running';
  return 'failures';
}
