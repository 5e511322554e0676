import * as fs from 'node:fs';
import { CellPatcher } from './cellPatch';
import { CancelledError, UserError } from './errors';
import { gridAxes, type GridShape } from './grid';
import { readHdf5Slab, withH5, writeHdf5Slab } from './netcdf/hdf5';
import type { NcFile } from './netcdf/ncfile';
import type { Variable } from './netcdf/variable';

/**
 * Bytes read or written per step (`chunkBytes`): bounds memory whatever the file size. Measured (issue
 * 11): windows that stay in the CPU cache between their read, patch and write take half the CPU time of
 * 8 MiB ones. Tests lower it to exercise windows that split rows and share pages.
 */
export const mergeLimits = { chunkBytes: 512 * 1024 };

/**
 * Share of a file's bytes in windows with rerun cells above which the file is written from user space
 * instead of copied by the kernel first: every page of it is rewritten anyway (failed cells scattered
 * over the grid), so a kernel copy would be wasted work and could share no blocks.
 */
const REWRITE_ALL = 0.9;

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
    const parts = [
      onlyS.length ? `only in ${salvaged.path}: ${onlyS.join(', ')}` : '',
      onlyR.length ? `only in ${rerun.path}: ${onlyR.join(', ')}` : '',
    ];
    throw new UserError(`${name}: the two runs' files hold different variables (${parts.filter(Boolean).join('; ')})`);
  }
  const gridVariables: [Variable, Variable][] = [];
  for (const vs of salvaged.variables) {
    const axes = gridAxes(vs);
    const vr = rerun.variable(vs.name)!;
    // A grid variable on one side only (damaged dimension names) would be copied instead of merged.
    if (vr && !axes !== !gridAxes(vr)) {
      const dims = (v: Variable) => `(${v.dims.join(', ')})`;
      throw new UserError(
        `${name}: variable ${vs.name} has dimensions ${dims(vs)} in ${salvaged.path} but ${dims(vr)} in ${rerun.path}`,
      );
    }
    if (!axes) continue;
    const shape = (v: Variable) => `(${v.dims.map((d, i) => `${d}=${v.shape[i]}`).join(', ')})`;
    if (vs.shape.join() !== vr.shape.join() || vs.dims.join() !== vr.dims.join()) {
      throw new UserError(
        `${name}: variable ${vs.name} has shape ${shape(vs)} in ${salvaged.path} but ${shape(vr)} in ${rerun.path}`,
      );
    }
    if (vs.dtype.label !== vr.dtype.label) {
      throw new UserError(
        `${name}: variable ${vs.name} is ${vs.dtype.label} in ${salvaged.path} but ${vr.dtype.label} in ${rerun.path}`,
      );
    }
    if (vs.shape[axes.y] !== grid.rows || vs.shape[axes.x] !== grid.cols) {
      throw new UserError(
        `${name}: variable ${vs.name} has a ${vs.shape[axes.y]}×${vs.shape[axes.x]} grid ${shape(vs)}, but run_status.nc is ${grid.rows}×${grid.cols}`,
      );
    }
    gridVariables.push([vs, vr]);
  }
  return { gridVariables };
}

/** Another file to take cells from: its variables checked against the base file's, and the cells it gives. */
export interface PatchSource {
  file: NcFile;
  check: FileCheck;
  /** Flat indices (row * cols + col) of the cells taken from this file. */
  cells: Int32Array;
}

interface Region {
  start: number;
  length: number;
  sourceStart: number;
  firstRow: number;
  patcher: CellPatcher;
}

/** Consecutive rows of one region that hold cells of one source: the unit that is read and patched. */
interface Piece {
  at: number;
  sourceAt: number;
  firstRow: number;
  rows: number;
  bytes: number;
  patcher: CellPatcher;
  /** Index into the sources. */
  source: number;
}

/**
 * Pieces of one source closer than this are read with one call, the bytes between them included; farther
 * apart, with one call each (a stitched batch owns a few rows of every time step: on a big grid, reading
 * the other batches' rows too would cost more than the calls saved). Measured with npm run bench:batch
 * (issue 10): a call costs about as much as copying 16–64 KiB from the page cache here.
 */
const READ_GAP = 16 * 1024;

/** Writes are widened to whole pages so that the kernel never reads a page back to change part of it. */
const PAGE = 4096;

/** How patchFile wrote a file. */
export interface PatchOutcome {
  /**
   * A kernel copy patched in many small windows (on average less than FRAGMENTED_SPACING apart): on a
   * copy-on-write file system each is an extent of its own to remap when the file is written back.
   */
  fragmented: boolean;
}

/**
 * Windows closer than this on average make a patched copy `fragmented`. Measured on XFS (issue 11): a
 * 50×50 grid puts one window in every 10 KB time step (100 per MiB, 36,000 extents in a 360 MB
 * output); a 200×200 grid with its failed cells in one block one per 160 KB time step (6 per MiB).
 */
const FRAGMENTED_SPACING = 32 * 1024;
/** Fewer windows than this are a few extents whatever the file's size (a small run_status.nc has one). */
const FRAGMENTED_MIN_WINDOWS = 32;

/**
 * Writes `outPath` as the salvaged file with the rerun's values at `cells` in every grid variable
 * (patchFile with one source).
 */
export function mergeFile(
  salvaged: NcFile,
  rerun: NcFile,
  outPath: string,
  check: FileCheck,
  grid: GridShape,
  cells: Int32Array,
  isCancelled: () => boolean = () => false,
): PatchOutcome {
  return patchFile(salvaged, [{ file: rerun, check, cells }], outPath, grid, isCancelled);
}

/**
 * Writes `outPath` as the base file with, in every grid variable, each source's values at that
 * source's cells (a merge has one source, the rerun; a stitch one per further batch).
 * The file is first copied as a whole by the kernel (a copy-on-write clone where the file system can,
 * so its blocks are shared), then only the pages holding the sources' cells of variables stored as
 * plain byte ranges (classic files, contiguous NetCDF-4) are rewritten with positioned reads and
 * writes; other variables are then patched through HDF5. Work and memory follow the patched cells, not
 * the file size. When nearly every page holds such cells (REWRITE_ALL), the file is instead written
 * once from user space: the same windows, with the bytes between them copied as they are.
 */
export function patchFile(
  base: NcFile,
  sources: PatchSource[],
  outPath: string,
  grid: GridShape,
  isCancelled: () => boolean = () => false,
): PatchOutcome {
  const regions: Region[][] = [];
  const throughHdf5: { source: PatchSource; vars: [Variable, Variable][] }[] = [];
  for (const source of sources) {
    const direct: Region[] = [];
    const viaLibrary: [Variable, Variable][] = [];
    for (const [vs, vr] of source.check.gridVariables) {
      const patcher = new CellPatcher(vs, grid, source.cells, base.path);
      if (patcher.rows === 0 || patcher.rowBytes === 0) continue;
      if (!vs.raw || !vr.raw) {
        viaLibrary.push([vs, vr]);
        continue;
      }
      for (let k = 0; k < vs.raw.records; k++) {
        direct.push({
          start: vs.raw.offset + k * vs.raw.recordStride,
          length: vs.raw.recordBytes,
          sourceStart: vr.raw.offset + k * vr.raw.recordStride,
          firstRow: k * patcher.rowsPerRecord,
          patcher,
        });
      }
    }
    direct.sort((a, b) => a.start - b.start);
    for (let i = 0; i < direct.length; i++) {
      const r = direct[i];
      if (r.start + r.length > base.size || (i > 0 && r.start < direct[i - 1].start + direct[i - 1].length)) {
        const what = 'lies outside the file or overlaps another variable (corrupt layout)';
        throw new UserError(`${base.path}: variable ${r.patcher.variable.name} ${what}`);
      }
    }
    regions.push(direct);
    if (viaLibrary.length) throughHdf5.push({ source, vars: viaLibrary });
  }
  const pieces = () => inFileOrder(regions.map((direct, k) => piecesOf(direct, k)));
  const rewriteAll = base.size > 0 && windowBytes(pieces(), base.size) >= REWRITE_ALL * base.size;
  if (!rewriteAll) {
    fs.copyFileSync(base.path, outPath, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    // The file must still be the one the plan checked: a copy of a changed file would be patched wrongly.
    checkUnchanged(base, fs.statSync(outPath).size);
    // A new file's permissions (the copy took the base file's, which may be read-only).
    fs.chmodSync(outPath, 0o666 & ~process.umask());
  }
  const windows = patchPieces(
    base,
    sources.map((s) => s.file),
    outPath,
    pieces(),
    isCancelled,
    rewriteAll,
  );
  for (const { source, vars } of throughHdf5)
    patchThroughHdf5(source.file.path, outPath, vars, grid, source.cells, isCancelled);
  return {
    fragmented: !rewriteAll && windows >= FRAGMENTED_MIN_WINDOWS && windows * FRAGMENTED_SPACING > base.size,
  };
}

function checkUnchanged(base: NcFile, size: number): void {
  if (size !== base.size) {
    throw new UserError(
      `${base.path}: the file changed while it was merged (${base.size} bytes when checked, ${size} when copied)`,
    );
  }
}

/** Bytes of the page-aligned windows holding the pieces (pieces in file order). */
function windowBytes(pieces: Iterable<Piece>, size: number): number {
  let bytes = 0;
  let end = 0;
  for (const p of pieces) {
    const from = Math.max(end, Math.floor(p.at / PAGE) * PAGE);
    const to = Math.min(size, Math.ceil((p.at + p.bytes) / PAGE) * PAGE);
    if (to > from) {
      bytes += to - from;
      end = to;
    }
  }
  return bytes;
}

/** The runs of rows holding a source's cells in every region, in file order, each at most chunkBytes (or one row). */
function* piecesOf(regions: Region[], source: number): Generator<Piece> {
  for (const region of regions) {
    const { patcher } = region;
    const rowBytes = patcher.rowBytes;
    const maxRows = Math.max(1, Math.floor(mergeLimits.chunkBytes / rowBytes));
    // Regions start at an index 0 along A (a record holds whole A ranges), so the pattern lines up.
    for (const [i, rows] of patcher.touchedRows(region.length / rowBytes, maxRows)) {
      yield {
        at: region.start + i * rowBytes,
        sourceAt: region.sourceStart + i * rowBytes,
        firstRow: region.firstRow + i,
        rows,
        bytes: rows * rowBytes,
        patcher,
        source,
      };
    }
  }
}

/** The pieces of several sources, each in file order, as one sequence in file order (a binary heap on `at`). */
function* inFileOrder(lists: Iterator<Piece>[]): Generator<Piece> {
  if (lists.length === 1) {
    for (let n = lists[0].next(); !n.done; n = lists[0].next()) yield n.value;
    return;
  }
  const heap: [Piece, Iterator<Piece>][] = [];
  const less = (i: number, j: number) =>
    heap[i][0].at < heap[j][0].at || (heap[i][0].at === heap[j][0].at && heap[i][0].source < heap[j][0].source);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j], heap[i]]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const m = l + 1 < heap.length && less(l + 1, l) ? l + 1 : l;
      if (l >= heap.length || !less(m, i)) return;
      swap(i, m);
      i = m;
    }
  };
  for (const it of lists) {
    const n = it.next();
    if (n.done) continue;
    heap.push([n.value, it]);
    for (let i = heap.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
  }
  while (heap.length) {
    const [piece, it] = heap[0];
    yield piece;
    const n = it.next();
    if (n.done) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    } else heap[0][0] = n.value;
    down(0);
  }
}

/**
 * Writes the pieces into the output: consecutive pieces whose pages touch are read, patched and written
 * as one page-aligned window of at most about mergeLimits.chunkBytes. Where a window shares a page with the
 * previous one, that part is read back from the output, which already holds that one's patches.
 * With `rewriteAll` the output is created here and the bytes outside the windows are copied too.
 */
function patchPieces(
  base: NcFile,
  sources: NcFile[],
  outPath: string,
  pieces: Iterator<Piece>,
  isCancelled: () => boolean,
  rewriteAll: boolean,
): number {
  let next = pieces.next();
  if (next.done) return 0;
  let windows = 0;
  const fds: number[] = [];
  const open = (p: string, flags: string) => {
    fds.push(fs.openSync(p, flags, 0o666));
    return fds[fds.length - 1];
  };
  try {
    const fdS = open(base.path, 'r');
    const sourceFds = sources.map((f) => open(f.path, 'r'));
    const fdO = open(outPath, rewriteAll ? 'wx+' : 'r+');
    // The file must still be the one the plan checked: a changed file would be patched wrongly.
    if (rewriteAll) checkUnchanged(base, fs.fstatSync(fdS).size);
    let buf = Buffer.allocUnsafe(mergeLimits.chunkBytes + 2 * PAGE + 4);
    let rbuf = Buffer.allocUnsafe(mergeLimits.chunkBytes);
    const size = base.size;
    const pageEnd = (p: Piece) => Math.min(size, Math.ceil((p.at + p.bytes) / PAGE) * PAGE);
    /** Bytes [from, to) of the base file as they are (only when the file is written from user space). */
    const copyAsIs = (from: number, to: number) => {
      for (let at = from; at < to; at += buf.length) {
        const part = buf.subarray(0, Math.min(buf.length, to - at));
        readExactly(fdS, part, at, base.path);
        writeFully(fdO, part, at);
      }
    };
    let written = 0;
    const group: Piece[] = [];
    while (!next.done) {
      if (isCancelled()) throw new CancelledError();
      // The pieces of one window: the next ones while their pages touch and the window stays small.
      group.length = 0;
      group.push(next.value);
      const start = Math.floor(next.value.at / PAGE) * PAGE;
      let end = pageEnd(next.value);
      // (Conditions written out, not as closures: the bundle names every closure it creates, per window.)
      for (
        next = pieces.next();
        !next.done && next.value.at < end + PAGE && pageEnd(next.value) - start <= mergeLimits.chunkBytes;
        next = pieces.next()
      ) {
        group.push(next.value);
        end = Math.max(end, pageEnd(next.value));
      }
      if (rewriteAll && start > written) copyAsIs(written, start);
      // Cells of 4-byte types are copied as words when aligned: place the window so the first piece is.
      const shift = (4 - (group[0].at % 4)) % 4;
      if (shift + end - start > buf.length) buf = Buffer.allocUnsafe(shift + end - start);
      const window = buf.subarray(shift, shift + end - start);
      // The part already written (a page shared with the previous window) comes from the output.
      const fromOut = Math.min(Math.max(0, written - start), window.length);
      if (fromOut > 0) readExactly(fdO, window.subarray(0, fromOut), start, outPath);
      if (fromOut < window.length) readExactly(fdS, window.subarray(fromOut), start + fromOut, base.path);
      // Each source's pieces that lie the same distance apart in both files (one record of a classic
      // record variable, all of any other, all variables of files laid out alike): read into one span
      // buffer, then one patch per run of one variable's rows.
      if (sources.length > 1) group.sort((a, b) => a.source - b.source || a.at - b.at);
      for (let g = 0; g < group.length;) {
        const head = group[g];
        const delta = head.sourceAt - head.at;
        let h = g + 1;
        while (h < group.length && group[h].source === head.source && group[h].sourceAt - group[h].at === delta) h++;
        const from = head.sourceAt;
        const span = group[h - 1].sourceAt + group[h - 1].bytes - from;
        if (span > rbuf.length) rbuf = Buffer.allocUnsafe(span);
        // The pieces' bytes, each at its place in the span: pieces close together in one read, the bytes
        // between them included; bytes between reads are never copied (they hold none of the cells).
        for (let r = g; r < h;) {
          let e = r + 1;
          while (e < h && group[e].sourceAt - (group[e - 1].sourceAt + group[e - 1].bytes) <= READ_GAP) e++;
          const at = group[r].sourceAt;
          const len = group[e - 1].sourceAt + group[e - 1].bytes - at;
          readExactly(sourceFds[head.source], rbuf, at, sources[head.source].path, at - from, len);
          r = e;
        }
        for (let i = g; i < h;) {
          const first = group[i];
          const rowBytes = first.patcher.rowBytes;
          let j = i + 1;
          // Rows between them hold no cells of this source: one patch over all of them.
          while (
            j < h &&
            group[j].patcher === first.patcher &&
            (group[j].firstRow - first.firstRow) * rowBytes === group[j].at - first.at
          )
            j++;
          const last = group[j - 1];
          const at = first.at - start;
          const len = last.at + last.bytes - first.at;
          const rat = first.sourceAt - from;
          first.patcher.patch(
            window.subarray(at, at + len),
            rbuf.subarray(rat, rat + len),
            first.firstRow,
            len / rowBytes,
          );
          i = j;
        }
        g = h;
      }
      writeFully(fdO, window, start);
      written = Math.max(written, end);
      windows++;
    }
    if (rewriteAll && written < size) copyAsIs(written, size);
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
  return windows;
}

function writeFully(fd: number, b: Uint8Array, at: number): void {
  for (let done = 0; done < b.length;) done += fs.writeSync(fd, b, done, b.length - done, at + done);
}

/** Reads `len` bytes (all of `b` by default) at file position `at` into `b` from `offset`. */
function readExactly(fd: number, b: Uint8Array, at: number, file: string, offset = 0, len = b.length - offset): void {
  for (let got = 0; got < len;) {
    const n = fs.readSync(fd, b, offset + got, len - got, at + got);
    if (n === 0) throw new UserError(`${file}: truncated file (expected ${len} bytes at byte ${at})`);
    got += n;
  }
}

function patchThroughHdf5(
  rerunPath: string,
  outPath: string,
  vars: [Variable, Variable][],
  grid: GridShape,
  cells: Int32Array,
  isCancelled: () => boolean,
): void {
  withH5(outPath, 'a', (out) =>
    withH5(rerunPath, 'r', (rr) => {
      for (const [vs] of vars) {
        const patcher = new CellPatcher({ ...vs, raw: null }, grid, cells, outPath);
        const rowsPerIndex = patcher.rows / vs.shape[0];
        const bytesPerIndex = rowsPerIndex * patcher.rowBytes;
        const step = Math.max(1, Math.floor(mergeLimits.chunkBytes / bytesPerIndex));
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
