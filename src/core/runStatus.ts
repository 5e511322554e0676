import * as fs from 'node:fs';
import { UserError } from './errors';
import { readGridVariable, sameGrid, describeGrid, type GridShape } from './grid';
import { countStates, STATUS_CODES, type CellState } from './cellStates';
import type { NetcdfFormat } from './netcdf/format';
import { openNetcdf } from './netcdf/ncfile';

export { CELL_STATE_LABELS, CELL_STATES, STATUS_CODES, cellState, countStates, type CellState } from './cellStates';

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
