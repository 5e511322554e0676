import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError, UserError } from './errors';
import { gridAxes, readGridVariable, type GridShape } from './grid';
import type { NetcdfFormat } from './netcdf/format';
import { openNetcdfFor } from './netcdf/ncfile';
import { statOrExplain } from './stableRead';
import { removeQuietly, stagingPath } from './staging';

/** A dvmdostem run-mask: which cells the model runs (`run` != 0), plus lat/lon when present. */
export interface RunMask {
  path: string;
  format: NetcdfFormat;
  grid: GridShape;
  /** Row-major, 1 = enabled. */
  enabled: Uint8Array;
  lat: Float64Array | null;
  lon: Float64Array | null;
}

export async function readRunMask(maskPath: string): Promise<RunMask> {
  statOrExplain(maskPath, 'run-mask file');
  const file = await openNetcdfFor(maskPath, 'run', ['lat', 'lon']);
  const { grid, values } = readGridVariable(file, 'run', 'a dvmdostem run-mask');
  const enabled = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) enabled[i] = values[i] !== 0 && !Number.isNaN(values[i]) ? 1 : 0;
  const coord = (name: string) => {
    const v = file.variable(name);
    if (!v || v.shape.length !== 2 || !gridAxes(v)) return null;
    const r = readGridVariable(file, name, 'run-mask');
    return r.grid.rows === grid.rows && r.grid.cols === grid.cols ? r.values : null;
  };
  return { path: maskPath, format: file.format, grid, enabled, lat: coord('lat'), lon: coord('lon') };
}

/**
 * Writes a new run-mask: a byte copy of `templatePath` in which only the values of `run` change
 * (1 for the chosen cells, 0 elsewhere). Every other variable, attribute, type and the file format
 * stay as they were, so dvmdostem reads it exactly like the original. The file appears complete or
 * not at all (staged next to the destination, then renamed).
 */
export async function writeRunMask(
  templatePath: string,
  destPath: string,
  enabled: Uint8Array,
  opts: {
    force?: boolean;
    /** The path to name in messages when `destPath` is itself a staging path. */ label?: string;
  } = {},
): Promise<void> {
  if (!opts.force && fs.existsSync(destPath))
    throw new UserError(`${destPath}: new run-mask file already exists (use --force to overwrite it)`);
  if (path.resolve(templatePath) === path.resolve(destPath))
    throw new UserError(`${destPath}: the new run-mask must not replace the original mask`);
  const staged = stagingPath(destPath, 'mask');
  try {
    fs.copyFileSync(templatePath, staged, fs.constants.COPYFILE_FICLONE);
    const file = await openNetcdfFor(staged, 'run');
    const v = file.variable('run');
    const axes = v && gridAxes(v);
    if (!v || !axes) throw new UserError(`${templatePath}: no variable "run" with dimensions (Y, X)`);
    const rows = v.shape[axes.y];
    const cols = v.shape[axes.x];
    if (rows * cols !== enabled.length)
      throw new UserError(
        `${templatePath}: run is ${rows}×${cols}, the cells to enable are for ${enabled.length} cells`,
      );
    // Store in the file's own dimension order.
    const values = new Float64Array(enabled.length);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) values[axes.y < axes.x ? r * cols + c : c * rows + r] = enabled[r * cols + c];
    file.writeNumbers(v, values);
    fs.renameSync(staged, destPath);
  } catch (err) {
    removeQuietly(staged);
    throw asUserError(err, `writing the new run-mask ${opts.label ?? destPath}`);
  }
}
