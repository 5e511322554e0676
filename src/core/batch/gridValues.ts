import * as fs from 'node:fs';
import { UserError } from '../errors';
import { gridAxes, readGridVariable, type GridShape } from '../grid';
import type { NcFile } from '../netcdf/ncfile';
import type { DType } from '../netcdf/variable';
import { readWhileUnchanged } from '../stableRead';

/**
 * Reads the small (Y, X) grids a batch run is made of (run, run_status) straight from their bytes
 * when they are stored contiguously (classic files, and NetCDF-4 as dvmdostem and netCDF4-python
 * write them), which a status of a thousand batches needs: the HDF5 library's own read costs several
 * times more. Anything else goes through the file's reader (readGridVariable).
 */
export function readGridValues(file: NcFile, name: string, role: string): { grid: GridShape; values: Float64Array } {
  const v = file.variable(name);
  const axes = v && gridAxes(v);
  if (
    !v ||
    !axes ||
    v.shape.length !== 2 ||
    axes.y !== 0 ||
    !v.raw ||
    v.raw.records !== 1 ||
    v.raw.recordStride !== 0
  ) {
    return readGridVariable(file, name, role);
  }
  const grid = { rows: v.shape[0], cols: v.shape[1] };
  const n = grid.rows * grid.cols;
  const bytes = n * v.dtype.size;
  const decode = decoder(v.dtype);
  if (!decode || bytes !== v.raw.recordBytes) return readGridVariable(file, name, role);
  const buf = Buffer.allocUnsafe(bytes);
  const fd = fs.openSync(file.path, 'r');
  try {
    let got = 0;
    while (got < bytes) {
      const k = fs.readSync(fd, buf, got, bytes - got, v.raw.offset + got);
      if (k === 0)
        throw new UserError(
          `${file.path}: truncated file (variable ${name} needs ${bytes} bytes at byte ${v.raw.offset}, the file has ${file.size})`,
        );
      got += k;
    }
  } finally {
    fs.closeSync(fd);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, bytes);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = decode(view, i);
  return { grid, values };
}

function decoder(t: DType): ((view: DataView, i: number) => number) | undefined {
  const le = !t.label.endsWith(' BE');
  switch (`${t.kind}${t.size}`) {
    case 'int1':
      return (d, i) => d.getInt8(i);
    case 'uint1':
      return (d, i) => d.getUint8(i);
    case 'int2':
      return (d, i) => d.getInt16(i * 2, le);
    case 'uint2':
      return (d, i) => d.getUint16(i * 2, le);
    case 'int4':
      return (d, i) => d.getInt32(i * 4, le);
    case 'uint4':
      return (d, i) => d.getUint32(i * 4, le);
    case 'int8':
      return (d, i) => Number(d.getBigInt64(i * 8, le));
    case 'uint8':
      return (d, i) => Number(d.getBigUint64(i * 8, le));
    case 'float4':
      return (d, i) => d.getFloat32(i * 4, le);
    case 'float8':
      return (d, i) => d.getFloat64(i * 8, le);
    default:
      return undefined;
  }
}

/**
 * Reads a grid of a file that a running job may be rewriting (run_status.nc): a read that overlapped
 * a change of the file (identity, size or times) is done again, like readRunStatus does.
 */
export async function readStableGrid(
  path: string,
  open: (path: string) => Promise<NcFile>,
  name: string,
  role: string,
): Promise<{ grid: GridShape; values: Float64Array; mtimeMs: number }> {
  return readWhileUnchanged(path, role, async (before) => ({
    ...readGridValues(await open(path), name, role),
    mtimeMs: before.mtimeMs,
  }));
}
