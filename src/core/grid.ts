import { UserError } from './errors';
import type { NcFile } from './netcdf/ncfile';
import type { Variable } from './netcdf/variable';

/** The model's spatial grid: rows (Y) by columns (X), row-major like dvmdostem stores it. */
export interface GridShape {
  rows: number;
  cols: number;
}

/**
 * Positions of the spatial dimensions in a variable, found by name, case-insensitively: run_status,
 * masks and restart files say `Y`/`X`, outputs say `y`/`x`; outputs put them last, restart files first.
 */
export function gridAxes(v: Variable): { y: number; x: number } | null {
  const y = v.dims.findIndex((d) => d.toLowerCase() === 'y');
  const x = v.dims.findIndex((d) => d.toLowerCase() === 'x');
  return y >= 0 && x >= 0 ? { y, x } : null;
}

export function gridOf(v: Variable): GridShape | null {
  const axes = gridAxes(v);
  return axes ? { rows: v.shape[axes.y], cols: v.shape[axes.x] } : null;
}

export const sameGrid = (a: GridShape, b: GridShape) => a.rows === b.rows && a.cols === b.cols;
export const describeGrid = (g: GridShape) => `${g.rows} rows × ${g.cols} columns`;

/**
 * Reads a 2-D (Y, X) variable (any dimension order) as a row-major Float64Array of rows × cols.
 * Fails with a message naming the file and variable when it is missing or not a 2-D grid.
 */
export function readGridVariable(file: NcFile, name: string, role: string): { grid: GridShape; values: Float64Array } {
  const v = file.variable(name);
  if (!v) {
    const names =
      file.variables
        .filter((x) => !x.isDimensionOnly)
        .map((x) => x.name)
        .join(', ') || 'none';
    throw new UserError(`${file.path}: no variable "${name}" (expected in ${role}; variables found: ${names})`);
  }
  const axes = gridAxes(v);
  if (!axes || v.shape.length !== 2) {
    throw new UserError(`${file.path}: variable ${name} has dimensions (${v.dims.join(', ')}), expected (Y, X)`);
  }
  const values = file.readNumbers(v);
  const grid = { rows: v.shape[axes.y], cols: v.shape[axes.x] };
  if (axes.y === 0) return { grid, values };
  // Stored (X, Y): transpose to row-major (Y, X).
  const t = new Float64Array(values.length);
  for (let r = 0; r < grid.rows; r++)
    for (let c = 0; c < grid.cols; c++) t[r * grid.cols + c] = values[c * grid.rows + r];
  return { grid, values: t };
}
