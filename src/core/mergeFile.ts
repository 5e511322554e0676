import * as fs from 'node:fs';
import { CellPatcher } from './cellPatch';
import { CancelledError, UserError } from './errors';
import { gridAxes, type GridShape } from './grid';
import { readHdf5Slab, withH5, writeHdf5Slab } from './netcdf/hdf5';
import type { NcFile } from './netcdf/ncfile';
import type { Variable } from './netcdf/variable';

/** Bytes read or written per step: bounds memory whatever the file size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface FileCheck {
  /** Variables with both spatial dimensions, as [salvaged, rerun] pairs. */
  gridVariables: [Variable, Variable][];
}

/**
 * Checks that a file can be merged: the same variables on both sides, and every variable with both
 * spatial dimensions of the same shape, dimensions and type, on the run's grid.
 */
export function checkMergeable(name: string, salvaged: NcFile, rerun: NcFile, grid: GridShape): FileCheck {
  const names = (f: NcFile) => new Set(f.variables.filter((v) => !v.isDimensionOnly).map((v) => v.name));
  const s = names(salvaged);
  const r = names(rerun);
  const onlyS = [...s].filter((n) => !r.has(n));
  const onlyR = [...r].filter((n) => !s.has(n));
  if (onlyS.length || onlyR.length) {
    const parts = [onlyS.length ? `only in ${salvaged.path}: ${onlyS.join(', ')}` : '', onlyR.length ? `only in ${rerun.path}: ${onlyR.join(', ')}` : ''];
    throw new UserError(`${name}: the two runs' files hold different variables (${parts.filter(Boolean).join('; ')})`);
  }
  const gridVariables: [Variable, Variable][] = [];
  for (const vs of salvaged.variables) {
    const axes = gridAxes(vs);
    const vr = rerun.variable(vs.name)!;
    // A grid variable on one side only (damaged dimension names) would be copied instead of merged.
    if (vr && !axes !== !gridAxes(vr)) {
      const dims = (v: Variable) => `(${v.dims.join(', ')})`;
      throw new UserError(`${name}: variable ${vs.name} has dimensions ${dims(vs)} in ${salvaged.path} but ${dims(vr)} in ${rerun.path}`);
    }
    if (!axes) continue;
    const shape = (v: Variable) => `(${v.dims.map((d, i) => `${d}=${v.shape[i]}`).join(', ')})`;
    if (vs.shape.join() !== vr.shape.join() || vs.dims.join() !== vr.dims.join()) {
      throw new UserError(`${name}: variable ${vs.name} has shape ${shape(vs)} in ${salvaged.path} but ${shape(vr)} in ${rerun.path}`);
    }
    if (vs.dtype.label !== vr.dtype.label) {
      throw new UserError(`${name}: variable ${vs.name} is ${vs.dtype.label} in ${salvaged.path} but ${vr.dtype.label} in ${rerun.path}`);
    }
    if (vs.shape[axes.y] !== grid.rows || vs.shape[axes.x] !== grid.cols) {
      throw new UserError(`${name}: variable ${vs.name} has a ${vs.shape[axes.y]}×${vs.shape[axes.x]} grid ${shape(vs)}, but run_status.nc is ${grid.rows}×${grid.cols}`);
    }
    gridVariables.push([vs, vr]);
  }
  return { gridVariables };
}

interface Region {
  start: number;
  length: number;
  rerunStart: number;
  firstRow: number;
  patcher: CellPatcher;
}

/**
 * Writes `outPath` as the salvaged file with the rerun's values at `cells` in every grid variable.
 * Variables stored as plain byte ranges (classic files, contiguous NetCDF-4) are merged while the file
 * is streamed to its new place, in one pass; the others are then patched through HDF5.
 */
export function mergeFile(
  salvaged: NcFile,
  rerun: NcFile,
  outPath: string,
  check: FileCheck,
  grid: GridShape,
  cells: Int32Array,
  isCancelled: () => boolean = () => false,
): void {
  const direct: Region[] = [];
  const throughHdf5: [Variable, Variable][] = [];
  for (const [vs, vr] of check.gridVariables) {
    const patcher = new CellPatcher(vs, grid, cells, salvaged.path);
    if (!vs.raw || !vr.raw || patcher.rows === 0 || patcher.rowBytes === 0) {
      if (patcher.rows > 0 && patcher.rowBytes > 0) throughHdf5.push([vs, vr]);
      continue;
    }
    for (let k = 0; k < vs.raw.records; k++) {
      direct.push({
        start: vs.raw.offset + k * vs.raw.recordStride,
        length: vs.raw.recordBytes,
        rerunStart: vr.raw.offset + k * vr.raw.recordStride,
        firstRow: k * patcher.rowsPerRecord,
        patcher,
      });
    }
  }
  direct.sort((a, b) => a.start - b.start);
  streamWithPatches(salvaged, rerun, outPath, direct, isCancelled);
  if (throughHdf5.length) patchThroughHdf5(rerun.path, outPath, throughHdf5, grid, cells, isCancelled);
}

function streamWithPatches(salvaged: NcFile, rerun: NcFile, outPath: string, regions: Region[], isCancelled: () => boolean): void {
  const fdS = fs.openSync(salvaged.path, 'r');
  const fdR = fs.openSync(rerun.path, 'r');
  const fdO = fs.openSync(outPath, 'wx');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const rbuf = Buffer.allocUnsafe(CHUNK_BYTES);
  const readExactly = (fd: number, b: Buffer, len: number, at: number, file: string) => {
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, b, got, len - got, at + got);
      if (n === 0) throw new UserError(`${file}: truncated file (expected ${len} bytes at byte ${at})`);
      got += n;
    }
  };
  const writeAll = (b: Buffer, len: number, at: number) => {
    let done = 0;
    while (done < len) done += fs.writeSync(fdO, b, done, len - done, at + done);
  };
  const copyPlain = (from: number, to: number) => {
    for (let at = from; at < to; at += CHUNK_BYTES) {
      if (isCancelled()) throw new CancelledError();
      const len = Math.min(CHUNK_BYTES, to - at);
      readExactly(fdS, buf, len, at, salvaged.path);
      writeAll(buf, len, at);
    }
  };
  try {
    let pos = 0;
    for (const region of regions) {
      if (region.start < pos) throw new UserError(`${salvaged.path}: variables overlap in the file (corrupt layout)`);
      copyPlain(pos, region.start);
      const { patcher } = region;
      const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / patcher.rowBytes));
      const rowsInRegion = region.length / patcher.rowBytes;
      for (let i = 0; i < rowsInRegion; i += rowsPerChunk) {
        if (isCancelled()) throw new CancelledError();
        const count = Math.min(rowsPerChunk, rowsInRegion - i);
        const len = count * patcher.rowBytes;
        const at = region.start + i * patcher.rowBytes;
        // A row wider than a chunk gets its own buffers.
        const s = len <= CHUNK_BYTES ? buf : Buffer.allocUnsafe(len);
        readExactly(fdS, s, len, at, salvaged.path);
        if (patcher.touches(region.firstRow + i, count)) {
          const r = len <= CHUNK_BYTES ? rbuf : Buffer.allocUnsafe(len);
          readExactly(fdR, r, len, region.rerunStart + i * patcher.rowBytes, rerun.path);
          patcher.patch(s, r, region.firstRow + i, count);
        }
        writeAll(s, len, at);
      }
      pos = region.start + region.length;
    }
    copyPlain(pos, salvaged.size);
  } finally {
    fs.closeSync(fdS);
    fs.closeSync(fdR);
    fs.closeSync(fdO);
  }
}

function patchThroughHdf5(rerunPath: string, outPath: string, vars: [Variable, Variable][], grid: GridShape, cells: Int32Array, isCancelled: () => boolean): void {
  withH5(outPath, 'a', (out) =>
    withH5(rerunPath, 'r', (rr) => {
      for (const [vs] of vars) {
        const patcher = new CellPatcher({ ...vs, raw: null }, grid, cells, outPath);
        const rowsPerIndex = patcher.rows / vs.shape[0];
        const bytesPerIndex = rowsPerIndex * patcher.rowBytes;
        const step = Math.max(1, Math.floor(CHUNK_BYTES / bytesPerIndex));
        for (let start = 0; start < vs.shape[0]; start += step) {
          if (isCancelled()) throw new CancelledError();
          const count = Math.min(step, vs.shape[0] - start);
          const firstRow = start * rowsPerIndex;
          if (!patcher.touches(firstRow, count * rowsPerIndex)) continue;
          const dst = readHdf5Slab(out, vs, start, count);
          const src = readHdf5Slab(rr, vs, start, count);
          patcher.patch(dst, src, firstRow, count * rowsPerIndex);
          writeHdf5Slab(out, vs, start, count, dst);
        }
      }
    }),
  );
}
