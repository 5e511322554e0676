import * as fs from 'node:fs';
import { UserError } from './errors';
import { readGridVariable, sameGrid, describeGrid, type GridShape } from './grid';
import type { NetcdfFormat } from './netcdf/format';
import { openNetcdf } from './netcdf/ncfile';

/** Values dvmdostem writes into run_status (see its `success`/`masked`/`timeout`/`fail` attributes). */
export const STATUS_CODES = { success: 100, masked: 0, timeout: -5, fail: -100, fill: -9999 } as const;

export type CellState = 'success' | 'fail' | 'timeout' | 'masked' | 'unwritten' | 'other';
export const CELL_STATES: readonly CellState[] = ['success', 'fail', 'timeout', 'masked', 'unwritten', 'other'];
export const CELL_STATE_LABELS: Record<CellState, string> = {
  success: 'success',
  fail: 'failed',
  timeout: 'timed out',
  masked: 'masked / not run',
  unwritten: 'never written',
  other: 'other',
};

export function cellState(status: number): CellState {
  if (status > 0) return 'success';
  if (status === STATUS_CODES.masked) return 'masked';
  if (status === STATUS_CODES.timeout) return 'timeout';
  if (status === STATUS_CODES.fail) return 'fail';
  if (status === STATUS_CODES.fill || Number.isNaN(status)) return 'unwritten';
  return 'other';
}

export interface RunStatus {
  path: string;
  format: NetcdfFormat;
  grid: GridShape;
  /** Row-major status per cell (NaN where a double file holds NaN). */
  status: Float64Array;
  /** Row-major total runtime in seconds; NaN where not recorded. Null when the file has no total_runtime. */
  runtime: Float64Array | null;
  counts: Record<CellState, number>;
  mtimeMs: number;
}

export function countStates(status: ArrayLike<number>): Record<CellState, number> {
  const counts: Record<CellState, number> = { success: 0, fail: 0, timeout: 0, masked: 0, unwritten: 0, other: 0 };
  for (let i = 0; i < status.length; i++) counts[cellState(status[i])]++;
  return counts;
}

export async function readRunStatus(path: string): Promise<RunStatus> {
  const mtimeMs = statOrExplain(path, 'run status file').mtimeMs;
  const file = await openNetcdf(path);
  const { grid, values } = readGridVariable(file, 'run_status', 'a dvmdostem run_status.nc');
  let runtime: Float64Array | null = null;
  const rt = file.variable('total_runtime');
  if (rt) {
    const r = readGridVariable(file, 'total_runtime', 'run_status.nc');
    if (!sameGrid(r.grid, grid)) throw new UserError(`${path}: total_runtime is ${describeGrid(r.grid)}, run_status is ${describeGrid(grid)}`);
    runtime = r.values.map((v) => (v === STATUS_CODES.fill ? NaN : v));
  }
  return { path, format: file.format, grid, status: values, runtime, counts: countStates(values), mtimeMs };
}

export function statOrExplain(path: string, role: string): fs.Stats {
  try {
    return fs.statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: ${role} not found`);
    if (code === 'EACCES') throw new UserError(`${path}: permission denied`);
    throw err;
  }
}

/** Flat indices (row * cols + col) of the cells for which `pick` is true. */
export function cellsWhere(n: number, pick: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (pick(i)) out.push(i);
  return Int32Array.from(out);
}
