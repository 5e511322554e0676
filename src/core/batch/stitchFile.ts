import * as fs from 'node:fs';
import { CellPatcher } from '../cellPatch';
import { copyFileKeepingTime } from '../copyTree';
import { CancelledError, UserError } from '../errors';
import type { GridShape } from '../grid';
import { checkMergeable, mergeFile, mergeLimits } from '../mergeFile';
import { openNetcdf, type NcFile } from '../netcdf/ncfile';

/**
 * Stitches one NetCDF file from several batches: a copy of the first batch's file, into which each
 * further batch writes the rows its cells lie in. Only the rows a batch touches are read and rewritten
 * (read the stitched row, patch the batch's cells in, write it back), so a batch costs in proportion
 * to its own cells, not to the file's size. Values are moved as bytes, never decoded. A file with a
 * variable stored through HDF5 only (chunked or compressed) is merged batch by batch with the
 * existing one-file merge instead.
 */

export interface StitchInput {
  path: string;
  /** Flat indices (row * cols + col) of the cells taken from this file. */
  cells: Int32Array;
  /** The file's metadata when already opened (the plan opens every file to check it). */
  file?: NcFile;
}

export async function stitchFile(
  name: string,
  inputs: StitchInput[],
  outPath: string,
  grid: GridShape,
  isCancelled: () => boolean,
): Promise<void> {
  copyFileKeepingTime(inputs[0].path, outPath);
  if (inputs.length === 1) return;
  const base = inputs[0].file ?? (await openNetcdf(inputs[0].path));
  const fdOut = fs.openSync(outPath, 'r+');
  const out = Buffer.allocUnsafe(mergeLimits.chunkBytes);
  const src = Buffer.allocUnsafe(mergeLimits.chunkBytes);
  let throughHdf5 = false;
  try {
    for (const input of inputs.slice(1)) {
      if (isCancelled()) throw new CancelledError();
      const batchFile = input.file ?? (await openNetcdf(input.path));
      const check = checkMergeable(name, base, batchFile, grid);
      if (check.gridVariables.some(([vs, vr]) => !vs.raw || !vr.raw)) {
        throughHdf5 = true;
        break;
      }
      const fdIn = fs.openSync(input.path, 'r');
      try {
        for (const [vs, vr] of check.gridVariables) {
          const patcher = new CellPatcher(vs, grid, input.cells, input.path);
          if (patcher.rows === 0 || patcher.rowBytes === 0) continue;
          const rowsPerChunk = Math.max(1, Math.floor(mergeLimits.chunkBytes / patcher.rowBytes));
          for (let first = 0; first < patcher.rows;) {
            // The next run of touched rows inside one record (rows of a record are contiguous).
            while (first < patcher.rows && !patcher.touches(first, 1)) first++;
            if (first >= patcher.rows) break;
            const recordEnd = (Math.floor(first / patcher.rowsPerRecord) + 1) * patcher.rowsPerRecord;
            let end = first + 1;
            while (end < recordEnd && end - first < rowsPerChunk && patcher.touches(end, 1)) end++;
            const count = end - first;
            const len = count * patcher.rowBytes;
            const o = len <= mergeLimits.chunkBytes ? out : Buffer.allocUnsafe(len);
            const s = len <= mergeLimits.chunkBytes ? src : Buffer.allocUnsafe(len);
            readExactly(fdOut, o, len, patcher.rowOffset(vs.raw!, first), outPath);
            readExactly(fdIn, s, len, patcher.rowOffset(vr.raw!, first), input.path);
            patcher.patch(o, s, first, count);
            writeAll(fdOut, o, len, patcher.rowOffset(vs.raw!, first));
            first = end;
          }
        }
      } finally {
        fs.closeSync(fdIn);
      }
    }
  } finally {
    fs.closeSync(fdOut);
  }
  if (throughHdf5) await stitchThroughMerge(name, inputs, outPath, grid, isCancelled);
}

/** The fallback: the existing one-file merge, once per batch, each pass into a new file. */
async function stitchThroughMerge(
  name: string,
  inputs: StitchInput[],
  outPath: string,
  grid: GridShape,
  isCancelled: () => boolean,
): Promise<void> {
  fs.rmSync(outPath);
  let current = inputs[0].path;
  for (let k = 1; k < inputs.length; k++) {
    if (isCancelled()) throw new CancelledError();
    const next = k === inputs.length - 1 ? outPath : `${outPath}.part${k}`;
    const cur = await openNetcdf(current);
    const batchFile = await openNetcdf(inputs[k].path);
    mergeFile(cur, batchFile, next, checkMergeable(name, cur, batchFile, grid), grid, inputs[k].cells, isCancelled);
    if (current !== inputs[0].path) fs.rmSync(current);
    current = next;
  }
}

function readExactly(fd: number, b: Buffer, len: number, at: number, file: string): void {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, b, got, len - got, at + got);
    if (n === 0) throw new UserError(`${file}: truncated file (expected ${len} bytes at byte ${at})`);
    got += n;
  }
}

function writeAll(fd: number, b: Buffer, len: number, at: number): void {
  let done = 0;
  while (done < len) done += fs.writeSync(fd, b, done, len - done, at + done);
}
