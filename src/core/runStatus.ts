import { UserError } from './errors';
import { readGridVariable, sameGrid, describeGrid, type GridShape } from './grid';
import { countStates, STATUS_CODES, type CellState } from '../shared/cellStates';
import type { NetcdfFormat } from './netcdf/format';
import { openNetcdfFor } from './netcdf/ncfile';
import { readWhileUnchanged } from './stableRead';

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

/**
 * Reads run_status.nc, which a running dvmdostem rewrites after every cell. A read that overlapped a
 * rewrite (the file's identity, size or times changed meanwhile) is thrown away and done again, so the
 * result is always one consistent version of the file, or a UserError.
 */
export async function readRunStatus(path: string): Promise<RunStatus> {
  return readWhileUnchanged(path, 'run status file', (before) => readRunStatusOnce(path, before.mtimeMs));
}

async function readRunStatusOnce(path: string, mtimeMs: number): Promise<RunStatus> {
  const file = await openNetcdfFor(path, 'run_status', ['total_runtime']);
  const { grid, values } = readGridVariable(file, 'run_status', 'a dvmdostem run_status.nc');
  let runtime: Float64Array | null = null;
  const rt = file.variable('total_runtime');
  if (rt) {
    const r = readGridVariable(file, 'total_runtime', 'run_status.nc');
    if (!sameGrid(r.grid, grid))
      throw new UserError(`${path}: total_runtime is ${describeGrid(r.grid)}, run_status is ${describeGrid(grid)}`);
    runtime = r.values.map((v) => (v === STATUS_CODES.fill ? NaN : v));
  }
  return { path, format: file.format, grid, status: values, runtime, counts: countStates(values), mtimeMs };
}

/** Flat indices (row * cols + col) of the cells for which `pick` is true. */
export function cellsWhere(n: number, pick: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (pick(i)) out.push(i);
  return Int32Array.from(out);
}
